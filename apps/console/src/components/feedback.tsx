/** Progress and error display shared by every page: the API envelope's message, code and request id. */
import type { ApiError } from '../api/http';

export function ErrorMessage({ error }: { error: ApiError | undefined }) {
  if (!error) return null;
  return (
    <div className="error" role="alert">
      <strong>{error.message}</strong>
      {error.details.length > 0 && (
        <ul>
          {error.details.map((d, i) => (
            <li key={i}>
              {(d.path ?? d.field) ? <code>{d.path ?? d.field}</code> : null} {d.message}
            </li>
          ))}
        </ul>
      )}
      <div className="error-meta">
        {error.status > 0 && <span>HTTP {error.status}</span>} <code>{error.code}</code>
        {error.requestId && (
          <span>
            {' '}
            · request <code>{error.requestId}</code>
          </span>
        )}
      </div>
    </div>
  );
}

export function Busy({ busy, label = 'Working…' }: { busy: boolean; label?: string }) {
  return (
    <span className="busy" role="status" aria-live="polite">
      {busy ? label : ''}
    </span>
  );
}

export function Notice({ message }: { message: string | undefined }) {
  return (
    <p className="notice" role="status" aria-live="polite">
      {message ?? ''}
    </p>
  );
}
