/**
 * Webhooks: endpoints (URL, event filters from the catalogue, enabled, the
 * delivery policy: rate limit, in-flight cap, timeout, retry schedule and
 * write-only custom headers), create with the signing secret shown once,
 * edit the policy, rotate secret, enable/disable, send a test event, delete;
 * and per endpoint its stats, the delivery log (status — skipped ones
 * included —, attempts, response code, latency, response body), retry one
 * delivery, and recover a time window in the background with its progress.
 */
import { useEffect, useState, type FormEvent } from 'react';
import {
  DELIVERY_STATUSES,
  type Delivery,
  type DeliveryStatus,
  type Recovery,
  type StatsWindow,
  type Webhook,
  type WebhookPolicy,
  type WebhookWithSecret,
} from '../api/types';
import type { ApiError } from '../api/http';
import {
  createWebhook,
  deleteWebhook,
  getDelivery,
  getRecovery,
  getWebhookStats,
  listDeliveries,
  listEventTypes,
  listWebhooks,
  recoverWebhook,
  retryDelivery,
  rotateWebhookSecret,
  sendTestEvent,
  updateWebhook,
} from '../api/webhooks';
import { ConfirmDialog } from '../components/confirm-dialog';
import { Busy, ErrorMessage, Notice } from '../components/feedback';
import { formatTime } from '../components/format';
import { SecretReveal } from '../components/secret-reveal';
import { Dialog } from '../components/dialog';
import { toApiError, useAction } from '../components/use-action';
import { TableScroll } from '../components/table-scroll';
import { useResource } from '../components/use-resource';
import { ReadOnlyNote, usePermissions } from '../session/permissions';

/** The policy form's text, converted to the API's fields on submit (the API's validation names a bad one). */
interface PolicyDraft {
  rateLimit: string;
  maxInFlight: string;
  timeoutMs: string;
  retrySchedule: string;
  /** `Name: value` per line; values are write-only. */
  headers: string;
  /** Edit only: drop every custom header. */
  clearHeaders: boolean;
  ordering: WebhookPolicy['ordering'];
}

const EMPTY_POLICY: PolicyDraft = { rateLimit: '', maxInFlight: '', timeoutMs: '', retrySchedule: '', headers: '', clearHeaders: false, ordering: 'none' };

function policyDraftOf(w: Webhook): PolicyDraft {
  const text = (n: number | null) => (n === null ? '' : String(n));
  return {
    rateLimit: text(w.rate_limit_per_second),
    maxInFlight: text(w.max_in_flight),
    timeoutMs: text(w.timeout_ms),
    retrySchedule: (w.retry_schedule ?? []).join(', '),
    // Header values are never shown again: only the names exist on this side.
    headers: '',
    clearHeaders: false,
    ordering: w.ordering ?? 'none',
  };
}

/** Lines `Name: value` → a header map; a line without a colon is sent as a name with an empty value, for the API to judge. */
function parseHeaders(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const at = line.indexOf(':');
    out[(at < 0 ? line : line.slice(0, at)).trim()] = at < 0 ? '' : line.slice(at + 1).trim();
  }
  return out;
}

/**
 * The API's policy fields from the form. On create, empty fields are left out
 * (the defaults); on edit, an emptied field is null (back to the default) and
 * headers are sent only when new ones are typed or removal is asked for.
 */
function policyOf(d: PolicyDraft, editing: boolean): Partial<WebhookPolicy> {
  const num = (t: string) => (t.trim() === '' ? null : Number(t));
  const out: Partial<WebhookPolicy> = {};
  const set = <K extends keyof WebhookPolicy>(k: K, v: WebhookPolicy[K]) => {
    if (v !== null || editing) out[k] = v;
  };
  set('rate_limit_per_second', num(d.rateLimit));
  set('max_in_flight', num(d.maxInFlight));
  set('timeout_ms', num(d.timeoutMs));
  const schedule = d.retrySchedule
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  set('retry_schedule', schedule.length ? schedule : null);
  if (d.ordering !== 'none' || editing) out.ordering = d.ordering;
  if (d.clearHeaders) out.headers = null;
  else if (d.headers.trim()) out.headers = parseHeaders(d.headers);
  return out;
}

