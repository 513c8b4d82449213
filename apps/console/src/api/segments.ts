/** Segments: one function per operation, through `@sigil/sdk`. */
import { api, apiWithoutRetry, call, onePage, type Envelope } from './http';
import type { RuleNode, Segment, SegmentPreview } from './types';

export function listSegments(): Promise<Envelope<Segment[]>> {
  return onePage<Segment>(() => api.segments.list({ limit: 100 }));
}

export function createSegment(input: { name: string; rules: RuleNode; include_unsubscribed?: boolean }): Promise<Segment> {
  return call<Segment>(() => api.segments.create(input));
}

/** New rules rebuild the segment in the background (status `building`, then `ready`). */
export function updateSegment(id: string, input: { name?: string; rules?: RuleNode; include_unsubscribed?: boolean }): Promise<Segment> {
  return call<Segment>(() => api.segments.update(id, input));
}

export function deleteSegment(id: string): Promise<void> {
  return call<void>(() => api.segments.delete(id));
}

/**
 * What the rules would select now; `include_unsubscribed` as the segment would be saved (the consent default otherwise).
 * A 429 comes back at once (with its `retryAfterSeconds`): the live preview shows the wait and retries (live-preview.ts).
 */
export function previewSegment(rules: RuleNode, limit = 5, includeUnsubscribed = false): Promise<SegmentPreview> {
  return call<SegmentPreview>(() => apiWithoutRetry.segments.preview({ rules, limit, include_unsubscribed: includeUnsubscribed }));
}
