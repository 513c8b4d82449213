/**
 * A local HTTP receiver of webhooks for tests. It records every delivery,
 * verifies its signatures with the off-the-shelf `standardwebhooks` library
 * and the `X-Signature: t=…,v1=<hex>` scheme against the secrets a test
 * registers, and answers as the test programs it (status, headers, delay).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { pollUntil } from './eventually';

export interface ReceivedWebhook {
  path: string;
  headers: Record<string, string>;
  body: string;
  /** Parsed body: `{id, type, created_at, data}`. */
  payload: { id: string; type: string; created_at: string; data: any };
  /** When the request arrived, and when it was answered (`receivedAt`). */
  startedAt: number;
  receivedAt: number;
  /** Secrets (registered for this path) whose signature the standardwebhooks library accepted. */
  verifiedWith: string[];
  /** Secrets whose `X-Signature` v1 HMAC matched. */
  legacyVerifiedWith: string[];
  /** What the receiver answered. */
  answered: number;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  delayMs?: number;
}

/** Decides the answer to the `nth` (1-based) request on a path. */
export type Responder = (req: ReceivedWebhook, nth: number) => Reply | Promise<Reply>;

function legacyValid(secret: string, header: string | undefined, body: string): boolean {
  if (!header) return false;
  const parts = header.split(',').map((p) => p.split('=', 2) as [string, string]);
  const t = parts.find(([k]) => k === 't')?.[1];
  if (!t) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = Buffer.from(createHmac('sha256', key).update(`${t}.${body}`).digest('hex'));
  return parts.some(([k, v]) => k === 'v1' && Buffer.from(v).length === expected.length && timingSafeEqual(Buffer.from(v), expected));
}

export class WebhookReceiver {
  readonly deliveries: ReceivedWebhook[] = [];
  /** The same deliveries by path: a bench's waits ask for one path's ~100 000 deliveries many times a second. */
  private readonly byPath = new Map<string, ReceivedWebhook[]>();
  private readonly secrets = new Map<string, string[]>();
  /** One verifier per secret (its constructor decodes the key). */
  private readonly verifiers = new Map<string, Webhook>();
  private readonly responders = new Map<string, Responder>();
  private readonly counts = new Map<string, number>();
  private readonly sockets = new Set<import('node:net').Socket>();

  private constructor(private readonly server: Server) {}

  static async start(): Promise<WebhookReceiver> {
    const server = createServer();
    const receiver = new WebhookReceiver(server);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void receiver.handle(req, res));
    server.on('connection', (s) => {
      receiver.sockets.add(s);
      s.on('close', () => receiver.sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The URL of a path on this receiver (each test uses its own path). */
  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path.startsWith('/') ? path : `/${path}`}`;
  }

  /** Secrets to verify deliveries on `path` against. */
  expectSecrets(path: string, secrets: string[]): void {
    this.secrets.set(path, secrets);
  }

  respond(path: string, responder: Responder): void {
    this.responders.set(path, responder);
  }

  received(path: string): ReceivedWebhook[] {
    return this.byPath.get(path)?.slice() ?? [];
  }

  /** How many deliveries `path` received (without copying them). */
  count(path: string): number {
    return this.byPath.get(path)?.length ?? 0;
  }

  /** Waits until `predicate` holds for the deliveries of `path`. */
  async waitFor(path: string, predicate: (all: ReceivedWebhook[]) => boolean, timeoutMs = 30000): Promise<ReceivedWebhook[]> {
    const all = await pollUntil(() => this.received(path), predicate, timeoutMs);
    if (predicate(all)) return all;
    throw new Error(
      `receiver ${path}: condition not met within ${timeoutMs} ms (${all.length} deliveries: ${all.map((d) => `${d.payload?.type}→${d.answered}`).join(', ')})`,
    );
  }

  /** The most requests a path had in flight at once. */
  maxConcurrent(path: string): number {
    return maxInFlight(this.received(path));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const startedAt = Date.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const path = (req.url ?? '/').split('?')[0]!;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
    const secrets = this.secrets.get(path) ?? [];
    const received: ReceivedWebhook = {
      path,
      headers,
      body,
      payload: safeParse(body),
      startedAt,
      receivedAt: startedAt,
      verifiedWith: secrets.filter((s) => {
        try {
          this.verifierOf(s).verify(body, headers);
          return true;
        } catch {
          return false;
        }
      }),
      legacyVerifiedWith: secrets.filter((s) => legacyValid(s, headers['x-signature'], body)),
      answered: 0,
    };
    const nth = (this.counts.get(path) ?? 0) + 1;
    this.counts.set(path, nth);
    const reply = (await this.responders.get(path)?.(received, nth)) ?? {};
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    received.receivedAt = Date.now();
    received.answered = reply.status ?? 200;
    this.deliveries.push(received);
    const ofPath = this.byPath.get(path);
    if (ofPath) ofPath.push(received);
    else this.byPath.set(path, [received]);
    if (res.destroyed) return;
    res.writeHead(received.answered, { 'content-type': 'text/plain', ...reply.headers });
    res.end(reply.body ?? 'ok');
  }

  private verifierOf(secret: string): Webhook {
    let verifier = this.verifiers.get(secret);
    if (!verifier) this.verifiers.set(secret, (verifier = new Webhook(secret)));
    return verifier;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function safeParse(body: string): ReceivedWebhook['payload'] {
  try {
    return JSON.parse(body) as ReceivedWebhook['payload'];
  } catch {
    return { id: '', type: '', created_at: '', data: body };
  }
}

/**
 * The most of these deliveries in flight at once (from arrival to answer).
 * One answered within the millisecond it arrived (`receivedAt` equal to
 * `startedAt`, usual on a quiet machine) is an instant: in flight beside
 * whatever is open then. Its own start and end are not sorted apart — sorted
 * end-first, such a delivery counted as none in flight. At one instant: ends,
 * then instants, then starts (deliveries that only touch do not overlap).
 */
export function maxInFlight(deliveries: Pick<ReceivedWebhook, 'startedAt' | 'receivedAt'>[]): number {
  const edges = deliveries.flatMap((d) =>
    d.receivedAt > d.startedAt
      ? [
          [d.startedAt, 1],
          [d.receivedAt, -1],
        ]
      : [[d.startedAt, 0]],
  );
  edges.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  let current = 0;
  let max = 0;
  for (const [, delta] of edges) max = delta === 0 ? Math.max(max, current + 1) : Math.max(max, (current += delta!));
  return max;
}
