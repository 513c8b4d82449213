/**
 * PartitionBatches: one call for the batches of one turn, in order; a failed group falls back to each batch alone;
 * under load, groups at least the minimum interval apart.
 */
import { PartitionBatches } from './partition-batches';

function recorder(fails: (events: string[]) => boolean = () => false) {
  const calls: string[][] = [];
  const batches = new PartitionBatches<string>(async (events) => {
    calls.push(events);
    if (fails(events)) throw new Error(`cannot apply ${events.join(',')}`);
  }, 5);
  return { batches, calls };
}

describe('PartitionBatches', () => {
  it('applies the batches submitted in one turn by one call, each batch in its order', async () => {
    const { batches, calls } = recorder();
    await Promise.all([batches.submit(['a1', 'a2']), batches.submit(['b1']), batches.submit(['c1', 'c2'])]);
    expect(calls).toEqual([['a1', 'a2', 'b1', 'c1', 'c2']]);
  });

  it('applies batches of later turns by later calls', async () => {
    const { batches, calls } = recorder();
    await batches.submit(['a1']);
    await batches.submit(['a2']);
    expect(calls).toEqual([['a1'], ['a2']]);
  });

  it('splits a turn into groups of at most maxEvents events (a larger batch goes alone)', async () => {
    const { batches, calls } = recorder();
    await Promise.all([batches.submit(['a1', 'a2', 'a3']), batches.submit(['b1', 'b2']), batches.submit(['c1']), batches.submit(['d1', 'd2', 'd3', 'd4', 'd5', 'd6'])]);
    expect(calls).toEqual([['a1', 'a2', 'a3', 'b1', 'b2'], ['c1'], ['d1', 'd2', 'd3', 'd4', 'd5', 'd6']]);
  });

  it('when a group fails, applies each batch alone: only the batch that cannot be applied fails', async () => {
    const { batches, calls } = recorder((events) => events.includes('bad'));
    const outcomes = await Promise.allSettled([batches.submit(['a1']), batches.submit(['bad']), batches.submit(['c1'])]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toEqual(new Error('cannot apply bad'));
    expect(calls).toEqual([['a1', 'bad', 'c1'], ['a1'], ['bad'], ['c1']]);
  });

  it('a batch alone that fails is not applied twice', async () => {
    const { batches, calls } = recorder(() => true);
    await expect(batches.submit(['a1'])).rejects.toThrow('cannot apply a1');
    expect(calls).toEqual([['a1']]);
  });

  describe('with a minimum interval between groups', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it('holds what is submitted within the interval after a group started and applies it together when it is over', async () => {
      const calls: string[][] = [];
      const batches = new PartitionBatches<string>(
        async (events) => {
          calls.push(events);
        },
        1000,
        50,
        () => Date.now(),
      );
      const first = batches.submit(['a1']);
      jest.advanceTimersByTime(0);
      await first;
      expect(calls).toEqual([['a1']]);
      const later = [batches.submit(['a2']), batches.submit(['b1'])];
      jest.advanceTimersByTime(10);
      later.push(batches.submit(['c1']));
      jest.advanceTimersByTime(39);
      expect(calls).toEqual([['a1']]);
      jest.advanceTimersByTime(1);
      await Promise.all(later);
      expect(calls).toEqual([['a1'], ['a2', 'b1', 'c1']]);
    });

    it('does not hold a batch when the last group started longer ago than the interval', async () => {
      const calls: string[][] = [];
      const batches = new PartitionBatches<string>(
        async (events) => {
          calls.push(events);
        },
        1000,
        50,
        () => Date.now(),
      );
      const first = batches.submit(['a1']);
      jest.advanceTimersByTime(0);
      await first;
      jest.advanceTimersByTime(50);
      const second = batches.submit(['a2']);
      jest.advanceTimersByTime(0);
      await second;
      expect(calls).toEqual([['a1'], ['a2']]);
    });
  });
});
