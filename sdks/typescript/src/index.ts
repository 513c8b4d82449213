/**
 * `@sigil/sdk`: the TypeScript client of the Sigil API (SPEC §10). The
 * facade (`Sigil`), its errors and webhook verification are hand-written;
 * `paths`/`operations` and the resource types (`Contact`, `Webhook`, …) are
 * generated from the OpenAPI document.
 */
export {
  Sigil,
  Paginator,
  type SigilOptions,
  type RequestOptions,
  type Page,
  type ListMeta,
  type Resource,
  type SigilObject,
  type BodyOf,
  type QueryOf,
  type DataOf,
  type ItemOf,
} from './client';
export * from './errors';
export { verifyWebhook, type WebhookEvent, type WebhookHeaders } from './webhooks';
// `paths`, `operations`, `components`, and each schema by its name (`Contact`, `Webhook`, …).
export type * from './generated/openapi';
