/**
 * Lists: static lists with their member counts, create, add members by
 * contact id, export (CSV or NDJSON, streamed by the API) and delete (confirmed).
 */
import { useState, type FormEvent } from 'react';
import { addListMembers, createList, deleteList, exportList, listLists } from '../api/lists';
import type { List } from '../api/types';
import { ConfirmDialog } from '../components/confirm-dialog';
import { Busy, ErrorMessage, Notice } from '../components/feedback';
import { formatTime } from '../components/format';
import { useAction } from '../components/use-action';
import { TableScroll } from '../components/table-scroll';
import { useResource } from '../components/use-resource';
import { ReadOnlyNote, usePermissions } from '../session/permissions';

/** Hands a downloaded body to the browser as a file (an object URL, revoked right after). */
function saveFile(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function ListsPage() {
  const { canWrite } = usePermissions();
  const lists = useResource(() => listLists());
  const [name, setName] = useState('');
  const [format, setFormat] = useState<'csv' | 'ndjson'>('csv');
  const [deleting, setDeleting] = useState<List | undefined>();
  const [notice, setNotice] = useState<string>();
  const create = useAction(() => createList({ name }));
  const [includeUnsubscribed, setIncludeUnsubscribed] = useState(false);
  const exporter = useAction(async (l: List) => {
    saveFile(await exportList(l.id, format, includeUnsubscribed), `${l.name.replace(/[^\w.-]+/g, '_')}.${format}`);
    return true;
  });
  const [target, setTarget] = useState('');
  const [ids, setIds] = useState('');
  const adder = useAction(() =>
    addListMembers(
      target,
      ids
        .split(/[\s,]+/)
        .map((id) => id.trim())
        .filter(Boolean),
    ),
  );
  const addMembers = async (e: FormEvent) => {
    e.preventDefault();
    const res = await adder.run();
    if (!res) return;
    const counts = new Map<string, number>();
    for (const r of res.results) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
    const label: Record<string, string> = { added: 'added', already_member: 'already members', not_found: 'not found' };
    setNotice(`Members: ${[...counts].map(([status, n]) => `${n} ${label[status] ?? status}`).join(', ')}.`);
    setIds('');
    void lists.reload();
  };
  const remove = useAction(async (l: List) => {
    await deleteList(l.id);
    return true;
  });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const l = await create.run();
    if (l) {
      setName('');
      setNotice(`List ${l.name} created.`);
      void lists.reload();
    }
  };
  const rows = lists.data?.data ?? [];
  return (
    <section aria-labelledby="page-title">
      <div className="page-head">
        <h1 id="page-title" tabIndex={-1}>
          Lists
        </h1>
        <p className="muted">Static lists: contacts are added and removed explicitly.</p>
      </div>
      <ReadOnlyNote />
      {canWrite && (
        <form className="card actions" onSubmit={(e) => void submit(e)} aria-label="Create a list">
          <label>
            List name
            <input required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
          </label>
          <button type="submit" disabled={create.busy}>
            Create list
          </button>
          <Busy busy={create.busy} label="Creating…" />
        </form>
      )}
      {canWrite && (
        <form className="card actions" onSubmit={(e) => void addMembers(e)} aria-label="Add members to a list">
          <label>
            List
            <select required value={target} onChange={(e) => setTarget(e.target.value)}>
              <option value="">Choose a list</option>
              {rows.map((l) => (
                <option key={l.id} value={l.id}>
                  {l.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Contact ids (separated by spaces, commas or lines; up to 1 000)
            <textarea required rows={2} value={ids} onChange={(e) => setIds(e.target.value)} />
          </label>
          <button type="submit" disabled={adder.busy}>
            Add members
          </button>
          <Busy busy={adder.busy} label="Adding…" />
        </form>
      )}
      <ErrorMessage error={create.error ?? adder.error ?? lists.error ?? exporter.error} />
      <Notice message={notice} />
      <div className="actions">
        <label>
          Export format
          <select value={format} onChange={(e) => setFormat(e.target.value as 'csv' | 'ndjson')}>
            <option value="csv">CSV</option>
            <option value="ndjson">NDJSON</option>
          </select>
        </label>
        <label>
          <input type="checkbox" checked={includeUnsubscribed} onChange={(e) => setIncludeUnsubscribed(e.target.checked)} /> Include unsubscribed and suppressed contacts
        </label>
        <Busy busy={exporter.busy || lists.loading} label={exporter.busy ? 'Exporting…' : 'Loading lists…'} />
      </div>
      <TableScroll label="Lists table">
        <table>
          <caption className="sr-only">Lists</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Members</th>
              <th scope="col">Created</th>
              <th scope="col">Id</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((l) => (
              <tr key={l.id}>
                <th scope="row">{l.name}</th>
                <td>{l.member_count.toLocaleString()}</td>
                <td>{formatTime(l.created_at)}</td>
                <td>
                  <code>{l.id}</code>
                </td>
                <td className="row-actions">
                  <button type="button" className="secondary" disabled={exporter.busy} onClick={() => void exporter.run(l)}>
                    Export
                  </button>
                  {canWrite && (
                    <button
                      type="button"
                      className="danger"
                      onClick={() => {
                        remove.clearError();
                        setDeleting(l);
                      }}
                    >
                      Delete
                    </button>
                  )}
                </td>
              </tr>
            ))}
            {!lists.loading && rows.length === 0 && (
              <tr>
                <td colSpan={5}>No lists yet.</td>
              </tr>
            )}
          </tbody>
        </table>
      </TableScroll>
      <ConfirmDialog
        open={!!deleting}
        title={`Delete ${deleting?.name ?? 'list'}?`}
        confirmLabel="Delete list"
        busy={remove.busy}
        error={remove.error}
        onCancel={() => setDeleting(undefined)}
        onConfirm={async () => {
          const l = deleting;
          if (!l || !(await remove.run(l))) return;
          setDeleting(undefined);
          setNotice(`List ${l.name} deleted.`);
          void lists.reload();
        }}
      >
        <p>The list and its memberships are deleted; the contacts stay.</p>
      </ConfirmDialog>
    </section>
  );
}
