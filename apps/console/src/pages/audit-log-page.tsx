/**
 * Audit log: who changed what and when, from where (changes made through the
 * API and sign-ins), newest first, with filters (action, actor, resource,
 * time range) and cursor paging; an entry opens to its before/after changes.
 */
import { useState, type FormEvent } from 'react';
import { listAuditLog, type AuditFilters } from '../api/audit-log';
import type { AuditEntry } from '../api/types';
import { Busy, ErrorMessage } from '../components/feedback';
import { formatTime } from '../components/format';
import { TableScroll } from '../components/table-scroll';
import { useResource } from '../components/use-resource';

/** A datetime-local value (the user's time) as an ISO instant, or undefined when empty. */
function instant(local: string): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

function actorLabel(e: AuditEntry): string {
  return `${e.actor.type === 'api_key' ? 'API key' : 'User'} ${e.actor.id}`;
}

function Changes({ entry }: { entry: AuditEntry }) {
  return (
    <div className="card" aria-label={`Changes of ${entry.action}`} role="region">
      <h2>
        {entry.action} <span className="muted">{formatTime(entry.occurred_at)}</span>
      </h2>
      <dl className="detail">
        <dt>Request id</dt>
        <dd>{entry.request_id ?? '—'}</dd>
        <dt>User agent</dt>
        <dd>{entry.user_agent ?? '—'}</dd>
        <dt>Mode</dt>
        <dd>{entry.mode}</dd>
      </dl>
      <div className="row">
        <figure>
          <figcaption>Before</figcaption>
          <pre>{JSON.stringify(entry.changes.before, null, 2) ?? 'null'}</pre>
        </figure>
        <figure>
          <figcaption>After</figcaption>
          <pre>{JSON.stringify(entry.changes.after, null, 2) ?? 'null'}</pre>
        </figure>
      </div>
    </div>
  );
}

export function AuditLogPage() {
  const [draft, setDraft] = useState({ action: '', actor_id: '', resource_id: '', since: '', until: '' });
  const [filters, setFilters] = useState<AuditFilters>({});
  // Cursors of the pages before the current one: Previous pops, Next pushes.
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const [open, setOpen] = useState<string>();
  const log = useResource(() => listAuditLog(filters, cursor), [filters, cursor]);
  const rows = log.data?.data ?? [];
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilters({
      action: draft.action.trim() || undefined,
      actor_id: draft.actor_id.trim() || undefined,
      resource_id: draft.resource_id.trim() || undefined,
      since: instant(draft.since),
      until: instant(draft.until),
    });
    setCursors([]);
    setOpen(undefined);
  };
  const field = (name: keyof typeof draft) => ({ value: draft[name], onChange: (e: { target: { value: string } }) => setDraft({ ...draft, [name]: e.target.value }) });
  const opened = rows.find((r) => r.id === open);
  return (
    <section aria-labelledby="page-title">
      <div className="page-head">
        <h1 id="page-title" tabIndex={-1}>
          Audit log
        </h1>
        <p className="muted">Changes made through the API and every sign-in, newest first. Kept one year; no one can edit or delete an entry.</p>
      </div>
      <form className="card row" onSubmit={apply} aria-label="Filter the audit log">
        <label>
          Action
          <input placeholder="api_key.revoked" maxLength={64} {...field('action')} />
        </label>
        <label>
          Actor id
          <input placeholder="key_… or usr_…" maxLength={64} {...field('actor_id')} />
        </label>
        <label>
          Resource id
          <input maxLength={255} {...field('resource_id')} />
        </label>
        <label>
          Since
          <input type="datetime-local" {...field('since')} />
        </label>
        <label>
          Until
          <input type="datetime-local" {...field('until')} />
        </label>
        <div className="actions">
          <button type="submit">Apply filters</button>
        </div>
      </form>
      <ErrorMessage error={log.error} />
      <Busy busy={log.loading} label="Loading the audit log…" />
      <TableScroll label="Audit log entries">
        <table>
          <caption>Audit log entries</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Action</th>
              <th scope="col">Actor</th>
              <th scope="col">Resource</th>
              <th scope="col">IP</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => (
              <tr key={e.id} className={e.id === open ? 'selected' : undefined}>
                <td>{formatTime(e.occurred_at)}</td>
                <th scope="row">
                  <button type="button" className="link" aria-pressed={e.id === open} onClick={() => setOpen(e.id === open ? undefined : e.id)}>
                    {e.action}
                  </button>
                </th>
                <td>{actorLabel(e)}</td>
                <td>{e.resource.id ? `${e.resource.type} ${e.resource.id}` : e.resource.type}</td>
                <td>{e.ip ?? '—'}</td>
              </tr>
            ))}
            {!log.loading && rows.length === 0 && (
              <tr>
                <td colSpan={5}>No entries match.</td>
              </tr>
            )}
          </tbody>
        </table>
      </TableScroll>
      <div className="actions">
        <button type="button" className="secondary" disabled={!cursors.length} onClick={() => setCursors(cursors.slice(0, -1))}>
          Newer entries
        </button>
        <span>Page {cursors.length + 1}</span>
        <button
          type="button"
          className="secondary"
          disabled={!log.data?.meta.has_more || !log.data.meta.next_cursor}
          onClick={() => log.data?.meta.next_cursor && setCursors([...cursors, log.data.meta.next_cursor])}
        >
          Older entries
        </button>
      </div>
      {opened && <Changes entry={opened} />}
    </section>
  );
}
