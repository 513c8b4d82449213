/**
 * The one place the console talks HTTP: same-origin calls to the public `/v1`
 * API with the session's bearer token, the SPEC's success and error envelopes
 * unwrapped, an `Idempotency-Key` on every POST, and one transparent refresh
 * (rotation) when the access token has expired.
 */
import { sessionStore, type Mode, type SessionTokens } from '../session/session-store';

export interface PageMeta {
  request_id: string;
  page?: number;
  limit?: number;
  total?: number;
  has_more?: boolean;
  next_cursor?: string | null;
}

export interface Envelope<T> {
  data: T;
  meta: PageMeta;
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
  ) {
    super(message);
  }
}

export type Query = Record<string, string | number | boolean | undefined>;

interface RequestOptions {
  body?: unknown;
  query?: Query;
  /** Public routes (signup, login, refresh) send no bearer token. */
  anonymous?: boolean;
}

export interface TokenResponse {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  mode?: Mode;
}

// Refresh a little before the server would reject the token.
const EXPIRY_MARGIN_MS = 30_000;

export function toSession(tokens: TokenResponse, fallbackMode: Mode): SessionTokens {
  return {
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    accessExpiresAt: Date.now() + tokens.expires_in * 1000,
    mode: tokens.mode ?? fallbackMode,
  };
}

function url(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

async function parseError(res: Response): Promise<ApiError> {
  const text = await res.text();
  try {
    const { error } = JSON.parse(text) as { error: { status: number; code: string; message: string; request_id?: string; details?: ErrorDetail[] } };
    return new ApiError(error.status ?? res.status, error.code, error.message, error.request_id, error.details ?? []);
  } catch {
    return new ApiError(res.status, 'http_error', `The server answered ${res.status} ${res.statusText}.`, res.headers.get('x-request-id') ?? undefined);
  }
}

async function send(method: string, path: string, options: RequestOptions, token?: string): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method === 'POST' && !options.anonymous) headers['idempotency-key'] = crypto.randomUUID();
  try {
    return await fetch(url(path, options.query), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'network_error', 'The API could not be reached. Check your connection and try again.');
  }
}

let refreshing: Promise<SessionTokens | undefined> | undefined;

/** Exchanges the refresh token (rotation); one exchange at a time, shared by concurrent callers. */
export function refreshSession(mode?: Mode): Promise<SessionTokens | undefined> {
  const session = sessionStore.get();
  if (!session) return Promise.resolve(undefined);
  refreshing ??= (async () => {
    try {
      const body: { refresh_token: string; mode?: Mode } = { refresh_token: session.refreshToken };
      if (mode) body.mode = mode;
      const res = await send('POST', '/v1/auth/refresh', { body, anonymous: true });
      if (!res.ok) {
        const err = await parseError(res);
        // The refresh token is gone (expired, revoked, reused): the session is over.
        if (res.status === 401) sessionStore.set(undefined);
        throw err;
      }
      const { data } = (await res.json()) as Envelope<TokenResponse>;
      const next = toSession(data, mode ?? session.mode);
      sessionStore.set(next);
      return next;
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

/** Calls the API and returns the whole success envelope. */
export async function requestEnvelope<T>(method: string, path: string, options: RequestOptions = {}): Promise<Envelope<T>> {
  let res = await send(method, path, options, options.anonymous ? undefined : await accessToken());
  if (res.status === 401 && !options.anonymous) {
    // The access token may have been issued before a clock jump or key change: one refresh, one retry.
    const next = await refreshSession().catch(() => undefined);
    if (next) res = await send(method, path, options, next.accessToken);
  }
  if (!res.ok) throw await parseError(res);
  if (res.status === 204) return { data: undefined as T, meta: { request_id: res.headers.get('x-request-id') ?? '' } };
  return (await res.json()) as Envelope<T>;
}

/** Calls the API and returns the envelope's `data`. */
export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  return (await requestEnvelope<T>(method, path, options)).data;
}

/** Downloads a non-JSON body (exports) with the session's token. */
export async function requestBlob(path: string, query?: Query): Promise<Blob> {
  const res = await send('GET', path, { query }, await accessToken());
  if (!res.ok) throw await parseError(res);
  return res.blob();
}
