/**
 * Keys found in public (SPEC §15): a GitHub secret scanning report, already
 * signature-checked by the gateway, names secrets by their SHA-256. Each one
 * that is a Sigil key is a true positive; its key gets `api_key.leaked` and,
 * under the tenant's `leaked_key_policy: "revoke"` and while the leaked secret
 * still works, is revoked in the same transaction (`api_key.revoked`: every
 * gateway evicts it within a second). Both events name the system actor
 * `github_secret_scanning`, so the audit log records them.
 *
 * A report is accepted once: its body's digest is recorded in the same
 * transaction, and a second delivery of the same signed body (a replay) is a
 * 401 that changes nothing. A report that fails midway records nothing, so
 * GitHub may send it again.
 */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SYSTEM_ACTORS, type LeakReport, type LeakReportResult } from '@sigil/contracts';
import { OutboxWriter, Unauthenticated, type NewEvent } from '@sigil/platform';
import { ApiKeysRepository, type LeakedSecretRow } from '../api-keys/api-keys.repository';
import { LeakReportsRepository } from './leak-reports.repository';

const passed = (d: Date | null, now: number) => d !== null && d.getTime() <= now;

@Injectable()
export class LeakedKeysService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly keys: ApiKeysRepository,
    private readonly reports: LeakReportsRepository,
  ) {}

  async report(report: LeakReport): Promise<LeakReportResult> {
    const where = new Map<string, { url: string; source: string }>();
    for (const m of report.matches) if (!where.has(m.secret_hash)) where.set(m.secret_hash, { url: m.url, source: m.source });
    return this.dataSource.transaction(async (m) => {
      const recorded = await this.reports.record(m, { report_sha256: report.report_sha256, key_identifier: report.key_identifier, matches: where.size });
      if (!recorded) throw new Unauthenticated('replayed_request', 'This signed report was already received; a replay changes nothing.');
      // Keys locked in id order: two reports naming the same keys cannot deadlock.
      const rows = await this.keys.lockBySecretHashes(m, [...where.keys()]);
      const now = Date.now();
      const byKey = new Map<string, LeakedSecretRow[]>();
      for (const row of rows) byKey.set(row.id, [...(byKey.get(row.id) ?? []), row]);
      const events: NewEvent[] = [];
      for (const secrets of byKey.values()) {
        const key = secrets[0]!;
        const keyExpired = passed(key.expires_at, now);
        // Only a secret that still works is a threat: a rotated-out secret past its grace period leaks nothing.
        const usable = !key.revoked_at && !keyExpired && secrets.some((s) => !passed(s.secret_expires_at, now));
        const revoke = usable && key.leaked_key_policy === 'revoke';
        if (revoke) await this.keys.revoke(m, key.tenant_id, key.id);
        const found = where.get(key.secret_hash)!;
        const common = { tenant_id: key.tenant_id, mode: key.environment, key: key.id, actor: SYSTEM_ACTORS.secretScanning };
        events.push({
          ...common,
          type: 'api_key.leaked',
          data: {
            id: key.id,
            prefix: key.prefix,
            environment: key.environment,
            reported_by: 'github_secret_scanning',
            url: found.url,
            source: found.source,
            policy: key.leaked_key_policy,
            revoked: revoke,
            status: key.revoked_at || revoke ? 'revoked' : keyExpired ? 'expired' : 'active',
          },
        });
        if (revoke) events.push({ ...common, type: 'api_key.revoked', data: { id: key.id } });
      }
      await this.outbox.append(m, events);
      await this.reports.setFound(m, report.report_sha256, rows.length);
      return { found: rows.map((r) => r.secret_hash) };
    });
  }
}
