/**
 * What must hold after faults, checked against the sources of truth rather
 * than the API alone: acknowledged writes are rows in the contacts database
 * and events on Kafka; every contact event of the tenant reached every
 * subscribed endpoint (duplicates sharing one `webhook-id`); the segment's
 * members equal a from-scratch evaluation of its rule over the contacts
 * database; no idempotency key produced two activities. Eventually
 * consistent parts are polled until they hold or the deadline passes.
 */
import { Client } from 'pg';
import type { DomainEvent } from '@sigil/contracts';
import { pollUntil, type EventSpy, type WebhookReceiver } from '@sigil/testing';
import type { AckedWrite } from '../mixed-load';
import { listAll, SEGMENT_TAG, type ReliabilityStack } from '../reliability-stack';

export interface AuditResult {
  name: string;
  ok: boolean;
  detail: string;
}

/** Re-runs an audit until it passes or the deadline passes; its last result either way. */
function eventually(check: () => Promise<AuditResult>, timeoutMs: number): Promise<AuditResult> {
  const attempt = () =>
    check().catch((err: unknown): AuditResult => ({ name: 'audit', ok: false, detail: `audit query failed: ${err instanceof Error ? err.message : String(err)}` }));
  return pollUntil(attempt, (r) => r.ok, { timeoutMs, stepMs: 2000 });
}

function sample(items: string[], n = 5): string {
  return items.length ? `${items.slice(0, n).join(', ')}${items.length > n ? ` … (+${items.length - n})` : ''}` : '';
}

export async function audit(env: { platform: ReliabilityStack; spy: EventSpy; acked: AckedWrite[]; timeoutMs: number }): Promise<AuditResult[]> {
  const { platform, spy, acked } = env;
  const tenantId = platform.tenant.tenantId;
  const db = new Client({ connectionString: platform.stack.databaseUrl('contacts') });
  await db.connect();
  try {
    const results: AuditResult[] = [];

    results.push(
      await eventually(async () => {
        const ids = [...new Set(acked.map((w) => w.contactId))];
        const rows = (await db.query<{ id: string; version: number }>('SELECT id, version FROM contacts WHERE tenant_id = $1 AND id = ANY($2)', [tenantId, ids])).rows;
        const versions = new Map(rows.map((r) => [r.id, r.version]));
        const missing = ids.filter((id) => !versions.has(id));
        const behind = acked.filter((w) => w.version !== undefined && (versions.get(w.contactId) ?? 0) < w.version).map((w) => `${w.contactId}@v${w.version}`);
        const activityIds = acked.filter((w) => w.activityId).map((w) => w.activityId!);
        const found = new Set(
          (await db.query<{ id: string }>('SELECT id FROM activities WHERE tenant_id = $1 AND id = ANY($2)', [tenantId, activityIds])).rows.map((r) => r.id),
        );
        const lostActivities = activityIds.filter((id) => !found.has(id));
        return {
          name: 'acknowledged writes are in the database',
          ok: !missing.length && !behind.length && !lostActivities.length,
          detail: `${ids.length} contacts, ${activityIds.length} activities, ${acked.length} acknowledged writes; missing contacts: ${missing.length} ${sample(missing)}; versions behind: ${behind.length} ${sample(behind)}; lost activities: ${lostActivities.length} ${sample(lostActivities)}`,
        };
      }, env.timeoutMs),
    );

    results.push(
      await eventually(async () => {
        const seen = new Set<string>();
        for (const e of spy.events as DomainEvent[]) {
          if (e.tenant_id !== tenantId) continue;
          const data = e.data as { contact?: { id: string; version: number }; contact_id?: string; activity?: { id: string } };
          if (data.contact) seen.add(`${data.contact.id}@v${data.contact.version}`);
          if (data.activity) seen.add(`activity:${data.activity.id}`);
        }
        const missing = acked.map((w) => (w.activityId ? `activity:${w.activityId}` : `${w.contactId}@v${w.version}`)).filter((k) => !seen.has(k));
        // A tag "change" that changed nothing keeps the version and emits nothing: only count versions no event carries and no later write explains.
        return {
          name: 'every acknowledged write has its event on Kafka',
          ok: !missing.length,
          detail: `${acked.length} acknowledged writes, ${spy.events.filter((e) => e.tenant_id === tenantId).length} tenant events seen; without an event: ${missing.length} ${sample(missing)}`,
        };
      }, env.timeoutMs),
    );

    results.push(await eventually(async () => webhookAudit(platform, spy, platform.receiver), env.timeoutMs));

    results.push(
      await eventually(async () => {
        const truth = new Set(
          (await db.query<{ id: string }>(`SELECT id FROM contacts WHERE tenant_id = $1 AND mode = 'live' AND $2 = ANY(tags)`, [tenantId, SEGMENT_TAG])).rows.map(
            (r) => r.id,
          ),
        );
        const members = new Set((await listAll<{ id: string }>(platform.tenant.api, `/v1/segments/${platform.segmentId}/contacts`)).map((c) => c.id));
        const extra = [...members].filter((id) => !truth.has(id));
        const absent = [...truth].filter((id) => !members.has(id));
        return {
          name: 'segment membership equals a from-scratch evaluation',
          ok: !extra.length && !absent.length,
          detail: `${truth.size} contacts tagged ${SEGMENT_TAG} in the contacts database, ${members.size} segment members; extra: ${extra.length} ${sample(extra)}; absent: ${absent.length} ${sample(absent)}`,
        };
      }, env.timeoutMs),
    );

    const dupes = (
      await db.query<{ key: string; n: string }>(
        `SELECT properties->>'idempotency_key' AS key, count(*) AS n FROM activities WHERE tenant_id = $1 AND properties ? 'idempotency_key'
         GROUP BY 1 HAVING count(*) > 1`,
        [tenantId],
      )
    ).rows;
    const emails = (
      await db.query<{ email: string; n: string }>('SELECT email, count(*) AS n FROM contacts WHERE tenant_id = $1 GROUP BY 1 HAVING count(*) > 1', [tenantId])
    ).rows;
    results.push({
      name: 'retries with the same Idempotency-Key never duplicate',
      ok: !dupes.length && !emails.length,
      detail: `activities recorded more than once for one key: ${dupes.length} ${sample(dupes.map((d) => `${d.key}×${d.n}`))}; duplicate contacts: ${emails.length}`,
    });
    return results;
  } finally {
    await db.end();
  }
}

