/**
 * OffsetCommitter: one commit per interval for every partition handled since
 * the last, the next offset to read (handled + 1), never moving a partition
 * back, a failed commit dropped without losing later offsets.
 */
import type { TopicPartitionOffsetAndMetadata } from 'kafkajs';
import { OffsetCommitter } from './offset-committer';

function recorder(fail = false) {
  const commits: TopicPartitionOffsetAndMetadata[][] = [];
  const commit = async (offsets: TopicPartitionOffsetAndMetadata[]) => {
    commits.push(offsets);
    if (fail) throw new Error('REBALANCE_IN_PROGRESS');
  };
  return { commits, commit };
}

describe('OffsetCommitter', () => {
  it('commits the next offset of every partition handled, in one request', async () => {
    const { commits, commit } = recorder();
    const committer = new OffsetCommitter(commit, 60_000);
    committer.handled('t', 0, '4');
    committer.handled('t', 0, '9');
    committer.handled('t', 1, '2');
    committer.handled('u', 0, '0');
    await committer.flush();
    expect(commits).toHaveLength(1);
    expect(commits[0]).toEqual([
      { topic: 't', partition: 0, offset: '10' },
      { topic: 't', partition: 1, offset: '3' },
      { topic: 'u', partition: 0, offset: '1' },
    ]);
  });

  it('sends nothing when nothing was handled since the last commit', async () => {
    const { commits, commit } = recorder();
    const committer = new OffsetCommitter(commit, 60_000);
    committer.handled('t', 0, '1');
    await committer.flush();
    await committer.flush();
    expect(commits).toHaveLength(1);
  });

  it('never moves a partition back when an older offset is reported after a newer one', async () => {
    const { commits, commit } = recorder();
    const committer = new OffsetCommitter(commit, 60_000);
    committer.handled('t', 0, '20');
    committer.handled('t', 0, '7');
    await committer.flush();
    expect(commits[0]).toEqual([{ topic: 't', partition: 0, offset: '21' }]);
  });

  it('handles offsets beyond 2^53 exactly', async () => {
    const { commits, commit } = recorder();
    const committer = new OffsetCommitter(commit, 60_000);
    committer.handled('t', 0, '9007199254740993');
    await committer.flush();
    expect(commits[0]![0]!.offset).toBe('9007199254740994');
  });

  it('drops a failed commit, reports it, and commits later offsets in the next one', async () => {
    const failing = recorder(true);
    const errors: unknown[] = [];
    const committer = new OffsetCommitter(failing.commit, 60_000, (err) => errors.push(err));
    committer.handled('t', 0, '3');
    await committer.flush();
    expect(errors).toHaveLength(1);
    expect(committer.uncommitted).toEqual([]);
    committer.handled('t', 0, '5');
    await committer.flush();
    expect(failing.commits[1]).toEqual([{ topic: 't', partition: 0, offset: '6' }]);
  });

  it('commits on its interval, and what is left when stopped', async () => {
    jest.useFakeTimers();
    try {
      const { commits, commit } = recorder();
      const committer = new OffsetCommitter(commit, 500);
      committer.start();
      committer.handled('t', 0, '1');
      await jest.advanceTimersByTimeAsync(499);
      expect(commits).toHaveLength(0);
      await jest.advanceTimersByTimeAsync(1);
      expect(commits).toHaveLength(1);
      committer.handled('t', 0, '2');
      await committer.stop();
      expect(commits).toHaveLength(2);
      expect(commits[1]).toEqual([{ topic: 't', partition: 0, offset: '3' }]);
      committer.handled('t', 0, '3');
      await jest.advanceTimersByTimeAsync(5_000);
      expect(commits).toHaveLength(2);
    } finally {
      jest.useRealTimers();
    }
  });

  it('eager: commits what one turn handled in one request, and what came during a commit in the next, with one in flight', async () => {
    const commits: TopicPartitionOffsetAndMetadata[][] = [];
    const releases: (() => void)[] = [];
    const committer = new OffsetCommitter(
      (offsets) =>
        new Promise<void>((resolve) => {
          commits.push(offsets);
          releases.push(resolve);
        }),
      60_000,
      undefined,
      true,
    );
    const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
    committer.handled('t', 0, '1');
    committer.handled('t', 1, '4');
    expect(commits).toHaveLength(0);
    await turn();
    expect(commits).toEqual([
      [
        { topic: 't', partition: 0, offset: '2' },
        { topic: 't', partition: 1, offset: '5' },
      ],
    ]);
    // Handled while that commit is in flight: nothing is sent until it returns, then all of it at once.
    committer.handled('t', 0, '2');
    await turn();
    committer.handled('t', 0, '3');
    await turn();
    expect(commits).toHaveLength(1);
    releases[0]!();
    await turn();
    await turn();
    expect(commits).toHaveLength(2);
    expect(commits[1]).toEqual([{ topic: 't', partition: 0, offset: '4' }]);
    releases[1]!();
    await committer.stop();
    expect(commits).toHaveLength(2);
  });

  it('eager: a lazy offset waits for the interval, or rides along with the next eager commit', async () => {
    jest.useFakeTimers();
    try {
      const { commits, commit } = recorder();
      const committer = new OffsetCommitter(commit, 500, undefined, true);
      committer.start();
      committer.handled('t', 0, '1', true);
      committer.handled('t', 1, '7', true);
      await jest.advanceTimersByTimeAsync(10);
      expect(commits).toHaveLength(0);
      await jest.advanceTimersByTimeAsync(490);
      expect(commits).toEqual([
        [
          { topic: 't', partition: 0, offset: '2' },
          { topic: 't', partition: 1, offset: '8' },
        ],
      ]);
      // A read, then a write on another partition: the write's commit takes the read's offset with it.
      committer.handled('t', 0, '2', true);
      committer.handled('t', 1, '8');
      await jest.advanceTimersByTimeAsync(1);
      expect(commits[1]).toEqual([
        { topic: 't', partition: 0, offset: '3' },
        { topic: 't', partition: 1, offset: '9' },
      ]);
      await committer.stop();
      expect(commits).toHaveLength(2);
    } finally {
      jest.useRealTimers();
    }
  });

  it('eager: forgetLazy drops partitions with only lazy offsets pending, and keeps any with a write behind it', async () => {
    const { commits, commit } = recorder();
    const committer = new OffsetCommitter(commit, 60_000, undefined, true);
    committer.handled('t', 0, '4', true);
    committer.handled('t', 1, '2'); // a write
    committer.handled('t', 1, '3', true); // then a read on the same partition: the entry still has the write behind it
    committer.handled('t', 2, '9', true);
    committer.handled('t', 2, '5'); // a write already covered by the read's newer offset: still marks the entry
    committer.forgetLazy();
    expect(committer.uncommitted).toEqual([
      { topic: 't', partition: 1, offset: '4' },
      { topic: 't', partition: 2, offset: '10' },
    ]);
    await committer.flush();
    expect(commits.flat()).toEqual([
      { topic: 't', partition: 1, offset: '4' },
      { topic: 't', partition: 2, offset: '10' },
    ]);
  });

  it('interval mode ignores the lazy flag: everything waits for the interval', async () => {
    const { commits, commit } = recorder();
    const committer = new OffsetCommitter(commit, 60_000);
    committer.handled('t', 0, '1', false);
    await new Promise<void>((resolve) => setImmediate(resolve));
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(commits).toHaveLength(0);
    expect(committer.uncommitted).toEqual([{ topic: 't', partition: 0, offset: '2' }]);
  });
});
