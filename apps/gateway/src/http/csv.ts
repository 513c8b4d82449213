/** Writing CSV to a streamed HTTP response (list exports, import error reports): cell quoting and back-pressure. */
import { once } from 'node:events';

/** RFC 4180 quoting, and a leading `'` on text a spreadsheet would run as a formula. */
export function csvCell(value: string, isPhone = false): string {
  let v = value;
  if (/^[=+\-@\t\r]/.test(v) && !(isPhone && /^\+\d+$/.test(v))) v = `'${v}`;
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** Writes (text, or bytes as they are) and waits for the socket to drain when its buffer is full; throws once the client has gone. */
export async function writeText(out: NodeJS.WritableStream & { destroyed: boolean }, text: string | Uint8Array): Promise<void> {
  if (out.destroyed) throw new Error('client went away');
  if (!out.write(text)) await Promise.race([once(out, 'drain'), once(out, 'close')]);
}
