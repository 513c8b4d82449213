/**
 * `@sigil/sdk`: the TypeScript client of the Sigil API (SPEC §10). The
 * facade (`Sigil`), its errors and webhook verification are hand-written;
 * `paths`/`operations` are generated from the OpenAPI document.
 */
export { Sigil, Paginator, type SigilOptions, type RequestOptions, type Page, type ListMeta, type Resource, type SigilObject, type BodyOf, type QueryOf } from './client';
export * from './errors';
export { verifyWebhook, type WebhookEvent, type WebhookHeaders } from './webhooks';
export type { paths, operations, components } from './generated/openapi';
