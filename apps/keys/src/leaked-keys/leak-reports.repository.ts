/**
 * SQL of the secret-scanning reports received (`secret_scanning_reports`): a
 * report is recorded by the digest of its signed body, once, so a replay of
 * the same body is recognised.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

@Injectable()
export class LeakReportsRepository {
  /** Records the report; false when a report with this digest was already received. */
  async record(m: EntityManager, report: { report_sha256: string; key_identifier: string; matches: number }): Promise<boolean> {
    const recorded: unknown[] = await m.query(
      `INSERT INTO secret_scanning_reports (report_sha256, key_identifier, matches) VALUES ($1, $2, $3)
       ON CONFLICT (report_sha256) DO NOTHING RETURNING report_sha256`,
      [report.report_sha256, report.key_identifier, report.matches],
    );
    return recorded.length > 0;
  }

  /** How many of the report's secrets were Sigil keys. */
  async setFound(m: EntityManager, reportSha256: string, found: number): Promise<void> {
    await m.query(`UPDATE secret_scanning_reports SET found = $2 WHERE report_sha256 = $1`, [reportSha256, found]);
  }
}
