/**
 * The graph of segments referencing segments (`{"segment": id}` conditions):
 * a change that would close a cycle or nest deeper than the bound is refused
 * with a 400 that names the path, so evaluation in dependency order always
 * terminates.
 */
import { RULE_LIMITS } from '@sigil/contracts';
import { ValidationFailed } from '@sigil/platform';

/** Segment id → ids its rules reference. */
export type SegmentGraph = ReadonlyMap<string, readonly string[]>;

/** A cycle through `start` as a path `[start, …, start]`, or undefined. */
export function findCycle(graph: SegmentGraph, start: string): string[] | undefined {
  const path: string[] = [];
  const done = new Set<string>();
  const visit = (id: string): string[] | undefined => {
    if (path.length && id === start) return [...path, id];
    if (done.has(id) || path.includes(id)) return undefined;
    path.push(id);
    for (const next of graph.get(id) ?? []) {
      const found = visit(next);
      if (found) return found;
    }
    path.pop();
    done.add(id);
    return undefined;
  };
  return visit(start);
}

/** The longest chain of references from `id` down (`[id, inner, innermost]`); the graph must be acyclic. */
export function deepestChain(graph: SegmentGraph, id: string, memo = new Map<string, string[]>()): string[] {
  const known = memo.get(id);
  if (known) return known;
  let best: string[] = [];
  for (const next of graph.get(id) ?? []) {
    const chain = deepestChain(graph, next, memo);
    if (chain.length > best.length) best = chain;
  }
  const chain = [id, ...best];
  memo.set(id, chain);
  return chain;
}

/**
 * Checks the tenant's graph once `segmentId` references `refs`: no cycle, and
 * no chain (through this segment, from any segment above it) deeper than
 * `RULE_LIMITS.maxSegmentNesting` levels of nesting.
 */
export function checkSegmentGraph(existing: SegmentGraph, segmentId: string, refs: readonly string[]): void {
  const graph = new Map(existing);
  graph.set(segmentId, refs);
  const cycle = findCycle(graph, segmentId);
  if (cycle) {
    throw new ValidationFailed(
      [{ field: 'rules', code: 'cycle', message: `Segments would reference each other in a cycle: ${cycle.join(' → ')}.` }],
      'The segment rules are invalid.',
    );
  }
  const memo = new Map<string, string[]>();
  for (const id of graph.keys()) {
    const chain = deepestChain(graph, id, memo);
    if (chain.includes(segmentId) && chain.length - 1 > RULE_LIMITS.maxSegmentNesting) {
      throw new ValidationFailed(
        [
          {
            field: 'rules',
            code: 'too_deep',
            message: `Segments may nest at most ${RULE_LIMITS.maxSegmentNesting} levels; this change makes ${chain.join(' → ')} (${chain.length - 1}).`,
          },
        ],
        'The segment rules are invalid.',
      );
    }
  }
}
