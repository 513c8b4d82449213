/**
 * The platform the chaos and soak suites load: every service its own
 * process (TestStack), one tenant, webhook endpoints subscribed to contact
 * events on a local receiver, and a segment of the contacts tagged `vip`.
 * Rate limiting is off: the suites measure faults and capacity, not 429s.
 */
import { createTenant, TestStack, WebhookReceiver, type ApiClient, type ApiResponse, type StackOptions, type TestTenant } from '@sigil/testing';

export interface ReliabilityStack {
  stack: TestStack;
  tenant: TestTenant;
  receiver: WebhookReceiver;
  /** Receiver paths of the subscribed endpoints. */
  endpoints: Array<{ id: string; path: string; secret: string }>;
  segmentId: string;
  close(): Promise<void>;
}

export const SEGMENT_TAG = 'vip';

export async function startReliabilityStack(
  options: { endpoints?: number; webhookTimeout?: string; webhookEnv?: Record<string, string> } = {},
): Promise<ReliabilityStack> {
  const receiver = await WebhookReceiver.start();
  const stack = await startWithRetries({
    serviceEnv: {
      gateway: { RATE_LIMIT_ENABLED: 'false' },
      webhooks: {
        WEBHOOK_ALLOW_HTTP: 'true',
        WEBHOOK_ALLOWED_PRIVATE_CIDRS: '127.0.0.0/8',
        // Enough quick attempts to outlast a one-minute receiver stall within the audit window.
        WEBHOOK_RETRY_SCHEDULE: '1s,2s,4s,8s,15s,20s,30s,30s,30s,30s,60s',
        WEBHOOK_RETRY_JITTER: '0',
        WEBHOOK_TIMEOUT: options.webhookTimeout ?? '5s',
        ...options.webhookEnv,
      },
    },
  });
  try {
    const tenant = await createTenant(stack.gatewayUrl);
    const endpoints: ReliabilityStack['endpoints'] = [];
    for (let i = 0; i < (options.endpoints ?? 2); i++) {
      const path = `/endpoint-${i + 1}`;
      const res = await tenant.api.post('/v1/webhooks', { url: receiver.url(path), events: ['contact.*'], description: `reliability ${i + 1}` });
      if (res.status !== 201) throw new Error(`webhook endpoint: ${res.status} ${JSON.stringify(res.body)}`);
      receiver.expectSecrets(path, [res.body.data.secret]);
      endpoints.push({ id: res.body.data.id, path, secret: res.body.data.secret });
    }
    const segment = await tenant.api.post('/v1/segments', { name: 'vip', rules: { tag: SEGMENT_TAG, op: 'has' } });
    if (segment.status !== 201) throw new Error(`segment: ${segment.status} ${JSON.stringify(segment.body)}`);
    return {
      stack,
      tenant,
      receiver,
      endpoints,
      segmentId: segment.body.data.id,
      close: async () => {
        await stack.close();
        await receiver.close();
      },
    };
  } catch (err) {
    await stack.close();
    await receiver.close();
    throw err;
  }
}

/** On a loaded machine a service can miss TestStack's start deadline; a fresh attempt usually makes it. */
async function startWithRetries(options: StackOptions, attempts = 3): Promise<TestStack> {
  for (let i = 1; ; i++) {
    try {
      return await TestStack.start(options);
    } catch (err) {
      if (i >= attempts) throw err;
      console.error(`stack start failed (attempt ${i} of ${attempts}), retrying: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    }
  }
}

/** Every item of a cursor-paginated listing. */
export async function listAll<T>(api: ApiClient, path: string): Promise<T[]> {
  const items: T[] = [];
  let url: string | undefined = `${path}${path.includes('?') ? '&' : '?'}limit=100`;
  while (url) {
    const res: ApiResponse = await api.get(url);
    if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${JSON.stringify(res.body)}`);
    items.push(...(res.body.data as T[]));
    url = res.body.meta?.has_more && res.body.links?.next ? res.body.links.next : undefined;
  }
  return items;
}
