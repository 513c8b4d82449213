/**
 * `GET /v1/event-types`: the catalogue of `libs/contracts` with the JSON
 * Schema of each event's `data` generated from its zod schema (once: the
 * catalogue is fixed at build time).
 */
import { zodToJsonSchema } from 'zod-to-json-schema';
import type { ZodTypeAny } from 'zod';
import { EVENT_CATALOGUE, SUBSCRIBABLE_EVENT_TYPES, type EventTypeView } from '@sigil/contracts';

function jsonSchemaOf(schema: ZodTypeAny): Record<string, unknown> {
  // The converter's generic types recurse too deeply for tsc; its output is plain JSON either way.
  const convert = zodToJsonSchema as unknown as (s: ZodTypeAny, o: object) => Record<string, unknown>;
  return convert(schema, { target: 'jsonSchema7', $refStrategy: 'none' });
}

let catalogue: EventTypeView[] | undefined;

export function eventTypeCatalogue(): EventTypeView[] {
  catalogue ??= SUBSCRIBABLE_EVENT_TYPES.map((type) => {
    const entry = EVENT_CATALOGUE[type];
    return { type, description: entry.description, schema: jsonSchemaOf(entry.data as ZodTypeAny), example: entry.example };
  });
  return catalogue;
}
