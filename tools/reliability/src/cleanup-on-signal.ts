/**
 * Ctrl-C or a SIGTERM during a long suite must not orphan the stack's
 * service processes: the suites register their stack's `close` here, and a
 * signal runs it before exiting.
 */
const cleanups: Array<() => Promise<void>> = [];
let installed = false;

export function closeOnSignal(cleanup: () => Promise<void>): void {
  cleanups.push(cleanup);
  if (installed) return;
  installed = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`${signal}: stopping the stack …`);
      void Promise.allSettled(cleanups.map((c) => c())).then(() => process.exit(130));
    });
  }
}
