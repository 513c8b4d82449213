/**
 * `npm run bench`: entry point. The Kafka namespace must be chosen before
 * `@sigil/contracts` loads (it is read once, at import), so this sets it and
 * only then loads the runner. A fresh namespace every run: the stack deletes
 * its namespace's topics when it stops, and must never touch a dev stack's.
 */
import { randomBytes } from 'node:crypto';

process.env['SIGIL_KAFKA_NAMESPACE'] = `bench${randomBytes(3).toString('hex')}`;
process.env['KAFKAJS_NO_PARTITIONER_WARNING'] ??= '1';

void import('./bench-runner').then(({ main }) => main(process.argv.slice(2)));
