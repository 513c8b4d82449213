/** Request/reply patterns and payloads of the keys service (tenants, users, sessions, API keys). */
import { qualify } from './naming'; // eslint-disable-line @typescript-eslint/no-unused-vars -- used as patterns are added

export const KeyPatterns = {} as const satisfies Record<string, string>;
