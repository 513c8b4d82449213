/**
 * `@ApiDoc({...})` on a route: its summary and the schemas of its body,
 * query and answer. Preferably `rpc`, the definition the route forwards to:
 * its request schema's `query` and `body` are then exactly what the service
 * validates with, and its response schema what `data` holds. `body`/`query`/
 * `response` (contracts schemas) still work, and win over `rpc`.
 * The OpenAPI document is built from these and from the route's method, path
 * and scope (see openapi.builder.ts).
 */
import { SetMetadata } from '@nestjs/common';
import type { FieldRelation, RpcDefinition } from '@sigil/contracts';
import type { ZodTypeAny } from 'zod';

export const API_DOC = 'sigil:api-doc';

export interface ApiDocOptions {
  summary: string;
  tag: string;
  /** The pattern the route forwards to: documents its request's `query` and `body`. */
  rpc?: RpcDefinition;
  body?: ZodTypeAny;
  query?: ZodTypeAny;
  /** Success status (default 200; 201 for creations, 204 for deletions). */
  status?: number;
  /** A second success status with the same body (an upsert: 201 when it created). */
  alsoStatus?: number;
  /** The body may also come form-encoded or multipart with these fields (RFC 8058 one-click), or not at all. */
  form?: ZodTypeAny;
  /** What `data` holds, in words (the description of the success response). */
  returns?: string;
  /**
   * The schema of `data` when the route builds its answer itself (not a
   * pattern's reply); otherwise `rpc.response` describes it.
   */
  response?: ZodTypeAny;
  /** Answers a list with pagination meta and links. */
  paginated?: boolean;
  /** A multipart upload: the JSON `options` part's schema, what the `file` part holds, and rules between the parts. */
  upload?: { options: ZodTypeAny; file: string; relations?: FieldRelation[] };
  /**
   * A DELETE that ends the resource's use but keeps it readable (an API key
   * is revoked: `GET` still shows it, `status: revoked`): `x-soft-delete`.
   */
  softDelete?: boolean;
  /** The body is streamed (CSV/NDJSON), not the JSON envelope. */
  streamed?: string[];
}

export const ApiDoc = (options: ApiDocOptions) => SetMetadata(API_DOC, options);
