/** `/v1/segments`: one function per operation. */
import { request, requestEnvelope, type Envelope } from './http';
import type { RuleNode, Segment, SegmentPreview } from './types';

export function listSegments(): Promise<Envelope<Segment[]>> {
  return requestEnvelope<Segment[]>('GET', '/v1/segments', { query: { limit: 100 } });
}

export function createSegment(input: { name: string; rules: RuleNode; description?: string | null }): Promise<Segment> {
  return request<Segment>('POST', '/v1/segments', { body: input });
}

export function deleteSegment(id: string): Promise<void> {
  return request<void>('DELETE', `/v1/segments/${encodeURIComponent(id)}`);
}

export function previewSegment(rules: RuleNode, limit = 5): Promise<SegmentPreview> {
  return request<SegmentPreview>('POST', '/v1/segments/preview', { body: { rules, limit } });
}

export function countSegment(id: string): Promise<{ segment_id: string; count: number; status: string }> {
  return request('GET', `/v1/segments/${encodeURIComponent(id)}/count`);
}
