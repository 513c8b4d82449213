/**
 * Every route declares once what it needs: `@RequireScope('contacts:write')`,
 * `@AnyScope()` for any credential, or `@Public()` (from the platform) for the
 * few routes reachable without credentials.
 */
import { SetMetadata } from '@nestjs/common';
import type { Scope } from '@sigil/contracts';

export { Public, PUBLIC_ROUTE } from '@sigil/platform';

export const REQUIRED_SCOPE = 'sigil:required-scope';
/** Routes any authenticated credential may call (e.g. `GET /v1/me`). */
export const ANY_SCOPE = 'sigil:any-scope';

export const RequireScope = (scope: Scope) => SetMetadata(REQUIRED_SCOPE, scope);
export const AnyScope = () => SetMetadata(ANY_SCOPE, true);
