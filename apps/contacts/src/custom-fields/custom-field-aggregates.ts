/**
 * Aggregates of one custom field, in SQL over `custom_field_values`: every
 * query reads a range of one partial index (tenant, mode, field, value), so
 * cost follows the number of values of that field, not the contacts table.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CustomFieldAggregate, CustomFieldValue } from '@sigil/contracts';
import type { Scope } from '../contacts/contacts.repository';
import type { DefinitionRow } from './custom-field-definitions';

const BASE = 'FROM custom_field_values WHERE tenant_id = $1 AND mode = $2 AND field_key = $3';

@Injectable()
export class CustomFieldAggregates {
  async hasValues(m: EntityManager, s: Scope, key: string): Promise<boolean> {
    const rows: unknown[] = await m.query(`SELECT 1 ${BASE} LIMIT 1`, [s.tenantId, s.mode, key]);
    return rows.length > 0;
  }

  async optionsInUse(m: EntityManager, s: Scope, key: string, options: string[]): Promise<string[]> {
    const rows: { value_text: string }[] = await m.query(
      `SELECT DISTINCT value_text ${BASE} AND value_text = ANY($4::text[])`,
      [s.tenantId, s.mode, key, options],
    );
    return rows.map((r) => r.value_text);
  }

  async compute(m: EntityManager, s: Scope, def: DefinitionRow, top: number): Promise<CustomFieldAggregate> {
    const params = [s.tenantId, s.mode, def.key];
    const result: CustomFieldAggregate = { key: def.key, type: def.type, count: 0, distinct: 0, min: null, max: null, avg: null, sum: null, top_values: [] };
    if (def.type === 'number') {
      const [row] = await m.query(
        `SELECT count(*)::int AS count, min(value_num) AS min, max(value_num) AS max, avg(value_num) AS avg, sum(value_num) AS sum
         ${BASE} AND value_num IS NOT NULL`,
        params,
      );
      const [d] = await m.query(`SELECT count(*)::int AS n FROM (SELECT DISTINCT value_num ${BASE} AND value_num IS NOT NULL) x`, params);
      return { ...result, count: row.count, distinct: d.n, min: row.min, max: row.max, avg: row.avg, sum: row.sum };
    }
    if (def.type === 'date') {
      const [row] = await m.query(
        `SELECT count(*)::int AS count, min(value_date) AS min, max(value_date) AS max,
                to_timestamp(avg(extract(epoch FROM value_date))) AS avg
         ${BASE} AND value_date IS NOT NULL`,
        params,
      );
      const [d] = await m.query(`SELECT count(*)::int AS n FROM (SELECT DISTINCT value_date ${BASE} AND value_date IS NOT NULL) x`, params);
      return { ...result, count: row.count, distinct: d.n, min: iso(row.min), max: iso(row.max), avg: iso(row.avg) };
    }
    // text, select, multi_select (one row per chosen option), boolean ('true'/'false')
    const countExpr = def.type === 'multi_select' ? 'count(DISTINCT contact_id)::int' : 'count(*)::int';
    const [row] = await m.query(`SELECT ${countExpr} AS count ${BASE} AND value_text IS NOT NULL`, params);
    const [d] = await m.query(`SELECT count(*)::int AS n FROM (SELECT DISTINCT value_text ${BASE} AND value_text IS NOT NULL) x`, params);
    const tops: { value_text: string; n: number }[] = await m.query(
      `SELECT value_text, count(*)::int AS n ${BASE} AND value_text IS NOT NULL
       GROUP BY value_text ORDER BY n DESC, value_text LIMIT $4`,
      [...params, top],
    );
    const typed = (v: string): CustomFieldValue => (def.type === 'boolean' ? v === 'true' : v);
    return { ...result, count: row.count, distinct: d.n, top_values: tops.map((t) => ({ value: typed(t.value_text), count: t.n })) };
  }
}

function iso(value: Date | null): string | null {
  return value ? new Date(value).toISOString() : null;
}
