/**
 * Contacts: search, a paged table, and a contact's detail (fields, tags,
 * custom fields, segments, activities) with edit and delete (confirmed).
 */
import { useState, type FormEvent } from 'react';
import { deleteContact, getContact, listActivities, listContactSegments, listContacts, updateContact } from '../api/contacts';
import type { Contact } from '../api/types';
import { ConfirmDialog } from '../components/confirm-dialog';
import { Busy, ErrorMessage, Notice } from '../components/feedback';
import { formatTime } from '../components/format';
import { useAction } from '../components/use-action';
import { TableScroll } from '../components/table-scroll';
import { useResource } from '../components/use-resource';
import { ReadOnlyNote, usePermissions } from '../session/permissions';

const PAGE_SIZE = 25;

function fullName(c: Contact): string {
  return [c.first_name, c.last_name].filter(Boolean).join(' ') || '—';
}

function EditContactForm({ contact, onSaved, onCancel }: { contact: Contact; onSaved: (c: Contact) => void; onCancel: () => void }) {
  const [firstName, setFirstName] = useState(contact.first_name ?? '');
  const [lastName, setLastName] = useState(contact.last_name ?? '');
  const [phone, setPhone] = useState(contact.phone ?? '');
  const [tags, setTags] = useState(contact.tags.join(', '));
  const save = useAction(() =>
    updateContact(contact.id, {
      first_name: firstName || null,
      last_name: lastName || null,
      phone: phone || null,
      tags: tags
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    }),
  );
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const c = await save.run();
    if (c) onSaved(c);
  };
  return (
    <form onSubmit={(e) => void submit(e)} aria-label="Edit contact">
      <div className="row">
        <label>
          First name
          <input value={firstName} onChange={(e) => setFirstName(e.target.value)} maxLength={100} />
        </label>
        <label>
          Last name
          <input value={lastName} onChange={(e) => setLastName(e.target.value)} maxLength={100} />
        </label>
        <label>
          Phone
          <input type="tel" value={phone} onChange={(e) => setPhone(e.target.value)} placeholder="+14155550100" />
        </label>
        <label>
          Tags (comma-separated)
          <input value={tags} onChange={(e) => setTags(e.target.value)} />
        </label>
      </div>
      <ErrorMessage error={save.error} />
      <div className="actions">
        <button type="submit" disabled={save.busy}>
          Save contact
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
        <Busy busy={save.busy} label="Saving…" />
      </div>
    </form>
  );
}

function ContactDetail({ id, onChanged, onDeleted }: { id: string; onChanged: () => void; onDeleted: () => void }) {
  const contact = useResource(() => getContact(id), [id]);
  const activities = useResource(() => listActivities(id), [id]);
  const segments = useResource(() => listContactSegments(id), [id]);
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [notice, setNotice] = useState<string>();
  const { canWrite } = usePermissions();
  const remove = useAction(async () => {
    await deleteContact(id);
    return true;
  });
  const c = contact.data;
  return (
    <section className="card" aria-labelledby="contact-title">
      <h2 id="contact-title">{c ? c.email : 'Contact'}</h2>
      <Busy busy={contact.loading} label="Loading contact…" />
      <ErrorMessage error={contact.error} />
      <Notice message={notice} />
      {c && !editing && (
        <>
          <dl className="details">
            <dt>Name</dt>
            <dd>{fullName(c)}</dd>
            <dt>Phone</dt>
            <dd>{c.phone ?? '—'}</dd>
            <dt>Tags</dt>
            <dd>
              {c.tags.length
                ? c.tags.map((t) => (
                    <span key={t} className="badge">
                      {t}
                    </span>
                  ))
                : '—'}
            </dd>
            <dt>Created</dt>
            <dd>{formatTime(c.created_at)}</dd>
            <dt>Updated</dt>
            <dd>{formatTime(c.updated_at)}</dd>
            <dt>Id</dt>
            <dd>
              <code>{c.id}</code>
            </dd>
          </dl>
          <h3>Custom fields</h3>
          {Object.keys(c.custom_fields).length === 0 ? (
            <p className="muted">None.</p>
          ) : (
            <dl className="details">
              {Object.entries(c.custom_fields).map(([k, v]) => (
                <div key={k}>
                  <dt>
                    <code>{k}</code>
                  </dt>
                  <dd>{Array.isArray(v) ? v.join(', ') : String(v)}</dd>
                </div>
              ))}
            </dl>
          )}
          {canWrite && (
            <div className="actions">
              <button type="button" className="secondary" onClick={() => setEditing(true)}>
                Edit
              </button>
              <button type="button" className="danger" onClick={() => setConfirming(true)}>
                Delete
              </button>
            </div>
          )}
        </>
      )}
      {c && editing && (
        <EditContactForm
          contact={c}
          onCancel={() => setEditing(false)}
          onSaved={() => {
            setEditing(false);
            setNotice('Contact saved.');
            void contact.reload();
            onChanged();
          }}
        />
      )}
      <h3>Segments</h3>
      <ErrorMessage error={segments.error} />
      {(segments.data ?? []).length === 0 ? (
        <p className="muted">{segments.loading ? 'Loading segments…' : 'In no segment.'}</p>
      ) : (
        <ul aria-label="Segments of this contact">
          {(segments.data ?? []).map((s) => (
            <li key={s.segment_id}>
              <strong>{s.name}</strong> · since {formatTime(s.since)}
            </li>
          ))}
        </ul>
      )}
      <h3>Activities</h3>
      <ErrorMessage error={activities.error} />
      {(activities.data ?? []).length === 0 ? (
        <p className="muted">No activities recorded.</p>
      ) : (
        <ul>
          {(activities.data ?? []).map((a) => (
            <li key={a.id}>
              <strong>{a.type}</strong> · {formatTime(a.occurred_at)} {Object.keys(a.properties).length > 0 && <code>{JSON.stringify(a.properties)}</code>}
            </li>
          ))}
        </ul>
      )}
      <ConfirmDialog
        open={confirming}
        title="Delete this contact?"
        confirmLabel="Delete contact"
        busy={remove.busy}
        error={remove.error}
        onCancel={() => setConfirming(false)}
        onConfirm={async () => {
          if (!(await remove.run())) return;
          setConfirming(false);
          onDeleted();
        }}
      >
        <p>Its personal data is erased (GDPR) and a contact.deleted event is sent. This cannot be undone.</p>
      </ConfirmDialog>
    </section>
  );
}

