/**
 * Members (SPEC §15): the account's members with their roles, invitations
 * (a console link carrying the token, shown once: accept-invitation-page.tsx), pending invitations with
 * Revoke, role changes (ownership transfer for the owner), removal with
 * confirmation, and the user's organizations with a switch between them.
 * Roles without `members:write` (developer, viewer) get a read-only page;
 * whatever the API refuses shows its envelope (e.g. 403 in test mode).
 */
import { useState, type FormEvent } from 'react';
import { getMe, switchTenant } from '../api/auth';
import { changeRole, inviteMember, listInvitations, listMembers, listTenants, removeMember, revokeInvitation } from '../api/members';
import type { Invitation, Member, PendingInvitation, Role } from '../api/types';
import { ConfirmDialog } from '../components/confirm-dialog';
import { Dialog } from '../components/dialog';
import { Busy, ErrorMessage, Notice } from '../components/feedback';
import { formatTime } from '../components/format';
import { SecretReveal } from '../components/secret-reveal';
import { TableScroll } from '../components/table-scroll';
import { useAction } from '../components/use-action';
import { useResource } from '../components/use-resource';
import { invitationLink } from '../router';
import { useSession } from '../session/session-context';

const INVITABLE_ROLES = ['admin', 'developer', 'viewer'] as const;
const ROLE_HELP: Record<Role, string> = {
  owner: 'everything, and transfers ownership',
  admin: 'everything but ownership',
  developer: 'keys, webhooks and data; reads members',
  viewer: 'reads only',
};

