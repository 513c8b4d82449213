/**
 * Usage: requests per day per credential (all keys or one), by status class,
 * as a stacked bar chart (hand-drawn SVG: no chart library in the bundle) with
 * the same numbers in a table, the plan's minute and day limits, and the last
 * 24 hours per hour by outcome (ok, unauthorized, forbidden, rate limited, …).
 */
import { useMemo, useState } from 'react';
import { listApiKeys } from '../api/api-keys';
import { getMe } from '../api/auth';
import { USAGE_OUTCOMES, type UsageOutcome, type UsageRow, type UsageSeriesRow } from '../api/types';
import { getHourlyUsage, getUsage } from '../api/usage';
import { Busy, ErrorMessage } from '../components/feedback';
import { formatDay } from '../components/format';
import { TableScroll } from '../components/table-scroll';
import { useResource } from '../components/use-resource';

const CLASSES = ['2xx', '3xx', '4xx', '5xx'] as const;
type StatusClass = (typeof CLASSES)[number];
type DayTotals = { day: string } & Record<StatusClass, number>;

function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function daysBack(n: number): string[] {
  const today = Date.now();
  return Array.from({ length: n }, (_, i) => isoDay(new Date(today - (n - 1 - i) * 86_400_000)));
}

function totalsByDay(rows: UsageRow[], days: string[]): DayTotals[] {
  const byDay = new Map(days.map((d) => [d, { day: d, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 } as DayTotals]));
  for (const r of rows) {
    const t = byDay.get(r.day.slice(0, 10));
    if (t) for (const c of CLASSES) t[c] += r[c];
  }
  return [...byDay.values()];
}

const HOUR_MS = 3_600_000;
type HourTotals = { at: string; total: number } & Record<UsageOutcome, number>;

/** The last 24 hours, oldest first, every credential summed (hours without requests included, as zeros). */
function totalsByHour(rows: UsageSeriesRow[], hours: string[]): HourTotals[] {
  const zero = () => Object.fromEntries(USAGE_OUTCOMES.map((o) => [o, 0])) as Record<UsageOutcome, number>;
  const byHour = new Map(hours.map((h) => [h, { at: h, total: 0, ...zero() } as HourTotals]));
  for (const r of rows) {
    const t = byHour.get(r.at);
    if (!t) continue;
    t.total += r.total;
    for (const o of USAGE_OUTCOMES) t[o] += r.outcomes?.[o] ?? 0;
  }
  return [...byHour.values()];
}

function lastHours(n: number): string[] {
  const current = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
  return Array.from({ length: n }, (_, i) => new Date(current - (n - 1 - i) * HOUR_MS).toISOString());
}

function HourlyTable({ keyId }: { keyId: string }) {
  const hours = useMemo(() => lastHours(24), []);
  const hourly = useResource(
    () => getHourlyUsage({ from: hours[0]!, to: new Date(Date.parse(hours[hours.length - 1]!) + HOUR_MS).toISOString(), key_id: keyId || undefined }),
    [hours, keyId],
  );
  const data = useMemo(() => totalsByHour(hourly.data ?? [], hours).reverse(), [hourly.data, hours]);
  return (
    <>
      <ErrorMessage error={hourly.error} />
      <Busy busy={hourly.loading} label="Loading hourly usage…" />
      <TableScroll label="Hourly usage table">
        <table>
          <caption>Requests per hour by outcome, last 24 hours</caption>
          <thead>
            <tr>
              <th scope="col">Hour</th>
              {USAGE_OUTCOMES.map((o) => (
                <th scope="col" key={o}>
                  {o.replace('_', ' ')}
                </th>
              ))}
              <th scope="col">Total</th>
            </tr>
          </thead>
          <tbody>
            {data
              .filter((h) => h.total > 0)
              .map((h) => (
                <tr key={h.at}>
                  <th scope="row">{new Date(h.at).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })}</th>
                  {USAGE_OUTCOMES.map((o) => (
                    <td key={o}>{h[o]}</td>
                  ))}
                  <td>{h.total}</td>
                </tr>
              ))}
            {!hourly.loading && data.every((h) => h.total === 0) && (
              <tr>
                <td colSpan={USAGE_OUTCOMES.length + 2}>No requests in the last 24 hours.</td>
              </tr>
            )}
          </tbody>
        </table>
      </TableScroll>
    </>
  );
}

