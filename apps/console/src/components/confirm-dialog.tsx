/** A confirmation before a destructive action (revoke, delete): the consequence, the API's error if it fails, the confirm button and Cancel. */
import type { ReactNode } from 'react';
import type { ApiError } from '../api/http';
import { Dialog } from './dialog';
import { Busy, ErrorMessage } from './feedback';

interface Props {
  open: boolean;
  title: string;
  confirmLabel: string;
  busy: boolean;
  error: ApiError | undefined;
  onConfirm: () => void;
  onCancel: () => void;
  children: ReactNode;
}

export function ConfirmDialog({ open, title, confirmLabel, busy, error, onConfirm, onCancel, children }: Props) {
  return (
    <Dialog open={open} title={title} onClose={onCancel}>
      {children}
      <ErrorMessage error={error} />
      <div className="actions">
        <button type="button" className="danger" disabled={busy} onClick={onConfirm}>
          {confirmLabel}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
        <Busy busy={busy} label="Working…" />
      </div>
    </Dialog>
  );
}
