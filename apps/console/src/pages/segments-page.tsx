/**
 * Segments: the saved segments with their live counts, and a visual rule
 * builder (and / or / not groups; attribute and custom field conditions with
 * relative dates in a time zone, tag, list, activity, another segment, random
 * bucket and subscription status conditions; the include-unsubscribed
 * option) whose preview count and sample follow every change (waiting out
 * and retrying a 429: live-preview.ts); `Edit` loads a
 * saved segment's rules back into the builder.
 */
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { listCustomFields } from '../api/contacts';
import { listLists } from '../api/lists';
import { createSegment, deleteSegment, listSegments, previewSegment, updateSegment } from '../api/segments';
import type { CustomField, List, RuleNode, Segment, SegmentPreview } from '../api/types';
import type { ApiError } from '../api/http';
import { ConfirmDialog } from '../components/confirm-dialog';
import { Busy, ErrorMessage, Notice } from '../components/feedback';
import { formatTime } from '../components/format';
import { toApiError, useAction } from '../components/use-action';
import { TableScroll } from '../components/table-scroll';
import { useResource } from '../components/use-resource';
import { ReadOnlyNote, usePermissions } from '../session/permissions';
import { LivePreview, type PreviewState } from './live-preview';
import {
  ACTIVITY_OPS,
  ATTRIBUTES,
  DATE_ATTRIBUTES,
  draftToRule,
  LIST_VALUE_OPS,
  MULTI_OPS,
  newCondition,
  newGroup,
  NO_VALUE_OPS,
  RELATIVE_DATE_OPS,
  RELATIVE_OPS,
  ruleToDraft,
  SUBSCRIPTION_STATUSES,
  updateDraft,
  VALUE_OPS,
  type ConditionDraft,
  type ConditionType,
  type Draft,
  type GroupDraft,
} from './rule-draft';

const TYPE_LABELS: Record<ConditionType, string> = {
  attribute: 'Attribute',
  custom_field: 'Custom field',
  tag: 'Tag',
  list: 'List',
  activity: 'Activity',
  segment: 'Segment',
  random_bucket: 'Random bucket',
  subscription_status: 'Subscription status',
};

/** IANA zones for the time zone box (the browser's list; any zone the API knows may be typed). */
const TIME_ZONES: string[] = (() => {
  try {
    return (Intl as unknown as { supportedValuesOf: (k: string) => string[] }).supportedValuesOf('timeZone');
  } catch {
    return ['UTC'];
  }
})();

interface Catalog {
  fields: CustomField[];
  lists: List[];
  segments: Segment[];
  /** The segment being edited: it cannot contain itself. */
  editingId?: string;
}

interface EditorProps {
  catalog: Catalog;
  onChange: (id: number, fn: (node: Draft) => Draft | undefined) => void;
}