function PolicyFields({ value, onChange, existingHeaders }: { value: PolicyDraft; onChange: (d: PolicyDraft) => void; existingHeaders?: string[] }) {
  const set = (patch: Partial<PolicyDraft>) => onChange({ ...value, ...patch });
  return (
    <fieldset>
      <legend>Delivery policy (optional)</legend>
      <p className="muted">Empty fields use the service defaults.</p>
      <div className="row">
        <label>
          Rate limit per second
          <input type="number" min={1} max={10000} inputMode="numeric" value={value.rateLimit} onChange={(e) => set({ rateLimit: e.target.value })} />
        </label>
        <label>
          Max in flight
          <input type="number" min={1} max={1000} inputMode="numeric" value={value.maxInFlight} onChange={(e) => set({ maxInFlight: e.target.value })} />
        </label>
        <label>
          Timeout (ms)
          <input type="number" min={1000} max={30000} step={100} inputMode="numeric" value={value.timeoutMs} onChange={(e) => set({ timeoutMs: e.target.value })} />
        </label>
        <label>
          Retry schedule (delays, comma-separated)
          <input placeholder="10s, 1m, 10m, 1h" value={value.retrySchedule} onChange={(e) => set({ retrySchedule: e.target.value })} />
        </label>
      </div>
      <label>
        Ordering
        <select value={value.ordering} onChange={(e) => set({ ordering: e.target.value as PolicyDraft['ordering'] })}>
          <option value="none">none — each delivery independently, as fast as the endpoint allows</option>
          <option value="per_contact">per contact — one at a time per contact, in event order</option>
        </select>
      </label>
      <label>
        {existingHeaders ? 'Replace custom headers (one Name: value per line; empty keeps the current ones)' : 'Custom headers (one Name: value per line)'}
        <textarea
          rows={3}
          spellCheck={false}
          autoComplete="off"
          placeholder="Authorization: Bearer …"
          value={value.headers}
          disabled={value.clearHeaders}
          onChange={(e) => set({ headers: e.target.value })}
        />
      </label>
      <p className="muted">
        Header values are write-only: Sigil sends them with every delivery but never shows them again.
        {existingHeaders && (existingHeaders.length ? ` Current headers: ${existingHeaders.join(', ')}.` : ' No custom headers now.')}
      </p>
      {existingHeaders && existingHeaders.length > 0 && (
        <label className="inline">
          <input type="checkbox" checked={value.clearHeaders} onChange={(e) => set({ clearHeaders: e.target.checked, headers: '' })} />
          Remove all custom headers
        </label>
      )}
    </fieldset>
  );
}

/** What the endpoint's policy is now, in words (defaults named as such; header values never). */
function PolicySummary({ w }: { w: Webhook }) {
  const names = Object.keys(w.headers ?? {});
  const parts = [
    w.rate_limit_per_second !== null ? `${w.rate_limit_per_second}/s` : null,
    w.max_in_flight !== null ? `${w.max_in_flight} in flight` : null,
    w.timeout_ms !== null ? `timeout ${w.timeout_ms} ms` : null,
    w.retry_schedule !== null ? `retries ${w.retry_schedule.length ? w.retry_schedule.join(', ') : 'none'}` : null,
    names.length ? `headers ${names.join(', ')}` : null,
    w.ordering === 'per_contact' ? 'per-contact order' : null,
  ].filter(Boolean);
  return <span className="muted">{parts.length ? parts.join(' · ') : 'default policy'}</span>;
}

