/**
 * The kafkajs fetch-after-turn fix: a consumer's next fetch waits for the
 * work its last fetch started (microtasks and the immediates already
 * queued), then fetches as kafkajs did.
 */
import { KafkajsRunner, kafkajsRunnerFetch, type RunnerInternals } from './kafkajs-fetch-after-turn.fix';

/** A kafkajs runner with just what its `fetch` reads; its consumer group records when it is asked. */
function runner(order: string[]): RunnerInternals {
  const r = Object.create(KafkajsRunner.prototype) as RunnerInternals;
  return Object.assign(r, {
    running: true,
    logger: { debug: () => undefined },
    instrumentationEmitter: { emit: () => undefined },
    heartbeat: async () => undefined,
    consumerGroup: {
      groupId: 'g',
      fetch: async () => {
        order.push('fetch');
        return [{ batch: 1 }];
      },
    },
  });
}

describe('kafkajs fetch-after-turn fix', () => {
  it("sends the next fetch after the immediates already queued (a handler's batched SQL) and the microtasks (a reply's HTTP response), with kafkajs' result", async () => {
    const order: string[] = [];
    setImmediate(() => order.push('immediate queued before'));
    // A handler's microtasks run before kafkajs' loop asks for the next fetch; one queues an immediate (a batched lookup).
    void Promise.resolve().then(() => setImmediate(() => order.push('immediate queued by a handler')));
    await Promise.resolve();
    const fetched = runner(order).fetch(0);
    void Promise.resolve().then(() => order.push('microtask'));
    await expect(fetched).resolves.toEqual([{ batch: 1 }]);
    expect(order).toEqual(['microtask', 'immediate queued before', 'immediate queued by a handler', 'fetch']);
  });

  it('fetches nothing when the consumer stopped meanwhile (kafkajs checks after the wait)', async () => {
    const order: string[] = [];
    const r = runner(order) as RunnerInternals & { running: boolean };
    const fetched = r.fetch(0);
    r.running = false;
    await expect(fetched).resolves.toEqual([]);
    expect(order).toEqual([]);
  });

  it('wraps the kafkajs method it was written against (2.2.4: the runner asks its consumer group at once)', () => {
    const source = String(kafkajsRunnerFetch);
    expect(source).toContain('this.consumerGroup.fetch(nodeId)');
    expect(source).not.toContain('setImmediate');
    expect(KafkajsRunner.prototype.fetch).not.toBe(kafkajsRunnerFetch);
  });
});
