/**
 * API keys: the table, the plan's allowance ("3 of 10 active keys"), Create key
 * (secret shown once), Rotate with a grace period and Revoke with confirmation.
 */
import { useState, type FormEvent } from 'react';
import { createApiKey, listApiKeys, revokeApiKey, rotateApiKey } from '../api/api-keys';
import { getMe } from '../api/auth';
import { SCOPES, type ApiKey, type ApiKeyWithSecret, type Mode, type Scope } from '../api/types';
import { ConfirmDialog } from '../components/confirm-dialog';
import { Dialog } from '../components/dialog';
import { Busy, ErrorMessage, Notice } from '../components/feedback';
import { formatTime } from '../components/format';
import { SecretReveal } from '../components/secret-reveal';
import { useAction } from '../components/use-action';
import { TableScroll } from '../components/table-scroll';
import { useResource } from '../components/use-resource';
import { ReadOnlyNote, usePermissions } from '../session/permissions';
import { useSession } from '../session/session-context';

const GRACE_PERIODS: { label: string; seconds: number }[] = [
  { label: 'Immediately', seconds: 0 },
  { label: 'In 1 hour', seconds: 3600 },
  { label: 'In 24 hours', seconds: 86_400 },
  { label: 'In 7 days', seconds: 604_800 },
];

