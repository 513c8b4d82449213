/**
 * Aggregates of one custom field, in SQL over `custom_field_values`: every
 * query reads a range of one partial index (tenant, mode, field, value), so
 * cost follows the number of values of that field, not the contacts table.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CustomFieldAggregate, CustomFieldValue } from '@sigil/contracts';
import type { TenantScope } from '@sigil/platform';
import type { DefinitionRow } from './custom-field-definitions';

const BASE = 'FROM custom_field_values WHERE tenant_id = $1 AND mode = $2 AND field_key = $3';

@Injectable()
export class CustomFieldAggregates {
  async hasValues(m: EntityManager, s: TenantScope, key: string): Promise<boolean> {
    const rows: unknown[] = await m.query(`SELECT 1 ${BASE} LIMIT 1`, [s.tenantId, s.mode, key]);
    return rows.length > 0;
  }

  async optionsInUse(m: EntityManager, s: TenantScope, key: string, options: string[]): Promise<string[]> {
    const rows: { value_text: string }[] = await m.query(`SELECT DISTINCT value_text ${BASE} AND value_text = ANY($4::text[])`, [s.tenantId, s.mode, key, options]);
    return rows.map((r) => r.value_text);
  }

  /**
   * One pass over the field's index range: values are grouped once, and
   * count, distinct, min/max/avg/sum and the top values are read off the groups.
   */
  async compute(m: EntityManager, s: TenantScope, def: DefinitionRow, top: number): Promise<CustomFieldAggregate> {
    const params = [s.tenantId, s.mode, def.key];
    const result: CustomFieldAggregate = { key: def.key, type: def.type, count: 0, distinct: 0, min: null, max: null, avg: null, sum: null, top_values: [] };
    if (def.type === 'number') {
      const [row] = await m.query(
        `WITH g AS (SELECT value_num AS v, count(*) AS n ${BASE} AND value_num IS NOT NULL GROUP BY value_num)
         SELECT coalesce(sum(n), 0)::int AS count, count(*)::int AS distinct, min(v) AS min, max(v) AS max,
                sum(v * n) AS sum, sum(v * n) / nullif(sum(n), 0) AS avg
         FROM g`,
        params,
      );
      return { ...result, count: row.count, distinct: row.distinct, min: row.min, max: row.max, avg: row.avg, sum: row.sum };
    }
    if (def.type === 'date') {
      const [row] = await m.query(
        `WITH g AS (SELECT value_date AS v, count(*) AS n ${BASE} AND value_date IS NOT NULL GROUP BY value_date)
         SELECT coalesce(sum(n), 0)::int AS count, count(*)::int AS distinct, min(v) AS min, max(v) AS max,
                to_timestamp(sum(extract(epoch FROM v) * n) / nullif(sum(n), 0)) AS avg
         FROM g`,
        params,
      );
      return { ...result, count: row.count, distinct: row.distinct, min: iso(row.min), max: iso(row.max), avg: iso(row.avg) };
    }
    // text, select, multi_select (one row per chosen option), boolean ('true'/'false')
    const [row] = await m.query(
      `WITH g AS (SELECT value_text AS v, count(*) AS n ${BASE} AND value_text IS NOT NULL GROUP BY value_text)
       SELECT (SELECT coalesce(sum(n), 0)::int FROM g) AS count, (SELECT count(*)::int FROM g) AS distinct,
              (SELECT coalesce(json_agg(json_build_array(t.v, t.n)), '[]') FROM (SELECT v, n FROM g ORDER BY n DESC, v LIMIT $4) t) AS top`,
      [...params, top],
    );
    // A multi_select contact with two options has two option rows: count its marker rows instead.
    const count = def.type === 'multi_select' ? (await m.query(`SELECT count(*)::int AS n ${BASE} AND value_num IS NOT NULL`, params))[0].n : row.count;
    const typed = (v: string): CustomFieldValue => (def.type === 'boolean' ? v === 'true' : v);
    const tops = row.top as [string, number][];
    return { ...result, count, distinct: row.distinct, top_values: tops.map(([v, n]) => ({ value: typed(v), count: Number(n) })) };
  }
}

function iso(value: Date | null): string | null {
  return value ? new Date(value).toISOString() : null;
}
