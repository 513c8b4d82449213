/**
 * A steady mixed write load through the gateway, as a careful client would
 * send it: contact creations, tag changes (toggling the segment's tag),
 * activities and updates, at a fixed rate. Creations and activities carry an
 * `Idempotency-Key` and are retried with the same key until they are
 * acknowledged or give up, so the audits can prove retries never duplicate.
 * It records every acknowledged write (with the contact version it produced)
 * and the status and latency of every response.
 */
import { randomUUID } from 'node:crypto';
import { uniqueEmail } from '@sigil/testing';
import { SEGMENT_TAG } from './reliability-stack';

export interface AckedWrite {
  op: 'create' | 'tags' | 'activity' | 'update';
  contactId: string;
  /** Contact version the acknowledged response showed (create/tags/update). */
  version?: number;
  activityId?: string;
  idempotencyKey?: string;
  at: number;
}

export interface ResponseRecord {
  /** When the request was sent (a request sent during a fault belongs to it, however late it fails). */
  sentAt: number;
  at: number;
  status: number; // 0: no HTTP answer (connection refused, reset, timeout)
  ms: number;
  op: string;
}

interface ContactState {
  id: string;
  busy: boolean;
}

export interface MixedLoadOptions {
  gatewayUrl: string;
  apiKey: string;
  /** Operations per second. */
  rate: number;
  /** Give up retrying an idempotent write after this long. */
  retryForMs?: number;
  /** Keep only this many response records (the soak keeps none; it reads `drainLatencies`). */
  keepResponses?: boolean;
  requestTimeoutMs?: number;
}

export class MixedLoad {
  readonly acked: AckedWrite[] = [];
  readonly responses: ResponseRecord[] = [];
  /** Idempotency keys whose writes were never acknowledged (given up). */
  readonly unacknowledged: Array<{ op: string; key: string }> = [];
  private readonly contacts: ContactState[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private latencies: number[] = [];
  private statusWindow = { ok: 0, errors: 0 };
  skipped = 0;
  private stopping = false;

  constructor(private readonly options: MixedLoadOptions) {}

  start(): void {
    const interval = 1000 / this.options.rate;
    let next = performance.now();
    const tick = () => {
      const now = performance.now();
      while (next <= now) {
        next += interval;
        if (this.inFlight.size >= 256) {
          this.skipped++;
          continue;
        }
        const p = this.one().catch(() => undefined);
        this.inFlight.add(p);
        void p.finally(() => this.inFlight.delete(p));
      }
      if (!this.stopping) this.timer = setTimeout(tick, Math.max(1, next - performance.now()));
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }

  /** Latencies (ms) and status counts since the last call. */
  drainLatencies(): { latencies: number[]; ok: number; errors: number } {
    const out = { latencies: this.latencies, ...this.statusWindow };
    this.latencies = [];
    this.statusWindow = { ok: 0, errors: 0 };
    return out;
  }

  get contactIds(): string[] {
    return this.contacts.map((c) => c.id);
  }

  private async one(): Promise<void> {
    const idle = this.contacts.filter((c) => !c.busy);
    const roll = Math.random();
    if (idle.length < 20 || roll < 0.25) return this.create();
    const contact = idle[Math.floor(Math.random() * idle.length)]!;
    contact.busy = true;
    try {
      if (roll < 0.55) await this.toggleTag(contact);
      else if (roll < 0.85) await this.activity(contact);
      else await this.update(contact);
    } finally {
      contact.busy = false;
    }
  }

  private async create(): Promise<void> {
    const key = randomUUID();
    const res = await this.retrying('create', key, 'POST', '/v1/contacts', {
      email: uniqueEmail('reliability.example.com'),
      first_name: 'Load',
      tags: Math.random() < 0.5 ? [SEGMENT_TAG] : ['other'],
    });
    if (res?.status === 201) {
      const data = res.body.data as { id: string; version: number };
      this.acked.push({ op: 'create', contactId: data.id, version: data.version, idempotencyKey: key, at: Date.now() });
      this.contacts.push({ id: data.id, busy: false });
    }
  }

  private async toggleTag(contact: ContactState): Promise<void> {
    const current = await this.send('get', 'GET', `/v1/contacts/${contact.id}`);
    if (current?.status !== 200) return;
    const has = (current.body.data.tags as string[]).includes(SEGMENT_TAG);
    const res = await this.send('tags', has ? 'DELETE' : 'POST', `/v1/contacts/${contact.id}/tags`, { tags: [SEGMENT_TAG] });
    if (res?.status === 200) this.acked.push({ op: 'tags', contactId: contact.id, version: res.body.data.version, at: Date.now() });
  }

  private async activity(contact: ContactState): Promise<void> {
    const key = randomUUID();
    const res = await this.retrying('activity', key, 'POST', `/v1/contacts/${contact.id}/activities`, {
      type: 'purchase',
      properties: { amount: Math.round(Math.random() * 100), idempotency_key: key },
    });
    if (res?.status === 201) this.acked.push({ op: 'activity', contactId: contact.id, activityId: res.body.data.id, idempotencyKey: key, at: Date.now() });
  }

  private async update(contact: ContactState): Promise<void> {
    const res = await this.send('update', 'PATCH', `/v1/contacts/${contact.id}`, { last_name: `L${Math.floor(Math.random() * 1e6)}` });
    if (res?.status === 200) this.acked.push({ op: 'update', contactId: contact.id, version: res.body.data.version, at: Date.now() });
  }

  /** POST with an Idempotency-Key, retried with the same key on no answer, 5xx, 409 in flight or 429. */
  private async retrying(op: string, key: string, method: string, path: string, body: unknown) {
    const deadline = Date.now() + (this.options.retryForMs ?? 180_000);
    let delay = 500;
    for (;;) {
      const res = await this.send(op, method, path, body, { 'idempotency-key': key });
      const retryable = !res || res.status >= 500 || res.status === 429 || (res.status === 409 && res.body?.error?.code === 'idempotency_key_in_flight');
      if (!retryable) return res;
      if (Date.now() > deadline || this.stopping) {
        this.unacknowledged.push({ op, key });
        return res;
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 5000);
    }
  }

  private async send(op: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const started = performance.now();
    let status = 0;
    try {
      const res = await fetch(`${this.options.gatewayUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.options.apiKey}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        body: body !== undefined ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 15_000),
      });
      status = res.status;
      const text = await res.text();
      return { status, body: text ? JSON.parse(text) : undefined };
    } catch {
      return undefined;
    } finally {
      const ms = performance.now() - started;
      this.latencies.push(ms);
      if (status >= 200 && status < 500) this.statusWindow.ok++;
      else this.statusWindow.errors++;
      if (this.options.keepResponses !== false) this.responses.push({ sentAt: Date.now() - ms, at: Date.now(), status, ms, op });
    }
  }
}
