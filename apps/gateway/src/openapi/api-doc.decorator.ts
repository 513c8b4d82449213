/**
 * `@ApiDoc({...})` on a route: its summary and the contracts schemas of its
 * body and query. The OpenAPI document is built from these and from the
 * route's method, path and scope (see openapi.builder.ts).
 */
import { SetMetadata } from '@nestjs/common';
import type { ZodTypeAny } from 'zod';

export const API_DOC = 'sigil:api-doc';

export interface ApiDocOptions {
  summary: string;
  tag: string;
  body?: ZodTypeAny;
  query?: ZodTypeAny;
  /** Success status (default 200; 201 for creations, 204 for deletions). */
  status?: number;
  /** What `data` holds, in words, when no schema describes it. */
  returns?: string;
  /** Answers a list with pagination meta and links. */
  paginated?: boolean;
  /** A multipart upload: the JSON `options` part's schema and what the `file` part holds. */
  upload?: { options: ZodTypeAny; file: string };
  /** The body is streamed (CSV/NDJSON), not the JSON envelope. */
  streamed?: string[];
}

export const ApiDoc = (options: ApiDocOptions) => SetMetadata(API_DOC, options);
