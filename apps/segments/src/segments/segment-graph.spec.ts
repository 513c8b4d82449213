import { ValidationFailed } from '@sigil/platform';
import { checkSegmentGraph, deepestChain, findCycle } from './segment-graph';
import { dependencyLevels, withDependents } from '../membership/membership.service';

function failure(fn: () => void): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationFailed);
    const detail = (err as ValidationFailed).details![0]!;
    return { code: detail.code, message: detail.message };
  }
  throw new Error('expected a failure');
}

describe('segment graph', () => {
  it('finds a cycle through the changed segment and names it', () => {
    const graph = new Map([
      ['seg_a', ['seg_b']],
      ['seg_b', ['seg_c']],
    ]);
    expect(findCycle(graph, 'seg_c')).toBeUndefined();
    const { code, message } = failure(() => checkSegmentGraph(graph, 'seg_c', ['seg_a']));
    expect(code).toBe('cycle');
    expect(message).toContain('seg_c → seg_a → seg_b → seg_c');
  });

  it('refuses a segment referencing itself', () => {
    expect(failure(() => checkSegmentGraph(new Map(), 'seg_a', ['seg_a'])).message).toContain('seg_a → seg_a');
  });

  it('allows diamonds (two paths to one inner segment are not a cycle)', () => {
    const graph = new Map([
      ['seg_top', ['seg_l', 'seg_r']],
      ['seg_l', ['seg_base']],
      ['seg_r', ['seg_base']],
    ]);
    expect(() => checkSegmentGraph(graph, 'seg_base', [])).not.toThrow();
    expect(deepestChain(graph, 'seg_top')).toEqual(['seg_top', 'seg_l', 'seg_base']);
  });

  it('bounds nesting depth, also for segments above the changed one', () => {
    // s0 → s1 → … → s5 is 5 levels of nesting: allowed; one more is not.
    const graph = new Map(Array.from({ length: 5 }, (_, i) => [`seg_${i}`, [`seg_${i + 1}`]] as [string, string[]]));
    expect(() => checkSegmentGraph(graph, 'seg_5', [])).not.toThrow();
    const { code, message } = failure(() => checkSegmentGraph(graph, 'seg_5', ['seg_6']));
    expect(code).toBe('too_deep');
    expect(message).toContain('seg_0 → seg_1 → seg_2 → seg_3 → seg_4 → seg_5 → seg_6');
  });

  it('orders evaluation inner first and selects dependents transitively', () => {
    const segs = [
      { id: 'seg_outer', segment_refs: ['seg_mid'] },
      { id: 'seg_mid', segment_refs: ['seg_inner'] },
      { id: 'seg_inner', segment_refs: [] },
      { id: 'seg_other', segment_refs: [] },
    ];
    expect(dependencyLevels(segs).map((l) => l.map((s) => s.id).sort())).toEqual([['seg_inner', 'seg_other'], ['seg_mid'], ['seg_outer']]);
    expect(
      withDependents(segs, new Set(['seg_inner']))
        .map((s) => s.id)
        .sort(),
    ).toEqual(['seg_inner', 'seg_mid', 'seg_outer']);
    expect(
      withDependents(segs, new Set(['seg_mid']))
        .map((s) => s.id)
        .sort(),
    ).toEqual(['seg_mid', 'seg_outer']);
  });
});