function Chart({ data, dailyLimit }: { data: DayTotals[]; dailyLimit: number | undefined }) {
  const width = 720;
  const height = 240;
  const pad = { left: 48, bottom: 28, top: 10, right: 8 };
  const max = Math.max(1, ...data.map((d) => CLASSES.reduce((s, c) => s + d[c], 0)));
  const scale = (height - pad.top - pad.bottom) / max;
  const barWidth = (width - pad.left - pad.right) / data.length;
  return (
    <figure className="chart card">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`Requests per day by status class, last ${data.length} days (numbers in the table below)`}>
        <line x1={pad.left} x2={width - pad.right} y1={height - pad.bottom} y2={height - pad.bottom} stroke="#8a94a6" />
        <text x={pad.left - 6} y={pad.top + 10} textAnchor="end" fontSize="11" fill="#4f566b">
          {max}
        </text>
        <text x={pad.left - 6} y={height - pad.bottom} textAnchor="end" fontSize="11" fill="#4f566b">
          0
        </text>
        {data.map((d, i) => {
          let y = height - pad.bottom;
          return (
            <g key={d.day}>
              {CLASSES.map((c) => {
                const h = d[c] * scale;
                y -= h;
                return h > 0 ? <rect key={c} className={`c${c}`} x={pad.left + i * barWidth + 2} y={y} width={Math.max(1, barWidth - 4)} height={h} /> : null;
              })}
              {i % Math.ceil(data.length / 7) === 0 && (
                <text x={pad.left + i * barWidth + barWidth / 2} y={height - 8} textAnchor="middle" fontSize="11" fill="#4f566b">
                  {formatDay(d.day)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption className="legend">
        {CLASSES.map((c) => (
          <span key={c}>
            <span className={`swatch c${c}`} aria-hidden="true" />
            {c}
          </span>
        ))}
        {dailyLimit !== undefined && <span className="muted">Daily limit: {dailyLimit.toLocaleString()} requests</span>}
      </figcaption>
    </figure>
  );
}

export function UsagePage() {
  const [range, setRange] = useState(14);
  const [keyId, setKeyId] = useState('');
  const days = useMemo(() => daysBack(range), [range]);
  const usage = useResource(() => getUsage({ from: days[0], to: days[days.length - 1], key_id: keyId || undefined }), [days, keyId]);
  const keys = useResource(() => listApiKeys());
  const me = useResource(getMe);
  const data = useMemo(() => totalsByDay(usage.data ?? [], days), [usage.data, days]);
  const limits = me.data?.tenant.limits;
  const keyName = new Map((keys.data?.data ?? []).map((k) => [k.id, `${k.name} (${k.prefix}…${k.last4})`]));
  const total = data.reduce((s, d) => s + CLASSES.reduce((x, c) => x + d[c], 0), 0);
  return (
    <section aria-labelledby="page-title">
      <div className="page-head">
        <h1 id="page-title" tabIndex={-1}>
          Usage
        </h1>
        <p className="muted">{total.toLocaleString()} requests in the period</p>
      </div>
      {limits && (
        <div className="limits" aria-label="Plan limits" role="group">
          <div>
            Plan <strong>{me.data?.tenant.plan}</strong>
          </div>
          <div>
            Per minute <strong>{limits.requests_per_minute.toLocaleString()}</strong>
          </div>
          <div>
            Per day <strong>{limits.requests_per_day.toLocaleString()}</strong>
          </div>
          <div>
            Active keys <strong>{limits.max_active_keys}</strong>
          </div>
        </div>
      )}
      <div className="row card">
        <label>
          Credential
          <select value={keyId} onChange={(e) => setKeyId(e.target.value)}>
            <option value="">All keys and sessions</option>
            {(keys.data?.data ?? []).map((k) => (
              <option key={k.id} value={k.id}>
                {k.name} ({k.environment})
              </option>
            ))}
          </select>
        </label>
        <label>
          Period
          <select value={range} onChange={(e) => setRange(Number(e.target.value))}>
            <option value={7}>Last 7 days</option>
            <option value={14}>Last 14 days</option>
            <option value={30}>Last 30 days</option>
          </select>
        </label>
      </div>
      <ErrorMessage error={usage.error ?? me.error ?? keys.error} />
      <Busy busy={usage.loading} label="Loading usage…" />
      <Chart data={data} dailyLimit={limits?.requests_per_day} />
      <TableScroll label="Usage table">
        <table>
          <caption>Requests per day and credential</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">Credential</th>
              {CLASSES.map((c) => (
                <th scope="col" key={c}>
                  {c}
                </th>
              ))}
              <th scope="col">Total</th>
            </tr>
          </thead>
          <tbody>
            {(usage.data ?? [])
              .slice()
              .sort((a, b) => b.day.localeCompare(a.day))
              .map((r) => (
                <tr key={`${r.day}-${r.credential_id}`}>
                  <td>{r.day.slice(0, 10)}</td>
                  <td>{keyName.get(r.credential_id) ?? (r.credential_id.startsWith('usr_') ? 'Console / user sessions' : r.credential_id)}</td>
                  {CLASSES.map((c) => (
                    <td key={c}>{r[c]}</td>
                  ))}
                  <td>{r.total}</td>
                </tr>
              ))}
            {!usage.loading && (usage.data ?? []).length === 0 && (
              <tr>
                <td colSpan={7}>No requests in this period.</td>
              </tr>
            )}
          </tbody>
        </table>
      </TableScroll>
      <HourlyTable keyId={keyId} />
    </section>
  );
}
