/** Request/reply patterns and payloads of the webhooks service (endpoints, deliveries). */
import { qualify } from './naming'; // eslint-disable-line @typescript-eslint/no-unused-vars -- used as patterns are added

export const WebhookPatterns = {} as const satisfies Record<string, string>;
