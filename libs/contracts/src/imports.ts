/**
 * Import jobs (SPEC §12): the options of `POST /v1/imports`, the job's view,
 * and the patterns between the gateway (which receives the upload and stages
 * its bytes) and the contacts service (which owns and runs the job).
 */
import { z } from 'zod';
import { ByIdParams, defineRpc, replyOf } from './define-rpc';
import { Timestamp } from './instant';
import { documented, named, relations } from './openapi-hints';
import { KAFKA_NAMESPACE, qualify } from './naming';
import { BATCH_MATCH_KEYS, TagSchema } from './contacts';

export const ImportPatterns = {
  /** Validates the options and reserves the job (status `uploading`, invisible to clients) before any byte is staged. */
  create: qualify('contacts.import_create'),
  /** Internal: the gateway staged the whole file; the job becomes `queued`. */
  start: qualify('contacts.import_start'),
  /** Internal: the upload failed or was refused; the reserved job and its staged bytes go. */
  abort: qualify('contacts.import_abort'),
  get: qualify('contacts.import_get'),
  cancel: qualify('contacts.import_cancel'),
  /** Internal: one page of the error report, by row number. */
  errors: qualify('contacts.import_errors'),
} as const;

/** SPEC §12: at most 200 MB per file. */
export const MAX_IMPORT_BYTES = 200 * 1024 * 1024;
/** A header wider than this is refused (mapped columns are looked up by name). */
export const MAX_IMPORT_COLUMNS = 10_000;
export const MAX_IMPORT_MAPPINGS = 200;
export const IMPORT_ERRORS_PAGE = 500;

export const IMPORT_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

/** Contact fields a column can fill; `custom_fields.<key>` names a defined custom field. */
export const IMPORT_FIELDS = ['email', 'external_id', 'first_name', 'last_name', 'phone', 'tags'] as const;
const CUSTOM_FIELD_TARGET = /^custom_fields\.[a-z][a-z0-9_]{0,63}$/;

export const ImportTargetSchema = documented(
  z.string().refine((v) => (IMPORT_FIELDS as readonly string[]).includes(v) || CUSTOM_FIELD_TARGET.test(v), {
    message: `expected one of ${IMPORT_FIELDS.join(', ')} or custom_fields.<key>`,
  }),
  // A custom field target names a field the tenant defined (else a 400 `unknown_field`), which no schema can list.
  {
    anyOf: [
      { type: 'string', enum: [...IMPORT_FIELDS] },
      { type: 'string', pattern: CUSTOM_FIELD_TARGET.source, 'x-defined-by': '/v1/custom-fields' },
    ],
  },
);

/** "Some column maps to `target`", in JSON Schema: not every value differs from it. */
const mapsTo = (target: string) => ({ not: { additionalProperties: { not: { const: target } } } });

export const ImportOptionsSchema = documented(
  z
    .object({
      format: z.enum(['csv', 'ndjson']),
      /** Column (CSV header cell, NDJSON key) → contact field. Unmapped columns are ignored. */
      mapping: z
        .record(z.string().min(1).max(256), ImportTargetSchema)
        .refine((m) => Object.keys(m).length >= 1, 'map at least the email column')
        .refine((m) => Object.keys(m).length <= MAX_IMPORT_MAPPINGS, `at most ${MAX_IMPORT_MAPPINGS} columns can be mapped`),
      /** What finds an existing contact: its email, or its `external_id` (then mapped too). Every row needs an email either way. */
      match_on: z.enum(BATCH_MATCH_KEYS).default('email'),
      mode: z.enum(['upsert', 'create', 'update']).default('upsert'),
      /** Added to every imported contact. */
      tags: z.array(TagSchema).max(100).optional(),
      /**
       * A static list of the tenant's: every contact a row creates or updates is added to it. An id that names
       * none of the tenant's lists is a 400 on `list_id`; the document says where the ids come from (`x-defined-by`).
       */
      list_id: documented(z.string().min(1).max(64), {
        'x-defined-by': '/v1/lists',
        description: 'The id of one of your lists (`POST /v1/lists`); any other value is a 400 on `list_id`.',
      }).optional(),
    })
    .strict()
    .superRefine((o, ctx) => {
      const targets = Object.values(o.mapping);
      if (!targets.includes('email')) ctx.addIssue({ code: 'custom', path: ['mapping'], message: 'a column must be mapped to email' });
      if (o.match_on === 'external_id' && !targets.includes('external_id')) {
        ctx.addIssue({ code: 'custom', path: ['mapping'], message: 'match_on external_id needs a column mapped to external_id' });
      }
      const seen = new Set<string>();
      for (const [column, target] of Object.entries(o.mapping)) {
        if (seen.has(target)) ctx.addIssue({ code: 'custom', path: ['mapping', column], message: `${target} is mapped from two columns` });
        seen.add(target);
      }
    }),
  // The superRefine's rules: a column maps to email; to external_id as well when matching on it; no target twice
  // (JSON Schema cannot compare an object's values: `x-relations`).
  ({ properties, ...json }) => ({
    ...json,
    properties: {
      ...(properties as object),
      mapping: { ...(properties as Record<string, object>)['mapping'], minProperties: 1, maxProperties: MAX_IMPORT_MAPPINGS, ...mapsTo('email') },
    },
    anyOf: [{ not: { required: ['match_on'] } }, { properties: { match_on: { const: 'email' } } }, { properties: { mapping: mapsTo('external_id') } }],
    ...relations({ kind: 'distinct-values', field: 'mapping' }),
  }),
);
export type ImportOptionsRequest = z.input<typeof ImportOptionsSchema>;
export type ImportOptions = z.output<typeof ImportOptionsSchema>;

