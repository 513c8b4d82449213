/** Request/reply patterns and payloads of the segments service (lists, segments). */
import { qualify } from './naming'; // eslint-disable-line @typescript-eslint/no-unused-vars -- used as patterns are added

export const SegmentPatterns = {} as const satisfies Record<string, string>;
