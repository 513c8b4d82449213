/**
 * Webhooks: endpoints (URL, event filters from the catalogue, enabled), create
 * with the signing secret shown once, rotate secret, enable/disable, send a
 * test event, delete; and per endpoint the delivery log (status, attempts,
 * response code, latency, response body), retry one delivery, recover since a time.
 */
import { useState, type FormEvent } from 'react';
import type { Delivery, Webhook, WebhookWithSecret } from '../api/types';
import {
  createWebhook,
  deleteWebhook,
  getDelivery,
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
import { useAction } from '../components/use-action';
import { TableScroll } from '../components/table-scroll';
import { useResource } from '../components/use-resource';

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
  const action = useAction(() => createWebhook({ url, events, description: description || undefined }));
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
  return (
    <div className="card" aria-label={`Delivery ${delivery.id}`} role="region">
      <h3>
        {delivery.event_type} <code>{delivery.id}</code>
      </h3>
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

function DeliveryLog({ webhook }: { webhook: Webhook }) {
  const [page, setPage] = useState(1);
  const deliveries = useResource(() => listDeliveries(webhook.id, page), [webhook.id, page]);
  const [open, setOpen] = useState<string | undefined>();
  const [since, setSince] = useState(() => new Date(Date.now() - 24 * 3600_000).toISOString().slice(0, 16));
  const recover = useAction(() => recoverWebhook(webhook.id, new Date(since).toISOString()));
  const [notice, setNotice] = useState<string>();
  const rows = deliveries.data?.data ?? [];
  const selected = rows.find((d) => d.id === open);
  return (
    <section className="card" aria-labelledby="log-title">
      <h2 id="log-title">Delivery log · {webhook.url}</h2>
      <div className="actions">
        <button type="button" className="secondary" onClick={() => void deliveries.reload()} disabled={deliveries.loading}>
          Refresh log
        </button>
        <Busy busy={deliveries.loading} label="Loading deliveries…" />
      </div>
      <form
        className="actions"
        onSubmit={async (e) => {
          e.preventDefault();
          const r = await recover.run();
          if (r) {
            setNotice(`${r.total} failed or skipped deliveries since ${formatTime(new Date(since).toISOString())} are being sent again.`);
            void deliveries.reload();
          }
        }}
      >
        <label>
          Recover failed deliveries since
          <input type="datetime-local" required value={since} onChange={(e) => setSince(e.target.value)} />
        </label>
        <button type="submit" className="secondary" disabled={recover.busy}>
          Recover
        </button>
        <Busy busy={recover.busy} label="Recovering…" />
      </form>
      <Notice message={notice} />
      <ErrorMessage error={deliveries.error ?? recover.error} />
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
                  <span className={`badge status-${d.status}`}>{d.status}</span>
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
  const endpoints = useResource(() => listWebhooks());
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<{ webhook: WebhookWithSecret; rotated: boolean } | undefined>();
  const [selectedId, setSelectedId] = useState<string | undefined>();
  const [deleting, setDeleting] = useState<Webhook | undefined>();
  const [notice, setNotice] = useState<string>();
  const test = useAction((w: Webhook) => sendTestEvent(w.id));
  const toggle = useAction((w: Webhook) => updateWebhook(w.id, { enabled: !w.enabled }));
  const rotate = useAction((w: Webhook) => rotateWebhookSecret(w.id));
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
      </div>
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
