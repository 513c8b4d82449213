/**
 * Envelope encryption of webhook signing secrets at rest (SPEC §14). Each
 * secret is encrypted with its own random AES-256-GCM data key; the data key
 * is encrypted ("wrapped") with a key-encryption key (KEK) from
 * configuration (`WEBHOOK_SECRET_KEK`). The row keeps the sealed secret and
 * the id of the KEK that wraps it, so several KEKs can be accepted while one
 * is rotated out: the first KEK of the list seals, every KEK of it opens.
 *
 * Both layers authenticate the endpoint id (GCM additional data), so a
 * sealed secret copied onto another endpoint's row does not open there.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const FORMAT = 'v1';

/**
 * The built-in development KEK: used when `WEBHOOK_SECRET_KEK` is unset
 * outside production (tests, a service started by hand), refused in
 * production. Its value is public, so secrets sealed with it are protected
 * only in name; `npm start` generates a real one into `.infra/webhook-secret-kek`.
 */
const DEV_KEY = Buffer.from('sigil-dev-only-webhook-secret-kek').subarray(0, KEY_BYTES);
export const DEV_WEBHOOK_SECRET_KEK = `dev:${DEV_KEY.toString('base64')}`;

/** Whether a KEK is the public development one (refused in production under any id). */
export function isDevelopmentKek(kek: Kek): boolean {
  return kek.key.equals(DEV_KEY);
}

export interface Kek {
  id: string;
  key: Buffer;
}

/** A KEK written without an id is named after its fingerprint, so the same key always gets the same id. */
function fingerprintId(key: Buffer): string {
  return `k${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
}

/**
 * Parses `WEBHOOK_SECRET_KEK`: a comma-separated list of `id:key` (or a bare
 * `key`), each key 32 bytes in base64; the first one seals. Returns the
 * problem as a string when the value is malformed.
 */
export function parseKeks(value: string): Kek[] | string {
  const entries = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!entries.length) return 'expected at least one key: id:base64 (32 bytes), comma-separated';
  const keks: Kek[] = [];
  for (const [i, entry] of entries.entries()) {
    const colon = entry.indexOf(':');
    const id = colon >= 0 ? entry.slice(0, colon) : undefined;
    const encoded = colon >= 0 ? entry.slice(colon + 1) : entry;
    if (id !== undefined && !/^[A-Za-z0-9_.-]{1,32}$/.test(id)) return `key ${i + 1}: the id must be 1-32 letters, digits, '_', '.' or '-'`;
    if (!/^[A-Za-z0-9+/]+=*$/.test(encoded)) return `key ${i + 1}: expected base64`;
    const key = Buffer.from(encoded, 'base64');
    if (key.length !== KEY_BYTES) return `key ${i + 1}: expected ${KEY_BYTES} bytes (base64 of 32 random bytes, e.g. openssl rand -base64 32), got ${key.length}`;
    const kekId = id ?? fingerprintId(key);
    if (keks.some((k) => k.id === kekId)) return `key ${i + 1}: the id '${kekId}' is used twice`;
    keks.push({ id: kekId, key });
  }
  return keks;
}

function encrypt(key: Buffer, plaintext: Buffer, aad: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

function decrypt(key: Buffer, sealed: Buffer, aad: string): Buffer {
  const iv = sealed.subarray(0, IV_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
}

const WRAPPED_DEK_BYTES = IV_BYTES + KEY_BYTES + TAG_BYTES;

export class SecretKeyring {
  private readonly byId: Map<string, Buffer>;

  constructor(readonly keks: readonly Kek[]) {
    if (!keks.length) throw new Error('a keyring needs at least one key');
    this.byId = new Map(keks.map((k) => [k.id, k.key]));
  }

  static fromConfig(value: string | undefined): SecretKeyring {
    const keks = parseKeks(value ?? DEV_WEBHOOK_SECRET_KEK);
    if (typeof keks === 'string') throw new Error(`WEBHOOK_SECRET_KEK: ${keks}`);
    return new SecretKeyring(keks);
  }

  /** The id of the KEK that seals. */
  get currentId(): string {
    return this.keks[0]!.id;
  }

  has(kekId: string): boolean {
    return this.byId.has(kekId);
  }

  /** `v1.<base64(wrapped data key | encrypted secret)>`, wrapped with the current KEK. */
  seal(endpointId: string, secret: string): string {
    const dek = randomBytes(KEY_BYTES);
    const wrapped = encrypt(this.keks[0]!.key, dek, `sigil-webhook-dek:${this.currentId}:${endpointId}`);
    const body = encrypt(dek, Buffer.from(secret, 'utf8'), `sigil-webhook-secret:${endpointId}`);
    return `${FORMAT}.${Buffer.concat([wrapped, body]).toString('base64')}`;
  }

  /** The secret in clear; throws when the KEK is not configured or the value was altered or moved. */
  open(endpointId: string, kekId: string, sealed: string): string {
    const kek = this.byId.get(kekId);
    if (!kek) throw new Error(`the signing secret of ${endpointId} is sealed with key '${kekId}', which WEBHOOK_SECRET_KEK does not list`);
    const [format, encoded] = sealed.split('.', 2);
    if (format !== FORMAT || !encoded) throw new Error(`the signing secret of ${endpointId} is not a sealed value`);
    const raw = Buffer.from(encoded, 'base64');
    const dek = decrypt(kek, raw.subarray(0, WRAPPED_DEK_BYTES), `sigil-webhook-dek:${kekId}:${endpointId}`);
    return decrypt(dek, raw.subarray(WRAPPED_DEK_BYTES), `sigil-webhook-secret:${endpointId}`).toString('utf8');
  }
}
