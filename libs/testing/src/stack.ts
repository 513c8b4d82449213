/**
 * Starts Sigil services as separate OS processes (built `dist/` entrypoints)
 * for end-to-end tests: each with a free port, a fresh database and this test
 * file's Kafka namespace. Processes can be stopped, killed and restarted to
 * test faults.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, dirname, join, resolve } from 'node:path';
import { KAFKA_NAMESPACE } from '@sigil/contracts';
import { pollUntil } from './eventually';
import { createTestDatabase, deleteNamespaceTopics, dropTestDatabase, KAFKA_BROKERS, REDIS_URL } from './infra';
import { deleteNamespaceKeys, type RedisTarget } from './namespace-redis-keys';
import { TEST_ADMIN_TOKEN } from './tenant';

export type ServiceName = 'gateway' | 'keys' | 'contacts' | 'segments' | 'webhooks';
export const ALL_SERVICES: ServiceName[] = ['keys', 'contacts', 'segments', 'webhooks', 'gateway'];
const WITH_DATABASE: ServiceName[] = ['keys', 'contacts', 'segments', 'webhooks'];

// libs/testing/src, or dist/libs/testing/src when compiled (the bench runs from dist).
const ROOT = ((up) => (basename(up) === 'dist' ? dirname(up) : up))(resolve(__dirname, '../../..'));

/** Ports this process has handed out: the kernel may give a just-closed port to the next listen(0). */
const handedOut = new Set<number>();

/**
 * A free port, never one handed out before in this process: two services of a stack once got the same
 * port (the second, the gateway, failed with EADDRINUSE while the first answered its readiness probe).
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await anyFreePort();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('no fresh free port after 50 attempts');
}

function anyFreePort(): Promise<number> {
  return new Promise((res, rej) => {
    const server = createServer();
    server.once('error', rej);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => res(port));
    });
  });
}

export class ServiceProcess {
  private child: ChildProcess | undefined;
  readonly logFile: string;

  constructor(
    readonly name: string,
    readonly service: ServiceName,
    readonly port: number,
    readonly env: Record<string, string>,
    logDir: string,
  ) {
    this.logFile = join(logDir, `${name}.log`);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(timeoutMs = 60000): Promise<void> {
    const out = createWriteStream(this.logFile, { flags: 'a' });
    // Node flags that NODE_OPTIONS refuses (e.g. --cpu-prof for the bench's profiles).
    const nodeArgs = this.env['SIGIL_NODE_ARGS']?.split(' ').filter(Boolean) ?? [];
    const child = spawn(process.execPath, [...nodeArgs, join(ROOT, 'dist/apps', this.service, 'src/main.js')], {
      cwd: ROOT,
      env: { ...process.env, ...this.env, PORT: String(this.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Two streams into one file: neither may end it, or the other's late output crashes the test process.
    child.stdout?.pipe(out, { end: false });
    child.stderr?.pipe(out, { end: false });
    child.once('close', () => out.end());
    this.child = child;
    const ready = async () => {
      if (!this.running) throw new Error(`${this.name} exited during start:\n${this.logTail()}`);
      return fetch(`${this.url}/health/ready`).then(
        (res) => res.status === 200,
        () => false, // not listening yet
      );
    };
    if (await pollUntil(ready, (up) => up, { timeoutMs, stepMs: 200 })) return;
    throw new Error(`${this.name} not ready after ${timeoutMs} ms:\n${this.logTail()}`);
  }

  /** Sends a signal and waits for the process to exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15000): Promise<number | null> {
    const child = this.child;
    if (!child || !this.running) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  }

  kill(): Promise<number | null> {
    return this.stop('SIGKILL');
  }

  logTail(lines = 40): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}

export interface StackOptions {
  services?: ServiceName[];
  /** Env for every service. */
  env?: Record<string, string>;
  /** Env per service. */
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
  gatewayReplicas?: number;
  /** Processes per backend service: `contacts`, `contacts-2`, … share its database and env (scale-out tests). */
  replicas?: number;
}

export class TestStack {
  readonly processes: ServiceProcess[] = [];
  private readonly databases: string[] = [];

  private constructor(readonly logDir: string) {}

