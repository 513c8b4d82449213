/**
 * The event-type catalogue: every subscribable event has an entry, each
 * example is valid against both its zod schema and the generated JSON Schema
 * (checked with ajv, as a subscriber would), and endpoint filters are
 * validated against the catalogue.
 */
import Ajv from 'ajv';
import { CreateWebhookSchema, EVENT_CATALOGUE, EVENT_TOPIC_OF, INTERNAL_EVENT_TYPES, SUBSCRIBABLE_EVENT_TYPES, type EventType } from '@sigil/contracts';
import { eventTypeCatalogue } from './event-types';

describe('event-type catalogue', () => {
  it('covers every domain event but webhook.test and the internal ones', () => {
    const expected = (Object.keys(EVENT_TOPIC_OF) as EventType[]).filter((t) => t !== 'webhook.test' && !INTERNAL_EVENT_TYPES.has(t));
    expect([...SUBSCRIBABLE_EVENT_TYPES].sort()).toEqual(expected.sort());
    expect(eventTypeCatalogue().map((e) => e.type)).toEqual(SUBSCRIBABLE_EVENT_TYPES);
  });

  it('gives each type a description, a JSON Schema of its data and an example valid against both schemas', () => {
    const ajv = new Ajv({ allErrors: true });
    for (const entry of eventTypeCatalogue()) {
      expect(entry.description.length).toBeGreaterThan(10);
      expect(entry.schema).toMatchObject({ type: 'object', $schema: 'http://json-schema.org/draft-07/schema#' });
      const zod = EVENT_CATALOGUE[entry.type as keyof typeof EVENT_CATALOGUE].data.safeParse(entry.example);
      expect({ type: entry.type, ok: zod.success }).toEqual({ type: entry.type, ok: true });
      const validate = ajv.compile(entry.schema);
      expect({ type: entry.type, valid: validate(entry.example), errors: validate.errors ?? null }).toEqual({ type: entry.type, valid: true, errors: null });
      // The schema is strict enough to refuse a payload of the wrong shape.
      expect(validate({})).toBe(false);
    }
  });

  it('describes the contact snapshot field by field', () => {
    const created = eventTypeCatalogue().find((e) => e.type === 'contact.created')!;
    const contact = (created.schema as { properties: { contact: { properties: Record<string, unknown>; required: string[] } } }).properties.contact;
    expect(contact.required).toEqual(expect.arrayContaining(['id', 'email', 'tags', 'custom_fields', 'version']));
    expect(contact.properties['email']).toEqual({ type: 'string' });
  });

  it('validates endpoint filters against the catalogue, naming the unknown type', () => {
    const ok = CreateWebhookSchema.safeParse({ url: 'https://example.com/h', events: ['contact.created', 'list.*', '*'] });
    expect(ok.success).toBe(true);
    const bad = CreateWebhookSchema.safeParse({ url: 'https://example.com/h', events: ['contact.created', 'contact.craeted', 'webhook.test'] });
    expect(bad.success).toBe(false);
    const issues = bad.error!.issues.map((i) => [i.path.join('.'), i.message.split(':')[0]]);
    expect(issues).toEqual([
      ['events.1', "unknown event filter 'contact.craeted'"],
      ['events.2', "unknown event filter 'webhook.test'"],
    ]);
  });
});
