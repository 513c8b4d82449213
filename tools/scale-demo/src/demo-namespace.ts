/** Imported first: the demo's own Kafka namespace, so it runs beside tests and a dev platform. */
import { randomBytes } from 'node:crypto';

process.env['SIGIL_KAFKA_NAMESPACE'] ||= `scale${randomBytes(3).toString('hex')}`;