function ConditionEditor({ c, catalog, onChange, position }: EditorProps & { c: ConditionDraft; position: string }) {
  const set = (patch: Partial<ConditionDraft>) => onChange(c.id, (n) => ({ ...(n as ConditionDraft), ...patch }));
  const field = c.type === 'custom_field' ? catalog.fields.find((f) => f.key === c.subject) : undefined;
  // Relative dates (days from now, optionally in a time zone) on date attributes and date (or text) custom fields.
  const dated = (c.type === 'attribute' && DATE_ATTRIBUTES.has(c.subject)) || (c.type === 'custom_field' && (field?.type === 'date' || field?.type === 'text'));
  const OPS: Record<ConditionType, readonly string[]> = {
    attribute: dated ? [...VALUE_OPS, ...RELATIVE_DATE_OPS] : VALUE_OPS,
    custom_field: field?.type === 'multi_select' ? MULTI_OPS : dated ? [...VALUE_OPS, ...RELATIVE_DATE_OPS] : VALUE_OPS,
    tag: ['has', 'has_not'],
    list: ['in', 'not_in'],
    activity: ACTIVITY_OPS,
    segment: ['in', 'not_in'],
    random_bucket: [],
    subscription_status: ['eq', 'neq'],
  };
  const ops = OPS[c.type];
  const relative = RELATIVE_OPS.has(c.op);
  const label = (what: string) => `${what} of condition ${position}`;
  return (
    <div className="rule-cond" role="group" aria-label={`Condition ${position}`}>
      <label>
        Type
        <select aria-label={label('Type')} value={c.type} onChange={(e) => onChange(c.id, () => ({ ...newCondition(e.target.value as ConditionType), id: c.id }))}>
          {Object.entries(TYPE_LABELS).map(([v, l]) => (
            <option key={v} value={v}>
              {l}
            </option>
          ))}
        </select>
      </label>
      {c.type === 'attribute' && (
        <label>
          Attribute
          <select
            aria-label={label('Attribute')}
            value={c.subject}
            onChange={(e) => set({ subject: e.target.value, ...(RELATIVE_OPS.has(c.op) && !DATE_ATTRIBUTES.has(e.target.value) ? { op: 'eq', value: '', tz: '' } : {}) })}
          >
            {ATTRIBUTES.map((a) => (
              <option key={a}>{a}</option>
            ))}
          </select>
        </label>
      )}
      {c.type === 'custom_field' && (
        <label>
          Field
          <select aria-label={label('Field')} value={c.subject} onChange={(e) => set({ subject: e.target.value })}>
            <option value="">Choose a field…</option>
            {catalog.fields.map((f) => (
              <option key={f.key} value={f.key}>
                {f.label} ({f.type})
              </option>
            ))}
          </select>
        </label>
      )}
      {c.type === 'tag' && (
        <label>
          Tag
          <input aria-label={label('Tag')} value={c.subject} onChange={(e) => set({ subject: e.target.value })} />
        </label>
      )}
      {c.type === 'list' && (
        <label>
          List
          <select aria-label={label('List')} value={c.subject} onChange={(e) => set({ subject: e.target.value })}>
            <option value="">Choose a list…</option>
            {catalog.lists.map((l) => (
              <option key={l.id} value={l.id}>
                {l.name}
              </option>
            ))}
          </select>
        </label>
      )}
      {c.type === 'activity' && (
        <label>
          Activity
          <input aria-label={label('Activity')} placeholder="purchase" value={c.subject} onChange={(e) => set({ subject: e.target.value })} />
        </label>
      )}
      {c.type === 'segment' && (
        <label>
          Segment
          <select aria-label={label('Segment')} value={c.subject} onChange={(e) => set({ subject: e.target.value })}>
            <option value="">Choose a segment…</option>
            {catalog.segments
              .filter((s) => s.id !== catalog.editingId)
              .map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
          </select>
        </label>
      )}
      {c.type === 'subscription_status' && (
        <label>
          Status
          <select aria-label={label('Status')} value={c.subject} onChange={(e) => set({ subject: e.target.value })}>
            {SUBSCRIPTION_STATUSES.map((st) => (
              <option key={st}>{st}</option>
            ))}
          </select>
        </label>
      )}
      {c.type === 'random_bucket' && (
        <>
          <label>
            Percent
            <input
              aria-label={label('Percent')}
              type="number"
              min={0.01}
              max={100}
              step={0.01}
              inputMode="decimal"
              value={c.percent}
              onChange={(e) => set({ percent: e.target.value })}
            />
          </label>
          <label>
            Salt
            <input aria-label={label('Salt')} placeholder="spring-test" maxLength={100} value={c.salt} onChange={(e) => set({ salt: e.target.value })} />
          </label>
          <label>
            Offset (optional)
            <input
              aria-label={label('Offset')}
              type="number"
              min={0}
              max={99.99}
              step={0.01}
              inputMode="decimal"
              value={c.offset}
              onChange={(e) => set({ offset: e.target.value })}
            />
          </label>
        </>
      )}
      {ops.length > 0 && (
        <label>
          Operator
          <select
            aria-label={label('Operator')}
            value={c.op}
            onChange={(e) => set({ op: e.target.value, ...(RELATIVE_OPS.has(e.target.value) !== relative ? { value: '', value2: '' } : {}) })}
          >
            {ops.map((o) => (
              <option key={o}>{o}</option>
            ))}
          </select>
        </label>
      )}
      {relative && (
        <>
          <label>
            Days
            <input
              aria-label={label('Days')}
              type="number"
              min={0}
              max={c.op === 'anniversary_within_days' ? 366 : 36500}
              step={1}
              inputMode="numeric"
              value={c.value}
              onChange={(e) => set({ value: e.target.value })}
            />
          </label>
          <label>
            Time zone (optional, UTC by default)
            <input aria-label={label('Time zone')} list="time-zones" placeholder="Europe/Paris" value={c.tz} onChange={(e) => set({ tz: e.target.value })} />
          </label>
        </>
      )}
      {(c.type === 'attribute' || c.type === 'custom_field') && !NO_VALUE_OPS.has(c.op) && !relative && (
        <label>
          {LIST_VALUE_OPS.has(c.op) ? 'Values (comma-separated)' : c.op === 'between' ? 'From' : 'Value'}
          {field?.type === 'boolean' ? (
            <select aria-label={label('Value')} value={c.value} onChange={(e) => set({ value: e.target.value })}>
              <option value="">Choose…</option>
              <option>true</option>
              <option>false</option>
            </select>
          ) : (
            <input
              aria-label={label('Value')}
              type={field?.type === 'number' && !LIST_VALUE_OPS.has(c.op) ? 'number' : 'text'}
              value={c.value}
              onChange={(e) => set({ value: e.target.value })}
            />
          )}
        </label>
      )}
      {c.op === 'between' && (
        <label>
          To
          <input aria-label={label('Upper bound')} value={c.value2} onChange={(e) => set({ value2: e.target.value })} />
        </label>
      )}
      {c.type === 'activity' && (
        <>
          {(c.op === 'at_least' || c.op === 'at_most') && (
            <label>
              Times
              <input aria-label={label('Times')} type="number" min={0} value={c.count} onChange={(e) => set({ count: e.target.value })} />
            </label>
          )}
          <label>
            Within days (optional)
            <input aria-label={label('Within days')} type="number" min={1} value={c.withinDays} onChange={(e) => set({ withinDays: e.target.value })} />
          </label>
          <label>
            Property (optional)
            <input aria-label={label('Property')} placeholder="amount" value={c.property} onChange={(e) => set({ property: e.target.value })} />
          </label>
          {c.property && (
            <>
              <label>
                Property operator
                <select aria-label={label('Property operator')} value={c.propertyOp} onChange={(e) => set({ propertyOp: e.target.value })}>
                  {VALUE_OPS.filter((o) => !LIST_VALUE_OPS.has(o) && o !== 'between').map((o) => (
                    <option key={o}>{o}</option>
                  ))}
                </select>
              </label>
              <label>
                Property value
                <input aria-label={label('Property value')} value={c.propertyValue} onChange={(e) => set({ propertyValue: e.target.value })} />
              </label>
            </>
          )}
        </>
      )}
      <button type="button" className="secondary" onClick={() => onChange(c.id, () => undefined)} aria-label={`Remove condition ${position}`}>
        Remove
      </button>
    </div>
  );
}

function GroupEditor({ g, catalog, onChange, position, root }: EditorProps & { g: GroupDraft; position: string; root?: boolean }) {
  const name = root ? 'Rules' : `Group ${position}`;
  const add = (node: Draft) => onChange(g.id, (n) => ({ ...(n as GroupDraft), children: [...(n as GroupDraft).children, node] }));
  return (
    <fieldset className={`rule-group${g.negated ? ' negated' : ''}`}>
      <legend>{name}</legend>
      <div className="actions">
        <label className="inline">
          Match
          <select
            aria-label={`Match of ${name}`}
            value={g.combinator}
            onChange={(e) => onChange(g.id, (n) => ({ ...(n as GroupDraft), combinator: e.target.value as 'and' | 'or' }))}
          >
            <option value="and">all (and)</option>
            <option value="or">any (or)</option>
          </select>
        </label>
        <label className="inline">
          <input type="checkbox" checked={g.negated} onChange={() => onChange(g.id, (n) => ({ ...(n as GroupDraft), negated: !g.negated }))} />
          Not (exclude matches of {root ? 'these rules' : 'this group'})
        </label>
      </div>
      {g.children.map((c, i) => {
        const at = position ? `${position}.${i + 1}` : `${i + 1}`;
        return c.kind === 'condition' ? (
          <ConditionEditor key={c.id} c={c} catalog={catalog} onChange={onChange} position={at} />
        ) : (
          <GroupEditor key={c.id} g={c} catalog={catalog} onChange={onChange} position={at} />
        );
      })}
      <div className="actions">
        <button type="button" className="secondary" onClick={() => add(newCondition())}>
          Add condition{root ? '' : ` to ${name}`}
        </button>
        <button type="button" className="secondary" onClick={() => add(newGroup('or'))}>
          Add group{root ? '' : ` to ${name}`}
        </button>
        {!root && (
          <button type="button" className="secondary" onClick={() => onChange(g.id, () => undefined)}>
            Remove {name}
          </button>
        )}
      </div>
    </fieldset>
  );
}

/** The live preview of the builder's rules (live-preview.ts): 400 ms after the last change, the last rules win, a 429 waits for Retry-After and retries. */
function useLivePreview(rulesJson: string, includeUnsubscribed: boolean): PreviewState<SegmentPreview, ApiError> {
  const [state, setState] = useState<PreviewState<SegmentPreview, ApiError>>({ busy: false });
  const [preview] = useState(
    () =>
      new LivePreview<{ rules: RuleNode; includeUnsubscribed: boolean }, SegmentPreview, ApiError>(
        (q) => previewSegment(q.rules, 5, q.includeUnsubscribed),
        toApiError,
        setState,
      ),
  );
  useEffect(() => () => preview.dispose(), [preview]);
  useEffect(() => preview.update({ rules: JSON.parse(rulesJson) as RuleNode, includeUnsubscribed }), [preview, rulesJson, includeUnsubscribed]);
  return state;
}

/**
 * The preview's progress: "Updating preview…", or during a 429's wait "Rate limited, retrying in N s".
 * Only the start of a wait is announced (the live region); the countdown beside it is not, so a screen reader is not read every second.
 */
function PreviewStatus({ busy, retryInSeconds }: { busy: boolean; retryInSeconds: number | undefined }) {
  const waiting = retryInSeconds !== undefined;
  return (
    <div className={waiting ? 'rate-limited' : 'busy'}>
      <span role="status" aria-live="polite">
        {busy ? (waiting ? 'Rate limited,' : 'Updating preview…') : ''}
      </span>
      {waiting && ` retrying in ${retryInSeconds} s`}
    </div>
  );
}

/** The rule builder: a new segment, or (with `editing`) a saved segment's name and rules. */
function Builder({
  catalog,
  onSaved,
  editing,
  onCancel,
}: {
  catalog: Catalog;
  onSaved: (s: Segment) => void;
  editing?: { segment: Segment; root: GroupDraft };
  onCancel?: () => void;
}) {
  const [root, setRoot] = useState<GroupDraft>(() => editing?.root ?? newGroup('and'));
  const [name, setName] = useState(editing?.segment.name ?? '');
  const [includeUnsubscribed, setIncludeUnsubscribed] = useState(editing?.segment.include_unsubscribed ?? false);
  const rules = useMemo(() => draftToRule(root, catalog.fields), [root, catalog.fields]);
  const rulesJson = JSON.stringify(rules);
  const live = useLivePreview(rulesJson, includeUnsubscribed);
  const { canWrite } = usePermissions();
  const save = useAction(() =>
    editing
      ? updateSegment(editing.segment.id, { name, rules, include_unsubscribed: includeUnsubscribed })
      : createSegment({ name, rules, include_unsubscribed: includeUnsubscribed }),
  );
  const onChange = (id: number, fn: (node: Draft) => Draft | undefined) => setRoot((r) => (updateDraft(r, id, fn) as GroupDraft | undefined) ?? newGroup('and', []));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const s = await save.run();
    if (s) {
      setName('');
      setIncludeUnsubscribed(false);
      setRoot(newGroup('and'));
      onSaved(s);
    }
  };
  return (
    <section className="card" aria-labelledby="builder-title">
      <h2 id="builder-title">{editing ? `Edit segment ${editing.segment.name}` : 'New segment'}</h2>
      <div className="split">
        <div>
          <GroupEditor g={root} catalog={catalog} onChange={onChange} position="" root />
          <datalist id="time-zones">
            {TIME_ZONES.map((z) => (
              <option key={z} value={z} />
            ))}
          </datalist>
          <label className="inline">
            <input type="checkbox" checked={includeUnsubscribed} onChange={(e) => setIncludeUnsubscribed(e.target.checked)} />
            Include unsubscribed and suppressed contacts
          </label>
          <p className="muted">
            {includeUnsubscribed
              ? 'Members may include contacts who unsubscribed or are suppressed: use it for reporting, never for sending.'
              : 'Only subscribed, unsuppressed contacts can be members (the consent default).'}
          </p>
          <details>
            <summary>Rules as JSON</summary>
            <pre>{JSON.stringify(rules, null, 2)}</pre>
          </details>
        </div>
        <div aria-labelledby="preview-title" role="region">
          <h3 id="preview-title">Preview</h3>
          <p>
            <output className="preview-count" aria-label="Preview count">
              {live.result && !live.error ? live.result.count : '–'}
            </output>{' '}
            contacts match
          </p>
          <PreviewStatus busy={live.busy} retryInSeconds={live.retryInSeconds} />
          <ErrorMessage error={live.error} />
          {live.result && !live.error && live.result.contacts.length > 0 && (
            <TableScroll label="Matching contacts table">
              <table>
                <caption>Sample of matching contacts</caption>
                <thead>
                  <tr>
                    <th scope="col">Email</th>
                    <th scope="col">Tags</th>
                  </tr>
                </thead>
                <tbody>
                  {live.result.contacts.map((c) => (
                    <tr key={c.id}>
                      <td>{c.email}</td>
                      <td>{c.tags.join(', ')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          )}
          {canWrite ? (
            <form onSubmit={(e) => void submit(e)} aria-label="Save the segment">
              <label>
                Segment name
                <input required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
              </label>
              <ErrorMessage error={save.error} />
              <div className="actions">
                <button type="submit" disabled={save.busy}>
                  Save segment
                </button>
                {editing && (
                  <button type="button" className="secondary" onClick={onCancel}>
                    Cancel edit
                  </button>
                )}
                <Busy busy={save.busy} label="Saving…" />
              </div>
            </form>
          ) : (
            <p className="muted">Your role can preview rules, not save them.</p>
          )}
        </div>
      </div>
    </section>
  );
}

export function SegmentsPage() {
  const { canWrite } = usePermissions();
  const segments = useResource(() => listSegments());
  const fields = useResource(listCustomFields);
  const lists = useResource(() => listLists());
  const [deleting, setDeleting] = useState<Segment | undefined>();
  const [editing, setEditing] = useState<{ segment: Segment; root: GroupDraft } | undefined>();
  const [notice, setNotice] = useState<string>();
  const edit = (s: Segment) => {
    const root = ruleToDraft(s.rules);
    if (!root) {
      setNotice(`The rules of ${s.name} use what the builder does not show (an activity with several property filters); change them through PATCH /v1/segments/${s.id}.`);
      return;
    }
    setNotice(undefined);
    setEditing({ segment: s, root });
    requestAnimationFrame(() => document.getElementById('builder-title')?.scrollIntoView());
  };
  const remove = useAction(async (s: Segment) => {
    await deleteSegment(s.id);
    return true;
  });
  const rows = segments.data?.data ?? [];
  const catalog = useMemo(
    () => ({ fields: fields.data ?? [], lists: lists.data?.data ?? [], segments: segments.data?.data ?? [], editingId: editing?.segment.id }),
    [fields.data, lists.data, segments.data, editing],
  );
  return (
    <section aria-labelledby="page-title">
      <div className="page-head">
        <h1 id="page-title" tabIndex={-1}>
          Segments
        </h1>
        <p className="muted">Dynamic segments: membership follows the rules as contacts change.</p>
        <button type="button" className="secondary" onClick={() => void segments.reload()} disabled={segments.loading}>
          Refresh
        </button>
      </div>
      <ReadOnlyNote />
      <Notice message={notice} />
      <ErrorMessage error={segments.error ?? fields.error ?? lists.error} />
      <Busy busy={segments.loading} label="Loading segments…" />
      <TableScroll label="Segments table">
        <table>
          <caption className="sr-only">Segments</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Members</th>
              <th scope="col">Status</th>
              <th scope="col">Created</th>
              <th scope="col">Id</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((s) => (
              <tr key={s.id}>
                <th scope="row">{s.name}</th>
                <td>{s.member_count.toLocaleString()}</td>
                <td>
                  <span className={`badge status-${s.status}`}>{s.status}</span>
                </td>
                <td>{formatTime(s.created_at)}</td>
                <td>
                  <code>{s.id}</code>
                </td>
                <td className="row-actions">
                  {canWrite && (
                    <>
                      <button type="button" className="secondary" onClick={() => edit(s)} aria-label={`Edit ${s.name}`}>
                        Edit
                      </button>
                      <button
                        type="button"
                        className="danger"
                        onClick={() => {
                          remove.clearError();
                          setDeleting(s);
                        }}
                      >
                        Delete
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
            {!segments.loading && rows.length === 0 && (
              <tr>
                <td colSpan={6}>No segments yet. Build one below.</td>
              </tr>
            )}
          </tbody>
        </table>
      </TableScroll>
      <Builder
        key={editing ? `edit-${editing.segment.id}` : 'new'}
        catalog={catalog}
        editing={editing}
        onCancel={() => setEditing(undefined)}
        onSaved={(s) => {
          setNotice(editing ? `Segment ${s.name} saved; rebuilding with the new rules.` : `Segment ${s.name} saved.`);
          setEditing(undefined);
          void segments.reload();
        }}
      />
      <ConfirmDialog
        open={!!deleting}
        title={`Delete ${deleting?.name ?? 'segment'}?`}
        confirmLabel="Delete segment"
        busy={remove.busy}
        error={remove.error}
        onCancel={() => setDeleting(undefined)}
        onConfirm={async () => {
          const s = deleting;
          if (!s || !(await remove.run(s))) return;
          setDeleting(undefined);
          setNotice(`Segment ${s.name} deleted.`);
          void segments.reload();
        }}
      >
        <p>The segment stops updating and its members are forgotten; the contacts stay.</p>
      </ConfirmDialog>
    </section>
  );
}