function InviteForm({ onInvited, onCancel }: { onInvited: (inv: Invitation) => void; onCancel: () => void }) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<(typeof INVITABLE_ROLES)[number]>('developer');
  const action = useAction(() => inviteMember({ email, role }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const inv = await action.run();
    if (inv) onInvited(inv);
  };
  return (
    <form className="card" onSubmit={(e) => void submit(e)} aria-label="Invite a member">
      <div className="row">
        <label>
          Email
          <input type="email" required maxLength={254} autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label>
          Role
          <select value={role} onChange={(e) => setRole(e.target.value as (typeof INVITABLE_ROLES)[number])}>
            {INVITABLE_ROLES.map((r) => (
              <option key={r} value={r}>
                {r} — {ROLE_HELP[r]}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorMessage error={action.error} />
      <div className="actions">
        <button type="submit" disabled={action.busy}>
          Send invitation
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
        <Busy busy={action.busy} label="Inviting…" />
      </div>
    </form>
  );
}

/** The organizations the user belongs to, with a switch to each other one. */
function Organizations() {
  const tenants = useResource(listTenants);
  const switching = useAction((id: string) => switchTenant(id));
  const rows = tenants.data ?? [];
  return (
    <section className="card" aria-labelledby="orgs-title">
      <h2 id="orgs-title">Your organizations</h2>
      <ErrorMessage error={tenants.error ?? switching.error} />
      <Busy busy={tenants.loading || switching.busy} label={switching.busy ? 'Switching organization…' : 'Loading organizations…'} />
      <ul className="plain" aria-label="Organizations you belong to">
        {rows.map((t) => (
          <li key={t.id}>
            <strong>{t.name}</strong> <span className="badge">{t.role}</span>{' '}
            {t.current ? (
              <span className="badge status-active">current</span>
            ) : (
              <button type="button" className="secondary" disabled={switching.busy} onClick={() => void switching.run(t.id)}>
                Switch to {t.name}
              </button>
            )}
          </li>
        ))}
      </ul>
      {rows.length === 1 && <p className="muted">You belong to this organization only. Accepting an invitation from another adds it here.</p>}
    </section>
  );
}

export function MembersPage() {
  const { mode } = useSession();
  const me = useResource(getMe);
  const members = useResource(() => listMembers());
  const invitations = useResource(() => listInvitations());
  const [inviting, setInviting] = useState(false);
  const [invited, setInvited] = useState<Invitation | undefined>();
  const [changing, setChanging] = useState<Member | undefined>();
  const [newRole, setNewRole] = useState<Role>('developer');
  const [removing, setRemoving] = useState<Member | undefined>();
  const [revoking, setRevoking] = useState<PendingInvitation | undefined>();
  const [notice, setNotice] = useState<string>();
  const change = useAction((m: Member, role: Role) => changeRole(m.user_id, role));
  const remove = useAction(async (m: Member) => {
    await removeMember(m.user_id);
    return true;
  });
  const revoke = useAction(async (i: PendingInvitation) => {
    await revokeInvitation(i.id);
    return true;
  });

  const credential = me.data?.credential;
  const myRole = credential?.type === 'user' ? (credential.role as Role) : undefined;
  const myId = credential?.id;
  // The permission table (docs/auth.md): only owners and admins manage members.
  const canManage = myRole === 'owner' || myRole === 'admin';
  const rows = members.data?.data ?? [];
  const pending = invitations.data?.data ?? [];
  // Ownership transfer last, so it is never the preselected choice.
  const roleChoices = (m: Member): Role[] => (myRole === 'owner' ? [...INVITABLE_ROLES, 'owner' as const] : [...INVITABLE_ROLES]).filter((r) => r !== m.role);

  return (
    <section aria-labelledby="page-title">
      <div className="page-head">
        <h1 id="page-title" tabIndex={-1}>
          Members
        </h1>
        <p className="muted">
          {myRole ? `You are ${myRole === 'admin' || myRole === 'owner' ? 'an' : 'a'} ${myRole}${canManage ? '.' : ': you can see members but not change them.'}` : ''}
        </p>
        <button
          type="button"
          className="secondary"
          disabled={members.loading || invitations.loading}
          onClick={() => {
            void members.reload();
            void invitations.reload();
          }}
        >
          Refresh
        </button>
        {canManage && (
          <button
            type="button"
            disabled={inviting}
            onClick={() => {
              setInviting(true);
              setInvited(undefined);
            }}
          >
            Invite member
          </button>
        )}
      </div>
      {mode === 'test' && <p className="notice">Members belong to the account, not to test data: switch to Live mode to manage them.</p>}
      <Notice message={notice} />
      {inviting && (
        <InviteForm
          onCancel={() => setInviting(false)}
          onInvited={(inv) => {
            setInviting(false);
            setInvited(inv);
            setNotice(`Invitation for ${inv.email} created.`);
            void invitations.reload();
          }}
        />
      )}
      {invited && (
        <div className="card highlight">
          <h2>Invitation for {invited.email}</h2>
          <SecretReveal
            label="Invitation link"
            secret={invitationLink(invited.token)}
            note={`Send this link to ${invited.email}: it is shown only once, works once and expires ${formatTime(invited.expires_at)}. Opening it lets them choose a password (or confirm the one of their existing account) and join as ${invited.role}.`}
          />
          <button type="button" className="secondary" onClick={() => setInvited(undefined)}>
            Done
          </button>
        </div>
      )}
      <ErrorMessage error={members.error ?? me.error} />
      <Busy busy={members.loading} label="Loading members…" />
      <TableScroll label="Members table">
        <table>
          <caption className="sr-only">Members of this organization</caption>
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Joined</th>
              {canManage && (
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {rows.map((m) => (
              <tr key={m.user_id}>
                <th scope="row">
                  {m.email}
                  {m.user_id === myId && <span className="muted"> (you)</span>}
                </th>
                <td>
                  <span className="badge">{m.role}</span>
                </td>
                <td>{formatTime(m.joined_at)}</td>
                {canManage && (
                  <td className="row-actions">
                    {m.role !== 'owner' && (
                      <>
                        <button
                          type="button"
                          className="secondary"
                          aria-label={`Change role of ${m.email}`}
                          onClick={() => {
                            change.clearError();
                            setNewRole(roleChoices(m)[0]!);
                            setChanging(m);
                          }}
                        >
                          Change role
                        </button>
                        <button
                          type="button"
                          className="danger"
                          aria-label={`Remove ${m.email}`}
                          onClick={() => {
                            remove.clearError();
                            setRemoving(m);
                          }}
                        >
                          Remove
                        </button>
                      </>
                    )}
                  </td>
                )}
              </tr>
            ))}
            {!members.loading && !members.error && rows.length === 0 && (
              <tr>
                <td colSpan={canManage ? 4 : 3}>No members.</td>
              </tr>
            )}
          </tbody>
        </table>
      </TableScroll>

      <section className="card" aria-labelledby="pending-title">
        <h2 id="pending-title">Pending invitations</h2>
        <ErrorMessage error={invitations.error} />
        <Busy busy={invitations.loading} label="Loading invitations…" />
        <TableScroll label="Pending invitations table">
          <table>
            <caption className="sr-only">Invitations not yet accepted</caption>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Invited</th>
                <th scope="col">Expires</th>
                {canManage && (
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {pending.map((i) => (
                <tr key={i.id}>
                  <th scope="row">{i.email}</th>
                  <td>
                    <span className="badge">{i.role}</span>
                  </td>
                  <td>{formatTime(i.created_at)}</td>
                  <td>{formatTime(i.expires_at)}</td>
                  {canManage && (
                    <td className="row-actions">
                      <button
                        type="button"
                        className="danger"
                        aria-label={`Revoke invitation for ${i.email}`}
                        onClick={() => {
                          revoke.clearError();
                          setRevoking(i);
                        }}
                      >
                        Revoke
                      </button>
                    </td>
                  )}
                </tr>
              ))}
              {!invitations.loading && !invitations.error && pending.length === 0 && (
                <tr>
                  <td colSpan={canManage ? 5 : 4}>No pending invitations.</td>
                </tr>
              )}
            </tbody>
          </table>
        </TableScroll>
      </section>

      <Organizations />

      <Dialog open={!!changing} title={`Change role of ${changing?.email ?? 'member'}`} onClose={() => setChanging(undefined)}>
        <label>
          New role
          <select value={newRole} onChange={(e) => setNewRole(e.target.value as Role)}>
            {changing &&
              roleChoices(changing).map((r) => (
                <option key={r} value={r}>
                  {r === 'owner' ? 'owner — transfer ownership (you become admin)' : `${r} — ${ROLE_HELP[r]}`}
                </option>
              ))}
          </select>
        </label>
        <p className="muted">Their sessions act with the new role within a second.</p>
        <ErrorMessage error={change.error} />
        <div className="actions">
          <button
            type="button"
            disabled={change.busy}
            onClick={async () => {
              const m = changing && (await change.run(changing, newRole));
              if (m) {
                setChanging(undefined);
                setNotice(`${m.email} is now ${m.role}.`);
                void members.reload();
                void me.reload();
              }
            }}
          >
            Save role
          </button>
          <button type="button" className="secondary" onClick={() => setChanging(undefined)}>
            Cancel
          </button>
          <Busy busy={change.busy} label="Changing role…" />
        </div>
      </Dialog>

      <ConfirmDialog
        open={!!removing}
        title={`Remove ${removing?.email ?? 'member'}?`}
        confirmLabel="Remove member"
        busy={remove.busy}
        error={remove.error}
        onCancel={() => setRemoving(undefined)}
        onConfirm={async () => {
          const m = removing;
          if (!m || !(await remove.run(m))) return;
          setRemoving(undefined);
          setNotice(`${m.email} removed.`);
          void members.reload();
        }}
      >
        <p>Their sessions in this organization end within a second. Their user account and other organizations stay.</p>
      </ConfirmDialog>

      <ConfirmDialog
        open={!!revoking}
        title={`Revoke the invitation for ${revoking?.email ?? 'this address'}?`}
        confirmLabel="Revoke invitation"
        busy={revoke.busy}
        error={revoke.error}
        onCancel={() => setRevoking(undefined)}
        onConfirm={async () => {
          const i = revoking;
          if (!i || !(await revoke.run(i))) return;
          setRevoking(undefined);
          setNotice(`Invitation for ${i.email} revoked.`);
          void invitations.reload();
        }}
      >
        <p>The invitation token stops working at once. You can invite the address again later.</p>
      </ConfirmDialog>
    </section>
  );
}