  static async start(options: StackOptions = {}): Promise<TestStack> {
    const logDir = join(ROOT, '.infra/test-logs', KAFKA_NAMESPACE);
    mkdirSync(logDir, { recursive: true });
    const stack = new TestStack(logDir);
    const services = options.services ?? ALL_SERVICES;
    const common: Record<string, string> = {
      SIGIL_KAFKA_NAMESPACE: KAFKA_NAMESPACE,
      KAFKA_BROKERS: KAFKA_BROKERS.join(','),
      KAFKA_TOPIC_PARTITIONS: '3',
      REDIS_URL,
      LOG_LEVEL: process.env.SIGIL_TEST_LOG_LEVEL ?? 'warn',
      // As the image and `npm start` run them (Dockerfile; docs/operations.md, "Memory of the Node processes").
      MALLOC_MMAP_THRESHOLD_: process.env.MALLOC_MMAP_THRESHOLD_ ?? '131072',
      ...options.env,
    };
    const backends = services.filter((s) => s !== 'gateway');
    const dbUrls = await Promise.all(backends.map((s) => (WITH_DATABASE.includes(s) ? createTestDatabase(s) : undefined)));
    for (const url of dbUrls) if (url) stack.databases.push(url);
    for (const [i, service] of backends.entries()) {
      const env = { ...common, ...(dbUrls[i] ? { DATABASE_URL: dbUrls[i]! } : {}), ...options.serviceEnv?.[service] };
      for (let r = 0; r < (options.replicas ?? 1); r++) {
        stack.processes.push(new ServiceProcess(r === 0 ? service : `${service}-${r + 1}`, service, await freePort(), env, logDir));
      }
    }
    if (services.includes('gateway')) {
      for (let r = 0; r < (options.gatewayReplicas ?? 1); r++) {
        const name = r === 0 ? 'gateway' : `gateway-${r + 1}`;
        // Tests sign up many tenants from one IP; tests of these limits set their own values.
        const generousIpLimits = { SIGNUP_LIMIT_PER_IP_PER_HOUR: '100000', LOGIN_LIMIT_PER_IP_PER_MINUTE: '100000', AUTH_FAILURES_PER_IP_PER_MINUTE: '100000' };
        // The operator API is on (createTenant sets plans through it); a test of it disabled sets ''.
        // Import uploads are staged in the contacts database (docs/contacts.md, "Import jobs").
        const contactsDb = dbUrls[backends.indexOf('contacts')];
        const imports: Record<string, string> = contactsDb ? { IMPORTS_DATABASE_URL: contactsDb } : {};
        const gatewayEnv = { SIGIL_ADMIN_TOKEN: TEST_ADMIN_TOKEN, ...common, ...generousIpLimits, ...imports, ...options.serviceEnv?.gateway };
        stack.processes.push(new ServiceProcess(name, 'gateway', await freePort(), gatewayEnv, logDir));
      }
    }
    try {
      // Backends first: they create the topics (first replicas, so replicas do not race on creating them); then gateways.
      const backendProcesses = stack.processes.filter((p) => p.service !== 'gateway');
      await Promise.all(backendProcesses.filter((p) => p.name === p.service).map((p) => p.start()));
      await Promise.all(backendProcesses.filter((p) => p.name !== p.service).map((p) => p.start()));
      await Promise.all(stack.processes.filter((p) => p.service === 'gateway').map((p) => p.start()));
      if (services.includes('gateway')) await stack.waitForPlatformHealth(services);
    } catch (err) {
      await stack.close();
      throw err;
    }
    return stack;
  }

  get(name: string): ServiceProcess {
    const p = this.processes.find((x) => x.name === name);
    if (!p) throw new Error(`no process ${name} in this stack`);
    return p;
  }

  get gatewayUrl(): string {
    return this.get('gateway').url;
  }

  databaseUrl(service: ServiceName): string {
    return this.get(service).env['DATABASE_URL']!;
  }

  /** Waits until the gateway sees every started service answering over Kafka. */
  async waitForPlatformHealth(services: ServiceName[], timeoutMs = 60000): Promise<void> {
    const states = async (): Promise<Record<string, string> | string> => {
      try {
        const body = (await (await fetch(`${this.gatewayUrl}/v1/health`)).json()) as { data?: { services: Record<string, string> } };
        return body.data?.services ?? {};
      } catch (err) {
        return String(err);
      }
    };
    const allUp = (s: Record<string, string> | string) => typeof s !== 'string' && services.every((name) => s[name] === 'up');
    const last = await pollUntil(states, allUp, { timeoutMs, stepMs: 300 });
    if (allUp(last)) return;
    throw new Error(`platform not healthy after ${timeoutMs} ms: ${typeof last === 'string' ? last : JSON.stringify(last)}`);
  }

  async close(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop().catch(() => undefined)));
    // SIGIL_KEEP_TEST_DATA=1 leaves the databases, topics and Redis keys behind for a post-mortem (a chaos audit that failed).
    if (process.env.SIGIL_KEEP_TEST_DATA === '1') {
      const databases = this.databases.map((u) => new URL(u).pathname.slice(1)).join(', ');
      console.log(`stack: kept for a post-mortem: ${databases}; topics ${KAFKA_NAMESPACE}.*; Redis keys ${KAFKA_NAMESPACE}:* and bull.${KAFKA_NAMESPACE}:*`);
      return;
    }
    await Promise.all(this.databases.map((url) => dropTestDatabase(url).catch(() => undefined)));
    await deleteNamespaceTopics().catch(() => undefined);
    // A Redis that is gone (a test's private one, stopped) has nothing left to clean.
    await Promise.all(this.redisTargets().map((target) => deleteNamespaceKeys(KAFKA_NAMESPACE, target).catch(() => undefined)));
  }

  /** Every Redis a process of this stack uses: its REDIS_URL, or for a gateway given REDIS_CLUSTER_NODES that cluster. */
  private redisTargets(): RedisTarget[] {
    const targets = new Map<string, RedisTarget>();
    for (const p of this.processes) {
      const clusterNodes = p.service === 'gateway' ? p.env['REDIS_CLUSTER_NODES']?.trim() : undefined;
      const target: RedisTarget = clusterNodes ? { clusterNodes } : { url: p.env['REDIS_URL'] ?? REDIS_URL };
      targets.set(JSON.stringify(target), target);
    }
    return [...targets.values()];
  }
}
