/**
 * Entry point of the reliability suites (`npm run test:chaos|test:soak`, and
 * the stack the fuzz runs against). The Kafka namespace must be chosen before
 * `@sigil/contracts` loads (it is read once, at import), so this sets a fresh
 * one and only then loads the command.
 */
import { randomBytes } from 'node:crypto';

process.env['SIGIL_KAFKA_NAMESPACE'] ??= `rel${randomBytes(3).toString('hex')}`;
process.env['KAFKAJS_NO_PARTITIONER_WARNING'] ??= '1';

const [command, ...args] = process.argv.slice(2);
const commands: Record<string, () => Promise<{ main(argv: string[]): Promise<void> }>> = {
  stack: () => import('./stack-launcher'),
  chaos: () => import('./chaos/chaos-runner'),
  soak: () => import('./soak/soak-runner'),
};
const load = command ? commands[command] : undefined;
if (!load) {
  console.error(`usage: node dist/tools/reliability/src/reliability-main.js ${Object.keys(commands).join('|')} [options]`);
  process.exit(2);
}
load()
  .then(({ main }) => main(args))
  .then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
      process.exit(1);
    },
  );