export interface ImportView {
  id: string;
  status: ImportStatus;
  format: ImportOptions['format'];
  mode: ImportOptions['mode'];
  match_on: ImportOptions['match_on'];
  /** The list imported contacts are added to, if any. */
  list_id: string | null;
  /** Data rows in the file (header and blank lines not counted). */
  rows_total: number;
  rows_processed: number;
  created: number;
  updated: number;
  failed: number;
  bytes: number;
  /** Why the job failed (a job fails only for a reason that is not a row's: never for a bad row). */
  error: string | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
}

/** What the gateway learnt while staging the file. */
export const StartImportSchema = z
  .object({
    id: z.string(),
    bytes: z.number().int().min(0).max(MAX_IMPORT_BYTES),
    rows_total: z.number().int().min(0),
    /** CSV: header cells, in order; NDJSON: empty. */
    header: z.array(z.string()).max(MAX_IMPORT_COLUMNS),
    /** Byte offset of the first data row (after BOM and header). */
    data_offset: z.number().int().min(0),
  })
  .strict();
export type StartImport = z.infer<typeof StartImportSchema>;

export const ImportErrorsPageSchema = z.object({ id: z.string(), after: z.number().int().min(0), limit: z.number().int().min(1).max(IMPORT_ERRORS_PAGE) }).strict();

export interface ImportRowError {
  /** Data row number in the file, from 1 (the CSV header is not a row). */
  row: number;
  code: string;
  reason: string;
  /** The row as it was in the file (first 2 KiB), for fixing and re-importing. */
  data: string;
}

export interface ImportErrorsPage {
  errors: ImportRowError[];
  next_after: number | null;
}

export const ImportViewSchema = named(
  'Import',
  z.object({
    id: z.string(),
    status: z.enum(IMPORT_STATUSES),
    format: z.enum(['csv', 'ndjson']),
    mode: z.enum(['upsert', 'create', 'update']),
    match_on: z.enum(BATCH_MATCH_KEYS),
    list_id: z.string().nullable().describe('The list imported contacts are added to, if any.'),
    rows_total: z.number().int().describe('Data rows in the file (header and blank lines not counted).'),
    rows_processed: z.number().int(),
    created: z.number().int(),
    updated: z.number().int(),
    failed: z.number().int(),
    bytes: z.number().int(),
    error: z.string().nullable().describe('Why the job failed (never for a bad row: those are in the error report).'),
    created_at: Timestamp,
    started_at: Timestamp.nullable(),
    completed_at: Timestamp.nullable(),
  }) satisfies z.ZodType<ImportView>,
);

export const ImportRpc = {
  create: defineRpc(ImportPatterns.create, z.object({ body: ImportOptionsSchema }), replyOf<{ id: string }>()),
  start: defineRpc(ImportPatterns.start, z.object({ body: StartImportSchema }), ImportViewSchema),
  abort: defineRpc(ImportPatterns.abort, z.object({ body: z.object({ id: z.string() }).strict() }), replyOf<null>()),
  get: defineRpc(ImportPatterns.get, z.object({ params: ByIdParams }), ImportViewSchema),
  cancel: defineRpc(ImportPatterns.cancel, z.object({ params: ByIdParams }), ImportViewSchema),
  errors: defineRpc(ImportPatterns.errors, z.object({ body: ImportErrorsPageSchema }), replyOf<ImportErrorsPage>()),
};

/** BullMQ queue of import jobs (contacts service), namespaced like the Kafka topics so test stacks do not share it. */
export const IMPORT_QUEUE = 'contact-imports';
export const IMPORT_QUEUE_PREFIX = `bull.${KAFKA_NAMESPACE}`;