function EventPicker({ value, onChange }: { value: string[]; onChange: (v: string[]) => void }) {
  const catalogue = useResource(() => listEventTypes());
  const types = catalogue.data ?? [];
  const families = ['*', ...new Set(types.map((t) => `${t.type.split('.')[0]}.*`))];
  const toggle = (f: string) => onChange(value.includes(f) ? value.filter((x) => x !== f) : [...value, f]);
  const descriptions = new Map(types.map((t) => [t.type, t.description]));
  return (
    <fieldset>
      <legend>Events</legend>
      <p className="muted">Every event (*), a whole family, or single event types.</p>
      <Busy busy={catalogue.loading} label="Loading event types…" />
      <ErrorMessage error={catalogue.error} />
      <div className="checks">
        {[...families, ...types.map((t) => t.type)].map((f) => (
          <label key={f} className="inline" title={descriptions.get(f)}>
            <input type="checkbox" checked={value.includes(f)} onChange={() => toggle(f)} />
            {f === '*' ? '* (all events)' : f}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

function CreateEndpointForm({ onCreated, onCancel }: { onCreated: (w: WebhookWithSecret) => void; onCancel: () => void }) {
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<string[]>(['contact.*']);
  const [description, setDescription] = useState('');
  const [policy, setPolicy] = useState<PolicyDraft>(EMPTY_POLICY);
  const action = useAction(() => createWebhook({ url, events, description: description || undefined, ...policyOf(policy, false) }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const created = await action.run();
    if (created) onCreated(created);
  };
  return (
    <form className="card" onSubmit={(e) => void submit(e)} aria-label="Add an endpoint">
      <label>
        Endpoint URL
        <input type="url" required placeholder="https://example.com/webhooks/sigil" value={url} onChange={(e) => setUrl(e.target.value)} />
      </label>
      <label>
        Description (optional)
        <input maxLength={500} value={description} onChange={(e) => setDescription(e.target.value)} />
      </label>
      <EventPicker value={events} onChange={setEvents} />
      <PolicyFields value={policy} onChange={setPolicy} />
      <ErrorMessage error={action.error} />
      <div className="actions">
        <button type="submit" disabled={action.busy}>
          Add endpoint
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
        <Busy busy={action.busy} label="Adding endpoint…" />
      </div>
    </form>
  );
}

function DeliveryDetailView({ webhookId, delivery, onRetried }: { webhookId: string; delivery: Delivery; onRetried: () => void }) {
  const detail = useResource(() => getDelivery(webhookId, delivery.id), [webhookId, delivery.id, delivery.attempt_count, delivery.status]);
  const retry = useAction(() => retryDelivery(webhookId, delivery.id));
  const [notice, setNotice] = useState<string>();
  const { canWrite } = usePermissions();
  return (
    <div className="card" aria-label={`Delivery ${delivery.id}`} role="region">
      <h3>
        {delivery.event_type} <code>{delivery.id}</code>
      </h3>
      {canWrite && (
        <div className="actions">
          <button
            type="button"
            className="secondary"
            disabled={retry.busy}
            onClick={async () => {
              if ((await retry.run()) !== undefined) {
                setNotice('Delivery queued for another attempt.');
                onRetried();
              }
            }}
          >
            Retry delivery
          </button>
          <Busy busy={retry.busy} label="Queuing retry…" />
        </div>
      )}
      <Notice message={notice} />
      <ErrorMessage error={retry.error ?? detail.error} />
      <TableScroll label="Attempts table">
        <table>
          <caption>Attempts</caption>
          <thead>
            <tr>
              <th scope="col">Attempt</th>
              <th scope="col">Time</th>
              <th scope="col">Response code</th>
              <th scope="col">Latency</th>
              <th scope="col">Response body or error</th>
            </tr>
          </thead>
          <tbody>
            {(detail.data?.attempts ?? []).map((a) => (
              <tr key={a.attempt}>
                <td>#{a.attempt}</td>
                <td>{formatTime(a.attempted_at)}</td>
                <td>{a.status_code ?? '—'}</td>
                <td>{a.latency_ms} ms</td>
                <td>
                  {a.error && <span className="status-failed badge">{a.error}</span>}
                  {a.response_body && <pre>{a.response_body}</pre>}
                </td>
              </tr>
            ))}
            {detail.data && detail.data.attempts.length === 0 && (
              <tr>
                <td colSpan={5}>No attempt yet{delivery.next_attempt_at ? `: next at ${formatTime(delivery.next_attempt_at)}` : ''}.</td>
              </tr>
            )}
          </tbody>
        </table>
      </TableScroll>
      {detail.data && (
        <details>
          <summary>Payload</summary>
          <pre>{JSON.stringify(detail.data.payload, null, 2)}</pre>
        </details>
      )}
    </div>
  );
}

/** The endpoint's deliveries over a window: delivered, failed, retrying, success rate, latency percentiles. */
function StatsPanel({ webhook }: { webhook: Webhook }) {
  const [span, setSpan] = useState<StatsWindow>('24h');
  const stats = useResource(() => getWebhookStats(webhook.id, span), [webhook.id, span]);
  const d = stats.data;
  const pct = (r: number | null | undefined) => (r === null || r === undefined ? '—' : `${(r * 100).toFixed(1)} %`);
  const ms = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${v} ms`);
  return (
    <div role="region" aria-label="Endpoint stats">
      <div className="actions">
        <label className="inline">
          Stats window
          <select value={span} onChange={(e) => setSpan(e.target.value as StatsWindow)}>
            <option value="1h">last hour</option>
            <option value="24h">last 24 hours</option>
            <option value="7d">last 7 days</option>
          </select>
        </label>
        <button type="button" className="secondary" onClick={() => void stats.reload()} disabled={stats.loading}>
          Refresh stats
        </button>
        <Busy busy={stats.loading} label="Loading stats…" />
      </div>
      <ErrorMessage error={stats.error} />
      <dl className="stats">
        {(
          [
            ['Delivered', d?.delivered ?? '—'],
            ['Failed', d?.failed ?? '—'],
            ['Retrying', d?.retrying ?? '—'],
            ['Success rate', pct(d?.success_rate)],
            ['Latency p50', ms(d?.p50_ms)],
            ['Latency p99', ms(d?.p99_ms)],
          ] as const
        ).map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}

/** Follows a background recovery until it completes (the API's `recovered` of `total`). */
function useRecoveryProgress(webhookId: string, started: Recovery | undefined): { recovery: Recovery | undefined; error: ApiError | undefined } {
  const [state, setState] = useState<{ recovery?: Recovery; error?: ApiError }>({});
  useEffect(() => {
    setState({ recovery: started });
    if (!started || started.status === 'completed') return;
    let live = true;
    const timer = setInterval(async () => {
      try {
        const r = await getRecovery(webhookId, started.id);
        if (!live) return;
        setState({ recovery: r });
        if (r.status === 'completed') clearInterval(timer);
      } catch (err) {
        if (live) setState((s) => ({ ...s, error: toApiError(err) }));
        clearInterval(timer);
      }
    }, 1000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [webhookId, started]);
  return { recovery: state.recovery, error: state.error };
}

function RecoverForm({ webhook, onProgress }: { webhook: Webhook; onProgress: () => void }) {
  const local = (ms: number) => {
    const d = new Date(ms);
    return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  };
  const [since, setSince] = useState(() => local(Date.now() - 24 * 3600_000));
  const [until, setUntil] = useState('');
  const recover = useAction(() => recoverWebhook(webhook.id, new Date(since).toISOString(), until ? new Date(until).toISOString() : undefined));
  const [started, setStarted] = useState<Recovery | undefined>();
  const progress = useRecoveryProgress(webhook.id, started);
  const r = progress.recovery;
  useEffect(() => {
    if (r?.status === 'completed') onProgress();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [r?.status]);
  return (
    <form
      className="card"
      aria-label="Recover deliveries"
      onSubmit={async (e) => {
        e.preventDefault();
        const run = await recover.run();
        if (run) setStarted(run);
      }}
    >
      <h3>Recover failed and skipped deliveries</h3>
      <p className="muted">Sends again, in the background, every delivery in the window that failed or was skipped while the endpoint was disabled.</p>
      <div className="row">
        <label>
          Recover since
          <input type="datetime-local" required value={since} onChange={(e) => setSince(e.target.value)} />
        </label>
        <label>
          Until (optional, now by default)
          <input type="datetime-local" value={until} onChange={(e) => setUntil(e.target.value)} />
        </label>
      </div>
      <div className="actions">
        <button type="submit" className="secondary" disabled={recover.busy || r?.status === 'running'}>
          Recover
        </button>
        <Busy busy={recover.busy} label="Starting recovery…" />
      </div>
      <ErrorMessage error={recover.error ?? progress.error} />
      {r && (
        <div role="status" aria-live="polite" aria-label="Recovery progress">
          <progress max={Math.max(r.total, 1)} value={r.total === 0 ? 1 : r.recovered} aria-label="Recovered deliveries" />{' '}
          {r.status === 'completed'
            ? `Recovery complete: ${r.recovered} of ${r.total} deliveries queued again.`
            : `Recovering: ${r.recovered} of ${r.total} deliveries queued again…`}
        </div>
      )}
    </form>
  );
}

function DeliveryLog({ webhook }: { webhook: Webhook }) {
  const [page, setPage] = useState(1);
  const [status, setStatus] = useState<DeliveryStatus | ''>('');
  const deliveries = useResource(() => listDeliveries(webhook.id, page, status || undefined), [webhook.id, page, status]);
  const [open, setOpen] = useState<string | undefined>();
  const rows = deliveries.data?.data ?? [];
  const selected = rows.find((d) => d.id === open);
  const { canWrite } = usePermissions();
  return (
    <section className="card" aria-labelledby="log-title">
      <h2 id="log-title">Delivery log · {webhook.url}</h2>
      <StatsPanel webhook={webhook} />
      {canWrite && <RecoverForm webhook={webhook} onProgress={() => void deliveries.reload()} />}
      <div className="actions">
        <label className="inline">
          Status
          <select
            value={status}
            onChange={(e) => {
              setPage(1);
              setStatus(e.target.value as DeliveryStatus | '');
            }}
          >
            <option value="">all</option>
            {DELIVERY_STATUSES.map((st) => (
              <option key={st}>{st}</option>
            ))}
          </select>
        </label>
        <button type="button" className="secondary" onClick={() => void deliveries.reload()} disabled={deliveries.loading}>
          Refresh log
        </button>
        <Busy busy={deliveries.loading} label="Loading deliveries…" />
      </div>
      <ErrorMessage error={deliveries.error} />
      <TableScroll label="Deliveries table">
        <table>
          <caption className="sr-only">Deliveries to this endpoint, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">Status</th>
              <th scope="col">Attempts</th>
              <th scope="col">Response code</th>
              <th scope="col">Created</th>
              <th scope="col">
                <span className="sr-only">Details</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((d) => (
              <tr key={d.id} className={d.id === open ? 'selected' : undefined}>
                <th scope="row">{d.event_type}</th>
                <td>
                  <span className={`badge status-${d.status}`} title={d.status === 'skipped' ? 'The endpoint was disabled: Recover sends it' : undefined}>
                    {d.status}
                  </span>
                </td>
                <td>{d.attempt_count}</td>
                <td>{d.last_status_code ?? '—'}</td>
                <td>{formatTime(d.created_at)}</td>
                <td>
                  <button type="button" className="secondary" aria-expanded={d.id === open} onClick={() => setOpen(d.id === open ? undefined : d.id)}>
                    {d.id === open ? 'Hide attempts' : 'Show attempts'}
                  </button>
                </td>
              </tr>
            ))}
            {!deliveries.loading && rows.length === 0 && (
              <tr>
                <td colSpan={6}>No deliveries yet. Send a test event to see one.</td>
              </tr>
            )}
          </tbody>
        </table>
      </TableScroll>
      <div className="actions">
        <button type="button" className="secondary" disabled={page <= 1} onClick={() => setPage(page - 1)}>
          Newer
        </button>
        <button type="button" className="secondary" disabled={!deliveries.data?.meta.has_more} onClick={() => setPage(page + 1)}>
          Older
        </button>
      </div>
      {selected && <DeliveryDetailView webhookId={webhook.id} delivery={selected} onRetried={() => void deliveries.reload()} />}
    </section>
  );
}

export function WebhooksPage() {
  const { canWrite } = usePermissions();
  const endpoints = useResource(() => listWebhooks());
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<{ webhook: WebhookWithSecret; rotated: boolean } | undefined>();
  const [selectedId, setSelectedId] = useState<string | undefined>();
  const [deleting, setDeleting] = useState<Webhook | undefined>();
  const [notice, setNotice] = useState<string>();
  const test = useAction((w: Webhook) => sendTestEvent(w.id));
  const toggle = useAction((w: Webhook) => updateWebhook(w.id, { enabled: !w.enabled }));
  const rotate = useAction((w: Webhook) => rotateWebhookSecret(w.id));
  const [editing, setEditing] = useState<Webhook | undefined>();
  const [policy, setPolicy] = useState<PolicyDraft>(EMPTY_POLICY);
  const edit = useAction((w: Webhook, d: PolicyDraft) => updateWebhook(w.id, policyOf(d, true)));
  const remove = useAction(async (w: Webhook) => {
    await deleteWebhook(w.id);
    return true;
  });
  const rows = endpoints.data?.data ?? [];
  const selected = rows.find((w) => w.id === selectedId);
  const rowError = test.error ?? toggle.error ?? rotate.error;

  return (
    <section aria-labelledby="page-title">
      <div className="page-head">
        <h1 id="page-title" tabIndex={-1}>
          Webhooks
        </h1>
        <p className="muted">Signed POSTs (Standard Webhooks) to your endpoints when data changes.</p>
        {canWrite && (
          <button
            type="button"
            disabled={creating}
            onClick={() => {
              setCreating(true);
              setSecret(undefined);
            }}
          >
            Add endpoint
          </button>
        )}
      </div>
      <ReadOnlyNote />
      <Notice message={notice} />
      {creating && (
        <CreateEndpointForm
          onCancel={() => setCreating(false)}
          onCreated={(w) => {
            setCreating(false);
            setSecret({ webhook: w, rotated: false });
            setSelectedId(w.id);
            setNotice(`Endpoint ${w.url} added.`);
            void endpoints.reload();
          }}
        />
      )}
      {secret && (
        <div className="card highlight">
          <h2>{secret.rotated ? 'New signing secret' : 'Signing secret of the new endpoint'}</h2>
          <SecretReveal
            label="Signing secret"
            secret={secret.webhook.secret}
            note={
              secret.rotated
                ? 'Copy it now: it is shown only once. The old secret keeps signing for 24 hours.'
                : 'Copy it now: it is shown only once. Verify every delivery with it.'
            }
          />
          <button type="button" className="secondary" onClick={() => setSecret(undefined)}>
            Done
          </button>
        </div>
      )}
      <ErrorMessage error={endpoints.error ?? rowError} />
      <Busy busy={endpoints.loading || test.busy || toggle.busy || rotate.busy} label="Working…" />
      <TableScroll label="Endpoints table">
        <table>
          <caption className="sr-only">Webhook endpoints</caption>
          <thead>
            <tr>
              <th scope="col">URL</th>
              <th scope="col">Events</th>
              <th scope="col">Status</th>
              <th scope="col">Created</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((w) => (
              <tr key={w.id} className={w.id === selectedId ? 'selected' : undefined}>
                <th scope="row">
                  <code>{w.url}</code>
                  {w.description && <div className="muted">{w.description}</div>}
                  <div>
                    <PolicySummary w={w} />
                  </div>
                </th>
                <td>{w.events.join(', ')}</td>
                <td>
                  <span className={`badge status-${w.enabled ? 'active' : 'disabled'}`}>{w.enabled ? 'enabled' : 'disabled'}</span>
                  {w.disabled_reason && <div className="muted">{w.disabled_reason}</div>}
                </td>
                <td>{formatTime(w.created_at)}</td>
                <td className="row-actions">
                  <button type="button" className="secondary" aria-pressed={w.id === selectedId} onClick={() => setSelectedId(w.id === selectedId ? undefined : w.id)}>
                    Deliveries
                  </button>
                  {canWrite && (
                    <>
                      <button
                        type="button"
                        className="secondary"
                        disabled={test.busy}
                        onClick={async () => {
                          if ((await test.run(w)) !== undefined) {
                            setNotice(`Test event sent to ${w.url}.`);
                            setSelectedId(w.id);
                          }
                        }}
                      >
                        Send test event
                      </button>
                      <button
                        type="button"
                        className="secondary"
                        disabled={toggle.busy}
                        onClick={async () => {
                          if (await toggle.run(w)) {
                            setNotice(`Endpoint ${w.enabled ? 'disabled' : 'enabled'}.`);
                            void endpoints.reload();
                          }
                        }}
                      >
                        {w.enabled ? 'Disable' : 'Enable'}
                      </button>
                      <button
                        type="button"
                        className="secondary"
                        onClick={() => {
                          edit.clearError();
                          setPolicy(policyDraftOf(w));
                          setEditing(w);
                        }}
                      >
                        Edit policy
                      </button>
                      <button
                        type="button"
                        className="secondary"
                        disabled={rotate.busy}
                        onClick={async () => {
                          const r = await rotate.run(w);
                          if (r) setSecret({ webhook: r, rotated: true });
                        }}
                      >
                        Rotate secret
                      </button>
                      <button
                        type="button"
                        className="danger"
                        onClick={() => {
                          remove.clearError();
                          setDeleting(w);
                        }}
                      >
                        Delete
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
            {!endpoints.loading && rows.length === 0 && (
              <tr>
                <td colSpan={5}>No endpoints yet. Add one to receive events.</td>
              </tr>
            )}
          </tbody>
        </table>
      </TableScroll>
      {selected && <DeliveryLog key={selected.id} webhook={selected} />}
      <Dialog open={!!editing} title="Delivery policy" onClose={() => setEditing(undefined)}>
        <p>
          <code>{editing?.url}</code>
        </p>
        <form
          onSubmit={async (e) => {
            e.preventDefault();
            const w = editing && (await edit.run(editing, policy));
            if (w) {
              setEditing(undefined);
              setNotice(`Delivery policy of ${w.url} saved.`);
              void endpoints.reload();
            }
          }}
        >
          <PolicyFields value={policy} onChange={setPolicy} existingHeaders={Object.keys(editing?.headers ?? {})} />
          <ErrorMessage error={edit.error} />
          <div className="actions">
            <button type="submit" disabled={edit.busy}>
              Save policy
            </button>
            <button type="button" className="secondary" onClick={() => setEditing(undefined)}>
              Cancel
            </button>
            <Busy busy={edit.busy} label="Saving policy…" />
          </div>
        </form>
      </Dialog>
      <ConfirmDialog
        open={!!deleting}
        title="Delete this endpoint?"
        confirmLabel="Delete endpoint"
        busy={remove.busy}
        error={remove.error}
        onCancel={() => setDeleting(undefined)}
        onConfirm={async () => {
          const w = deleting;
          if (!w || !(await remove.run(w))) return;
          setDeleting(undefined);
          if (selectedId === w.id) setSelectedId(undefined);
          setNotice(`Endpoint ${w.url} deleted.`);
          void endpoints.reload();
        }}
      >
        <p>
          <code>{deleting?.url}</code> stops receiving events; pending deliveries are dropped.
        </p>
      </ConfirmDialog>
    </section>
  );
}