function webhookAudit(platform: ReliabilityStack, spy: EventSpy, receiver: WebhookReceiver): Promise<AuditResult> {
  const events = (spy.events as DomainEvent[]).filter((e) => e.tenant_id === platform.tenant.tenantId && e.type.startsWith('contact.'));
  const missing: string[] = [];
  const idMismatch: string[] = [];
  const unverified: string[] = [];
  let deliveries = 0;
  let duplicates = 0;
  for (const endpoint of platform.endpoints) {
    const got = receiver.received(endpoint.path);
    deliveries += got.length;
    const byEvent = new Map<string, Set<string>>();
    for (const d of got) {
      if (!d.verifiedWith.length) unverified.push(`${endpoint.path}:${d.headers['webhook-id']}`);
      const ids = byEvent.get(d.payload.id) ?? new Set<string>();
      ids.add(d.headers['webhook-id'] ?? '');
      byEvent.set(d.payload.id, ids);
    }
    duplicates += got.length - byEvent.size;
    for (const e of new Set(events.map((x) => x.id))) {
      const ids = byEvent.get(e);
      if (!ids) missing.push(`${endpoint.path}:${e}`);
      else if (ids.size > 1) idMismatch.push(`${endpoint.path}:${e}`);
    }
  }
  return Promise.resolve({
    name: 'every contact event reached every subscribed endpoint (duplicates share webhook-id)',
    ok: !missing.length && !idMismatch.length && !unverified.length,
    detail: `${new Set(events.map((e) => e.id)).size} events × ${platform.endpoints.length} endpoints; ${deliveries} deliveries received (${duplicates} duplicates); missing: ${missing.length} ${sample(missing)}; duplicates with different webhook-id: ${idMismatch.length} ${sample(idMismatch)}; bad signatures: ${unverified.length}`,
  });
}
