/** A small HTTP client for e2e tests: JSON in/out, status, headers. */
export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly defaultHeaders: Record<string, string> = {},
  ) {}

  withHeaders(headers: Record<string, string>): ApiClient {
    return new ApiClient(this.baseUrl, { ...this.defaultHeaders, ...headers });
  }

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    const init: RequestInit = { method, headers: { ...this.defaultHeaders, ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${this.baseUrl}${path}`, init);
    return responseOf<T>(res);
  }

  get<T = any>(path: string, headers?: Record<string, string>) {
    return this.request<T>('GET', path, undefined, headers);
  }
  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', path, body ?? {}, headers);
  }
  put<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('PUT', path, body ?? {}, headers);
  }
  patch<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('PATCH', path, body ?? {}, headers);
  }
  delete<T = any>(path: string, headers?: Record<string, string>) {
    return this.request<T>('DELETE', path, undefined, headers);
  }

  /** A multipart upload as `POST /v1/imports` takes it: the JSON `options` part, then the `file` part. */
  async upload<T = any>(path: string, options: unknown, file: Blob | Buffer | string, filename = 'contacts.csv', headers: Record<string, string> = {}) {
    const form = new FormData();
    form.append('options', typeof options === 'string' ? options : JSON.stringify(options));
    form.append('file', file instanceof Blob ? file : new Blob([file]), filename);
    const res = await fetch(`${this.baseUrl}${path}`, { method: 'POST', headers: { ...this.defaultHeaders, ...headers }, body: form });
    return responseOf<T>(res);
  }
}

async function responseOf<T>(res: Response): Promise<ApiResponse<T>> {
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: leave as text
  }
  return { status: res.status, headers: res.headers, body: parsed as T };
}