function CreateKeyForm({ onCreated, onCancel }: { onCreated: (key: ApiKeyWithSecret) => void; onCancel: () => void }) {
  const { mode } = useSession();
  const [name, setName] = useState('');
  const [environment, setEnvironment] = useState<Mode>(mode);
  const [scopes, setScopes] = useState<Scope[]>([]);
  const [expires, setExpires] = useState('');
  const [rateLimit, setRateLimit] = useState('');
  const action = useAction(() =>
    createApiKey({
      name,
      environment,
      scopes,
      expires_at: expires ? new Date(`${expires}T23:59:59Z`).toISOString() : undefined,
      rate_limit_per_minute: rateLimit ? Number(rateLimit) : undefined,
    }),
  );
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const key = await action.run();
    if (key) onCreated(key);
  };
  const toggle = (s: Scope) => setScopes((cur) => (cur.includes(s) ? cur.filter((x) => x !== s) : [...cur, s]));
  return (
    <form className="card" onSubmit={(e) => void submit(e)} aria-label="Create an API key">
      <label>
        Name
        <input required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <fieldset>
        <legend>Environment</legend>
        {(['live', 'test'] as const).map((env) => (
          <label key={env} className="inline">
            <input type="radio" name="environment" value={env} checked={environment === env} onChange={() => setEnvironment(env)} />
            {env}
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>Scopes</legend>
        <div className="checks">
          {SCOPES.map((s) => (
            <label key={s} className="inline">
              <input type="checkbox" checked={scopes.includes(s)} onChange={() => toggle(s)} />
              {s}
            </label>
          ))}
        </div>
      </fieldset>
      <div className="row">
        <label>
          Expires on (optional)
          <input type="date" value={expires} onChange={(e) => setExpires(e.target.value)} />
        </label>
        <label>
          Rate limit per minute (optional)
          <input type="number" min={1} max={100000} inputMode="numeric" value={rateLimit} onChange={(e) => setRateLimit(e.target.value)} />
        </label>
      </div>
      <ErrorMessage error={action.error} />
      <div className="actions">
        <button type="submit" disabled={action.busy}>
          Create
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
        <Busy busy={action.busy} label="Creating key…" />
      </div>
    </form>
  );
}

function KeyRow({ apiKey, onRotate, onRevoke }: { apiKey: ApiKey; onRotate: () => void; onRevoke: () => void }) {
  const { canWrite } = usePermissions();
  const active = apiKey.status === 'active' && canWrite;
  return (
    <tr>
      <th scope="row">{apiKey.name}</th>
      <td>
        <span className={`badge env-${apiKey.environment}`}>{apiKey.environment}</span>
      </td>
      <td>
        <code className="nowrap">
          {apiKey.prefix}…{apiKey.last4}
        </code>
      </td>
      <td className="scopes">{apiKey.scopes.join(', ')}</td>
      <td>{formatTime(apiKey.created_at)}</td>
      <td>{formatTime(apiKey.last_used_at)}</td>
      <td>{formatTime(apiKey.expires_at)}</td>
      <td>
        <span className={`badge status-${apiKey.status}`}>{apiKey.status}</span>
      </td>
      <td className="row-actions">
        {active && (
          <>
            <button type="button" className="secondary" onClick={onRotate} aria-describedby={`key-${apiKey.id}`}>
              Rotate
            </button>
            <button type="button" className="danger" onClick={onRevoke} aria-describedby={`key-${apiKey.id}`}>
              Revoke
            </button>
            <span id={`key-${apiKey.id}`} hidden>
              {apiKey.name}
            </span>
          </>
        )}
      </td>
    </tr>
  );
}

export function ApiKeysPage() {
  const { canWrite } = usePermissions();
  const keys = useResource(() => listApiKeys());
  const me = useResource(getMe);
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<{ key: ApiKeyWithSecret; rotated: boolean } | undefined>();
  const [rotating, setRotating] = useState<ApiKey | undefined>();
  const [grace, setGrace] = useState(0);
  const [revoking, setRevoking] = useState<ApiKey | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  const rotate = useAction((k: ApiKey, seconds: number) => rotateApiKey(k.id, seconds));
  const revoke = useAction(async (k: ApiKey) => {
    await revokeApiKey(k.id);
    return true;
  });

  const rows = keys.data?.data ?? [];
  const active = rows.filter((k) => k.status === 'active').length;
  const allowance = me.data?.tenant.limits.max_active_keys;

  return (
    <section aria-labelledby="page-title">
      <div className="page-head">
        <h1 id="page-title" tabIndex={-1}>
          API keys
        </h1>
        <p className="muted">
          {allowance !== undefined ? `${active} of ${allowance} active keys` : ''}
          {me.data ? ` on the ${me.data.tenant.plan} plan` : ''}
        </p>
        {canWrite && (
          <button
            type="button"
            onClick={() => {
              setCreating(true);
              setSecret(undefined);
            }}
            disabled={creating}
          >
            Create key
          </button>
        )}
      </div>
      <ReadOnlyNote />
      <Notice message={notice} />
      {creating && (
        <CreateKeyForm
          onCancel={() => setCreating(false)}
          onCreated={(key) => {
            setCreating(false);
            setSecret({ key, rotated: false });
            setNotice(`Key ${key.name} created.`);
            void keys.reload();
          }}
        />
      )}
      {secret && (
        <div className="card highlight">
          <h2>{secret.rotated ? `New secret for ${secret.key.name}` : `Your new key ${secret.key.name}`}</h2>
          <SecretReveal label="New API key" secret={secret.key.key} note="Copy this key now: it is shown only once and Sigil keeps only its hash." />
          <button type="button" className="secondary" onClick={() => setSecret(undefined)}>
            Done
          </button>
        </div>
      )}
      <ErrorMessage error={keys.error ?? me.error} />
      <Busy busy={keys.loading} label="Loading keys…" />
      <TableScroll label="API keys table">
        <table>
          <caption className="sr-only">API keys of this organisation</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Environment</th>
              <th scope="col">Key</th>
              <th scope="col">Scopes</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">Expires</th>
              <th scope="col">Status</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((k) => (
              <KeyRow
                key={k.id}
                apiKey={k}
                onRotate={() => {
                  rotate.clearError();
                  setGrace(0);
                  setRotating(k);
                }}
                onRevoke={() => {
                  revoke.clearError();
                  setRevoking(k);
                }}
              />
            ))}
            {!keys.loading && rows.length === 0 && (
              <tr>
                <td colSpan={9}>No keys yet. Create one to call the API.</td>
              </tr>
            )}
          </tbody>
        </table>
      </TableScroll>

      <Dialog open={!!rotating} title={`Rotate ${rotating?.name ?? 'key'}`} onClose={() => setRotating(undefined)}>
        <p>A new secret is issued now. The current secret stops working:</p>
        <label>
          Old secret expires
          <select value={grace} onChange={(e) => setGrace(Number(e.target.value))}>
            {GRACE_PERIODS.map((g) => (
              <option key={g.seconds} value={g.seconds}>
                {g.label}
              </option>
            ))}
          </select>
        </label>
        <ErrorMessage error={rotate.error} />
        <div className="actions">
          <button
            type="button"
            disabled={rotate.busy}
            onClick={async () => {
              const key = rotating && (await rotate.run(rotating, grace));
              if (key) {
                setRotating(undefined);
                setSecret({ key, rotated: true });
                setNotice(`Key ${key.name} rotated.`);
                void keys.reload();
              }
            }}
          >
            Rotate key
          </button>
          <button type="button" className="secondary" onClick={() => setRotating(undefined)}>
            Cancel
          </button>
          <Busy busy={rotate.busy} label="Rotating…" />
        </div>
      </Dialog>

      <ConfirmDialog
        open={!!revoking}
        title={`Revoke ${revoking?.name ?? 'key'}?`}
        confirmLabel="Revoke key"
        busy={revoke.busy}
        error={revoke.error}
        onCancel={() => setRevoking(undefined)}
        onConfirm={async () => {
          const k = revoking;
          if (!k || !(await revoke.run(k))) return;
          setRevoking(undefined);
          setNotice(`Key ${k.name} revoked.`);
          void keys.reload();
        }}
      >
        <p>Requests with this key fail with 401 within a second, everywhere. This cannot be undone.</p>
      </ConfirmDialog>
    </section>
  );
}
