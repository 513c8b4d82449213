/**
 * The console's one gateway to the API: `@sigil/sdk` (the project's
 * TypeScript SDK, STYLE.md) called same-origin with the session's access
 * token, its typed errors turned into the console's `ApiError` (the envelope's
 * message, code, request id and details), and one transparent refresh
 * (rotation) shortly before the access token expires or after a 401.
 */
import { ConnectionError, Sigil, SigilError, type ListMeta, type Paginator } from '@sigil/sdk';
import { sessionStore, type Mode, type SessionTokens } from '../session/session-store';

export interface Envelope<T> {
  data: T;
  meta: ListMeta;
}

export interface ErrorDetail {
  path?: string;
  field?: string;
  message: string;
}

/** An error answered by the API (its envelope) or by the network. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
    readonly details: ErrorDetail[] = [],
    /** A 429's `Retry-After`, in seconds. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export interface TokenResponse {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  mode?: Mode;
}

// Refresh a little before the server would reject the token.
const EXPIRY_MARGIN_MS = 30_000;
// A console answers a person: one quick retry of a 429/503, never a minute-long wait.
const CLIENT_OPTIONS = { baseUrl: window.location.origin, maxRetries: 1, maxRetryDelayMs: 5000 };
// No ambient cookie ever authenticates a console request.
const omitCookies = (request: Request) => fetch(request, { credentials: 'omit', cache: 'no-store' });

/** Signed-in calls: the SDK asks for the current access token before each request. */
export const api = new Sigil({ ...CLIENT_OPTIONS, apiKey: () => accessToken(), fetch: omitCookies });

/** Signed-in calls whose caller shows a 429's wait itself and retries (the live preview): the SDK does not retry them. */
export const apiWithoutRetry = new Sigil({ ...CLIENT_OPTIONS, maxRetries: 0, apiKey: () => accessToken(), fetch: omitCookies });

/** Sign-up, log-in, refresh and log-out carry no bearer token (the SDK always sets one, so it is removed here). */
export const anonymousApi = new Sigil({
  ...CLIENT_OPTIONS,
  apiKey: 'none',
  fetch: (request) => {
    const headers = new Headers(request.headers);
    headers.delete('authorization');
    return omitCookies(new Request(request, { headers }));
  },
});

export function toSession(tokens: TokenResponse, fallbackMode: Mode): SessionTokens {
  return {
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    accessExpiresAt: Date.now() + tokens.expires_in * 1000,
    mode: tokens.mode ?? fallbackMode,
  };
}

function toApiErrorFromSdk(err: unknown): unknown {
  if (err instanceof SigilError) return new ApiError(err.status, err.code, err.message, err.requestId, err.details as ErrorDetail[], err.retryAfter);
  if (err instanceof ConnectionError) return new ApiError(0, 'network_error', 'The API could not be reached. Check your connection and try again.');
  return err;
}

let refreshing: Promise<SessionTokens | undefined> | undefined;

/** Exchanges the refresh token (rotation), optionally switching the session's mode; one exchange at a time. */
export function refreshSession(mode?: Mode): Promise<SessionTokens | undefined> {
  const session = sessionStore.get();
  if (!session) return Promise.resolve(undefined);
  refreshing ??= (async () => {
    try {
      const tokens = (await anonymousApi.auth.refresh({ refresh_token: session.refreshToken, ...(mode ? { mode } : {}) })) as unknown as TokenResponse;
      const next = { ...toSession(tokens, mode ?? session.mode), tenantId: session.tenantId };
      sessionStore.set(next);
      return next;
    } catch (err) {
      // The refresh token is gone (expired, revoked, reused): the session is over.
      if (err instanceof SigilError && err.status === 401) sessionStore.set(undefined);
      throw toApiErrorFromSdk(err);
    } finally {
      refreshing = undefined;
    }
  })();
  return refreshing;
}

async function accessToken(): Promise<string> {
  let session = sessionStore.get();
  if (!session) throw new ApiError(401, 'invalid_token', 'You are signed out. Sign in again.');
  if (session.accessExpiresAt - EXPIRY_MARGIN_MS < Date.now()) session = await refreshSession();
  if (!session) throw new ApiError(401, 'invalid_token', 'Your session ended. Sign in again.');
  return session.accessToken;
}

/** Runs one SDK call; after a 401 it refreshes the session once and retries. */
export async function call<T>(operation: () => Promise<unknown>): Promise<T> {
  try {
    return (await operation()) as T;
  } catch (err) {
    if (!(err instanceof SigilError && err.status === 401 && sessionStore.get())) throw toApiErrorFromSdk(err);
    const next = await refreshSession().catch(() => undefined);
    if (!next) throw toApiErrorFromSdk(err);
    try {
      return (await operation()) as T;
    } catch (again) {
      throw toApiErrorFromSdk(again);
    }
  }
}

/** Runs an anonymous SDK call (sign-up, log-in, log-out). */
export async function callAnonymous<T>(operation: () => Promise<unknown>): Promise<T> {
  try {
    return (await operation()) as T;
  } catch (err) {
    throw toApiErrorFromSdk(err);
  }
}

/** One page of a list operation (the SDK's paginator, first page only), with its `meta`. */
export async function onePage<T>(list: () => Paginator<unknown>): Promise<Envelope<T[]>> {
  return call(async () => {
    const first = await list().pages().next();
    return first.value as unknown as Envelope<T[]>;
  });
}