export function ContactsPage() {
  const [query, setQuery] = useState('');
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(1);
  const [selected, setSelected] = useState<string | undefined>();
  const [notice, setNotice] = useState<string>();
  const contacts = useResource(() => listContacts({ q: search || undefined, page, limit: PAGE_SIZE }), [search, page]);
  const rows = contacts.data?.data ?? [];
  const total = contacts.data?.meta.total;
  return (
    <section aria-labelledby="page-title">
      <div className="page-head">
        <h1 id="page-title" tabIndex={-1}>
          Contacts
        </h1>
        <p className="muted">{total !== undefined ? `${total.toLocaleString()} contacts` : ''}</p>
      </div>
      <ReadOnlyNote />
      <form
        role="search"
        className="actions"
        onSubmit={(e) => {
          e.preventDefault();
          setPage(1);
          setSearch(query.trim());
        }}
      >
        <label className="sr-only" htmlFor="contact-search">
          Search contacts
        </label>
        <input id="contact-search" type="search" placeholder="Email or name" value={query} onChange={(e) => setQuery(e.target.value)} />
        <button type="submit">Search</button>
        <Busy busy={contacts.loading} label="Searching…" />
      </form>
      <Notice message={notice} />
      <ErrorMessage error={contacts.error} />
      <div className="split">
        <div>
          <TableScroll label="Contacts table">
            <table>
              <caption className="sr-only">Contacts, page {page}</caption>
              <thead>
                <tr>
                  <th scope="col">Email</th>
                  <th scope="col">Name</th>
                  <th scope="col">Tags</th>
                  <th scope="col">Updated</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((c) => (
                  <tr key={c.id} className={c.id === selected ? 'selected' : undefined}>
                    <th scope="row">
                      <button type="button" className="link" aria-pressed={c.id === selected} onClick={() => setSelected(c.id)}>
                        {c.email}
                      </button>
                    </th>
                    <td>{fullName(c)}</td>
                    <td>{c.tags.join(', ')}</td>
                    <td>{formatTime(c.updated_at)}</td>
                  </tr>
                ))}
                {!contacts.loading && rows.length === 0 && (
                  <tr>
                    <td colSpan={4}>{search ? `No contact matches “${search}”.` : 'No contacts yet. Create them through the API.'}</td>
                  </tr>
                )}
              </tbody>
            </table>
          </TableScroll>
          <div className="actions">
            <button type="button" className="secondary" disabled={page <= 1} onClick={() => setPage(page - 1)}>
              Previous page
            </button>
            <span>Page {page}</span>
            <button type="button" className="secondary" disabled={!contacts.data?.meta.has_more} onClick={() => setPage(page + 1)}>
              Next page
            </button>
          </div>
        </div>
        {selected && (
          <ContactDetail
            key={selected}
            id={selected}
            onChanged={() => void contacts.reload()}
            onDeleted={() => {
              setSelected(undefined);
              setNotice('Contact deleted.');
              void contacts.reload();
            }}
          />
        )}
      </div>
    </section>
  );
}
