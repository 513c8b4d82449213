/**
 * The bench's baseline: a bare Fastify hello-world in its own process, so the
 * gateway path can be read as a ratio to what this machine serves at best.
 * Prints `listening <port>` on stdout once ready.
 */
import Fastify from 'fastify';

async function main(): Promise<void> {
  const app = Fastify({ logger: false });
  app.get('/', async () => ({ hello: 'world' }));
  await app.listen({ host: '127.0.0.1', port: Number(process.env['PORT'] ?? 0) });
  const address = app.server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : ''}\n`);
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

main().catch((err: unknown) => {
  process.stderr.write(`baseline server failed: ${String(err)}\n`);
  process.exit(1);
});
