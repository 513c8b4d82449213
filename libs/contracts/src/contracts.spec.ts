import {
  MemberRpc,
  ALL_EVENT_TOPICS,
  ALL_PATTERNS,
  ErrorCodes,
  EVENT_TOPIC_OF,
  hasScope,
  isRpcFailure,
  KAFKA_NAMESPACE,
  qualify,
  replyTopicOf,
  requestTopic,
  RPC_SERVICES,
  ALL_RPC_TOPICS,
  serviceOfPattern,
  serviceGroupId,
  ContactRpc,
  HealthRpc,
  ImportRpc,
  KeyRpc,
  MAX_CURSOR_LENGTH,
  MAX_PAGE_LIMIT,
  RPC_REQUEST_PARTS,
  SegmentRpc,
  WebhookRpc,
  type EventType,
} from './index';
import type { ZodTypeAny } from 'zod';

describe('Kafka names', () => {
  it('qualifies every name with the stack namespace', () => {
    expect(qualify('contacts.get')).toBe(`${KAFKA_NAMESPACE}.contacts.get`);
    expect(serviceGroupId('webhooks.intake')).toBe(`${KAFKA_NAMESPACE}.webhooks.intake`);
    for (const name of [...ALL_PATTERNS, ...ALL_EVENT_TOPICS]) expect(name.startsWith(`${KAFKA_NAMESPACE}.`)).toBe(true);
  });

  it('gives every service one request topic and every caller one reply topic, distinct from event topics', () => {
    expect(new Set(ALL_PATTERNS).size).toBe(ALL_PATTERNS.length);
    const topics = [...ALL_RPC_TOPICS, ...ALL_EVENT_TOPICS];
    expect(new Set(topics).size).toBe(topics.length);
    expect(requestTopic('contacts')).toBe(`${KAFKA_NAMESPACE}.rpc.contacts`);
    expect(replyTopicOf('gateway')).toBe(`${KAFKA_NAMESPACE}.rpc.gateway.replies`);
    // Every pattern belongs to a service that serves requests.
    for (const pattern of ALL_PATTERNS) expect(RPC_SERVICES).toContain(serviceOfPattern(pattern));
  });

  it('uses only characters Kafka accepts in topic names', () => {
    for (const topic of [...ALL_RPC_TOPICS, ...ALL_EVENT_TOPICS]) {
      expect(topic).toMatch(/^[a-zA-Z0-9._-]{1,249}$/);
    }
  });
});

describe('domain events', () => {
  it('declares every event type of SPEC §8, each on a known topic', () => {
    const spec: EventType[] = [
      'contact.created',
      'contact.updated',
      'contact.deleted',
      'contact.tags_changed',
      'contact.activity_recorded',
      'list.member_added',
      'list.member_removed',
      'segment.contact_entered',
      'segment.contact_exited',
      'api_key.created',
      'api_key.rotated',
      'api_key.revoked',
      'webhook.endpoint_disabled',
    ];
    for (const type of spec) expect(ALL_EVENT_TOPICS).toContain(EVENT_TOPIC_OF[type]);
    for (const topic of Object.values(EVENT_TOPIC_OF)) expect(ALL_EVENT_TOPICS).toContain(topic);
  });

  it('names events in the past tense, as resource.verb_ed', () => {
    for (const type of Object.keys(EVENT_TOPIC_OF)) expect(type).toMatch(/^[a-z_]+\.[a-z_]+$/);
  });
});

describe('errors and scopes', () => {
  it('has every error code of SPEC §2', () => {
    for (const code of [
      'missing_api_key',
      'invalid_api_key',
      'expired_api_key',
      'revoked_api_key',
      'invalid_token',
      'insufficient_scope',
      'validation_failed',
      'not_found',
      'conflict',
      'idempotency_key_reuse',
      'payload_too_large',
      'rate_limit_exceeded',
      'upstream_timeout',
      'internal_error',
    ]) {
      expect(ErrorCodes).toContain(code);
    }
  });

  it('tells a failed reply from a successful one', () => {
    expect(isRpcFailure({ error: { status: 404, code: 'not_found', type: 'invalid_request_error', message: 'x' } })).toBe(true);
    expect(isRpcFailure({ data: { error: 'a field called error inside data' } })).toBe(false);
    expect(isRpcFailure({ data: null })).toBe(false);
  });

  it('grants a scope when it is held or when * is held', () => {
    expect(hasScope(['contacts:read'], 'contacts:read')).toBe(true);
    expect(hasScope(['contacts:read'], 'contacts:write')).toBe(false);
    expect(hasScope(['*'], 'keys:write')).toBe(true);
    expect(hasScope([], 'usage:read')).toBe(false);
  });
});

describe('request/reply definitions', () => {
  const definitions = [
    ...Object.values(ContactRpc),
    ...Object.values(ImportRpc),
    ...Object.values(KeyRpc),
    ...Object.values(MemberRpc),
    ...Object.values(SegmentRpc),
    ...Object.values(WebhookRpc),
    ...Object.values(HealthRpc),
  ];

  it('declare every pattern exactly once (a pattern without a definition has no typed caller nor validated handler)', () => {
    const declared = definitions.map((d) => d.pattern);
    expect(new Set(declared).size).toBe(declared.length);
    expect([...declared].sort()).toEqual([...ALL_PATTERNS].sort());
  });

  it('have requests of the one shape: only params, query and body', () => {
    for (const d of definitions) {
      for (const part of Object.keys(d.request.shape)) expect(RPC_REQUEST_PARTS).toContain(part);
    }
  });

  it('page alike: every list query that takes a cursor reads limit and cursor from the shared paging fields', () => {
    const queryOf = (d: (typeof definitions)[number]) => (d.request.shape as { query?: ZodTypeAny }).query;
    const lists = definitions.filter((d) => queryOf(d)?.safeParse({ cursor: 'abc' }).success);
    expect(lists.length).toBeGreaterThanOrEqual(15);
    for (const d of lists) {
      const query = queryOf(d)!;
      const fails = (q: Record<string, string>, field: string) =>
        expect([d.pattern, query.safeParse(q).error?.issues.map((i) => i.path.join('.'))]).toEqual([d.pattern, [field]]);
      fails({ limit: String(MAX_PAGE_LIMIT + 1) }, 'limit');
      fails({ limit: '0' }, 'limit');
      fails({ cursor: '' }, 'cursor');
      fails({ cursor: 'a'.repeat(MAX_CURSOR_LENGTH + 1) }, 'cursor');
      expect([d.pattern, query.safeParse({ limit: '7', cursor: 'a'.repeat(MAX_CURSOR_LENGTH) }).data]).toEqual([
        d.pattern,
        expect.objectContaining({ limit: 7, cursor: 'a'.repeat(MAX_CURSOR_LENGTH) }),
      ]);
    }
  });
});
