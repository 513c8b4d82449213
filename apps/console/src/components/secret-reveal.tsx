/** Shows a secret exactly once (it is only in this component's props, never stored) beside a Copy button. */
import { useState } from 'react';

export function SecretReveal({ label, secret, note }: { label: string; secret: string; note: string }) {
  const [copied, setCopied] = useState<string>('');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('Copied to the clipboard.');
    } catch {
      setCopied('Copy failed: select the text and copy it by hand.');
    }
  };
  return (
    <div className="secret">
      <p>{note}</p>
      <div className="secret-row">
        <input aria-label={label} readOnly value={secret} onFocus={(e) => e.currentTarget.select()} spellCheck={false} />
        <button type="button" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      <span role="status" aria-live="polite" className="muted">
        {copied}
      </span>
    </div>
  );
}
