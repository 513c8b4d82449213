/**
 * The route result types under their old module name, so the routes' type
 * imports keep working while the routes are being rewritten; the envelope
 * itself is now a Fastify hook in ./envelope (no Nest interceptor).
 */
export type { Envelope, RouteResult } from './envelope';
