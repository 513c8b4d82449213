/**
 * UsageRecorder: a request is counted per credential, day and status class and
 * per hour, route template and outcome; a flush ships the counts with the last
 * use as an ISO time; a failed flush keeps them for the next one.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RpcClient } from '@sigil/platform';
import type { GatewayConfig } from '../config';
import { UsageRecorder } from './usage-recorder';

function request(route: string, method = 'GET'): FastifyRequest {
  return { sigilUsage: { tenant_id: 'ten_1', credential_id: 'key_1' }, method, routeOptions: { url: route } } as unknown as FastifyRequest;
}
const reply = (statusCode: number) => ({ statusCode }) as FastifyReply;

function recorder(fail = false) {
  const calls: { entries: Record<string, unknown>[]; hourly: Record<string, unknown>[] }[] = [];
  const rpc = {
    call: async (_def: unknown, _ctx: unknown, payload: { body: (typeof calls)[number] }) => {
      calls.push(payload.body);
      if (fail) throw new Error('keys service down');
      return { data: {} };
    },
  } as unknown as RpcClient;
  return { calls, usage: new UsageRecorder(rpc, { USAGE_FLUSH_INTERVAL_MS: 60_000 } as GatewayConfig) };
}

describe('UsageRecorder', () => {
  afterEach(() => jest.useRealTimers());

  it('counts per day and status class, and per hour, route and outcome; ships the last use as an ISO time', async () => {
    jest.useFakeTimers({ now: Date.parse('2026-12-02T10:15:00.000Z') });
    const { calls, usage } = recorder();
    usage.record(request('/v1/contacts/:id'), reply(200));
    jest.setSystemTime(Date.parse('2026-12-02T10:16:30.250Z'));
    usage.record(request('/v1/contacts/:id'), reply(404));
    usage.record(request('/v1/contacts/:id'), reply(200));
    await usage.flush();
    expect(calls).toHaveLength(1);
    expect(calls[0]!.entries).toEqual([
      { tenant_id: 'ten_1', credential_id: 'key_1', day: '2026-12-02', status_class: '2xx', count: 2, last_used_at: '2026-12-02T10:16:30.250Z' },
      { tenant_id: 'ten_1', credential_id: 'key_1', day: '2026-12-02', status_class: '4xx', count: 1, last_used_at: '2026-12-02T10:16:30.250Z' },
    ]);
    expect(calls[0]!.hourly).toEqual([
      { tenant_id: 'ten_1', credential_id: 'key_1', hour: '2026-12-02T10:00:00.000Z', route: 'GET /v1/contacts/:id', outcome: 'ok', count: 2 },
      { tenant_id: 'ten_1', credential_id: 'key_1', hour: '2026-12-02T10:00:00.000Z', route: 'GET /v1/contacts/:id', outcome: 'not_found', count: 1 },
    ]);
  });

  it('keeps the counts of a failed flush, added to the next ones, with the latest use', async () => {
    jest.useFakeTimers({ now: Date.parse('2026-12-02T10:15:00.000Z') });
    const failing = recorder(true);
    failing.usage.record(request('/v1/me'), reply(200));
    await failing.usage.flush();
    jest.setSystemTime(Date.parse('2026-12-02T10:15:05.000Z'));
    failing.usage.record(request('/v1/me'), reply(200));
    await failing.usage.flush();
    expect(failing.calls[1]!.entries).toEqual([
      { tenant_id: 'ten_1', credential_id: 'key_1', day: '2026-12-02', status_class: '2xx', count: 2, last_used_at: '2026-12-02T10:15:05.000Z' },
    ]);
  });

  it('ignores a request with no usage subject (unauthenticated, public)', async () => {
    const { calls, usage } = recorder();
    usage.record({ method: 'GET', routeOptions: { url: '/v1/health' } } as unknown as FastifyRequest, reply(200));
    await usage.flush();
    expect(calls).toHaveLength(0);
  });
});
