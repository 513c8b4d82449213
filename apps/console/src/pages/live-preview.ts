/**
 * The segment builder's live preview, apart from React so it is unit tested
 * (live-preview.spec.ts): each change of the rules asks for a preview after
 * a short pause; the last rules win (an answer for older rules, late or
 * retried, never replaces a newer one); a 429 waits for the API's
 * `Retry-After` (bounded) and retries, counting the wait down in the state
 * the page shows ("rate limited, retrying in N s").
 */

/** What the page needs of an error: its HTTP status, and the `Retry-After` seconds of a 429. */
export interface PreviewFailure {
  status: number;
  retryAfterSeconds?: number;
}

export interface PreviewState<T, E extends PreviewFailure> {
  /** The preview of the current rules (kept while newer ones are being asked for, dropped during a rate-limit wait). */
  result?: T;
  error?: E;
  busy: boolean;
  /** Whole seconds until the next attempt after a 429; undefined when not waiting. */
  retryInSeconds?: number;
}

export interface LivePreviewOptions {
  /** The pause after a change before asking (typing does not send a request per key). */
  debounceMs: number;
  /** Retries after 429s for one set of rules, before the 429 is shown as the error. */
  maxRetries: number;
  /** The longest wait honoured; a longer `Retry-After` waits this long, then tries again. */
  maxWaitSeconds: number;
  /** The wait when a 429 names none. */
  defaultWaitSeconds: number;
  /** Resolves after `ms`, or as soon as `signal` aborts. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
}

export const DEFAULT_LIVE_PREVIEW_OPTIONS: LivePreviewOptions = {
  debounceMs: 400,
  maxRetries: 5,
  maxWaitSeconds: 30,
  defaultWaitSeconds: 2,
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const timer = setTimeout(resolve, ms);
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    }),
};

/** The wait before retrying a 429: its `Retry-After` in whole seconds, at least 1, at most `maxWaitSeconds`. */
export function retryWaitSeconds(retryAfterSeconds: number | undefined, options: Pick<LivePreviewOptions, 'maxWaitSeconds' | 'defaultWaitSeconds'>): number {
  const wanted = retryAfterSeconds !== undefined && Number.isFinite(retryAfterSeconds) ? Math.ceil(retryAfterSeconds) : options.defaultWaitSeconds;
  return Math.min(options.maxWaitSeconds, Math.max(1, wanted));
}

export class LivePreview<Q, T, E extends PreviewFailure> {
  private readonly options: LivePreviewOptions;
  private generation = 0;
  private controller: AbortController | undefined;
  private state: PreviewState<T, E> = { busy: false };

  constructor(
    private readonly fetchPreview: (query: Q) => Promise<T>,
    private readonly toFailure: (err: unknown) => E,
    private readonly onState: (state: PreviewState<T, E>) => void,
    options: Partial<LivePreviewOptions> = {},
  ) {
    this.options = { ...DEFAULT_LIVE_PREVIEW_OPTIONS, ...options };
  }

  /** New rules: whatever was pending for the previous ones (the pause, a wait, an answer in flight) is abandoned. */
  update(query: Q): void {
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    const generation = ++this.generation;
    this.emit({ result: this.state.result, busy: true });
    void this.run(query, controller.signal, () => generation === this.generation);
  }

  /** The page is gone: nothing more is asked or reported. */
  dispose(): void {
    this.generation++;
    this.controller?.abort();
  }

  private async run(query: Q, signal: AbortSignal, isCurrent: () => boolean): Promise<void> {
    const { sleep, debounceMs, maxRetries } = this.options;
    await sleep(debounceMs, signal);
    for (let attempt = 0; isCurrent(); attempt++) {
      try {
        const result = await this.fetchPreview(query);
        if (isCurrent()) this.emit({ result, busy: false });
        return;
      } catch (err) {
        if (!isCurrent()) return;
        const failure = this.toFailure(err);
        if (failure.status !== 429 || attempt >= maxRetries) {
          this.emit({ error: failure, busy: false });
          return;
        }
        // The count of other rules must not look like this one's while it waits.
        for (let left = retryWaitSeconds(failure.retryAfterSeconds, this.options); left > 0 && isCurrent(); left--) {
          this.emit({ busy: true, retryInSeconds: left });
          await sleep(1000, signal);
        }
      }
    }
  }

  private emit(state: PreviewState<T, E>): void {
    this.state = state;
    this.onState(state);
  }
}
