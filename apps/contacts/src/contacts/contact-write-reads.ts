/**
 * What every contact create and batch write reads before it writes, in one
 * round trip instead of two: the scope's custom field definitions (what the
 * values are checked against) and which of the rows' emails a suppression
 * matches (the snapshots' `suppressed`). Each part is its owner's SQL
 * (`DEFINITIONS_JSON_SQL` of CustomFieldDefinitions, `suppressedEmailsSql`
 * of SuppressionsRepository); this only puts them in one statement.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { TenantScope } from '@sigil/platform';
import { DEFINITIONS_JSON_SQL, definitionsOf } from '../custom-fields/custom-field-definitions';
import type { Definitions, FieldDefinition } from '../custom-fields/custom-field-values';
import { suppressedEmailsSql } from '../suppressions/suppressions.repository';

export interface WriteReads {
  defs: Definitions;
  /** The (lower-case) emails among those asked that a suppression matches. */
  suppressed: Set<string>;
}

@Injectable()
export class ContactWriteReads {
  async load(m: EntityManager, s: TenantScope, emails: string[]): Promise<WriteReads> {
    const [row]: { defs: FieldDefinition[] | null; suppressed: string[] }[] = await m.query(
      `SELECT ${DEFINITIONS_JSON_SQL} AS defs, ARRAY(${suppressedEmailsSql('$3')}) AS suppressed`,
      [s.tenantId, s.mode, emails],
    );
    return { defs: definitionsOf(row?.defs ?? null), suppressed: new Set(row?.suppressed ?? []) };
  }
}
