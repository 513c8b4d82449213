/**
 * GitHub secret scanning's request signature (the partner programme's
 * protocol): `Github-Public-Key-Identifier` names one of GitHub's public keys
 * (ECDSA P-256), `Github-Public-Key-Signature` is the base64 DER signature of
 * the raw body's SHA-256. The keys come from configuration
 * (`SECRET_SCANNING_PUBLIC_KEYS`: GitHub's `GET /meta/public_keys/secret_scanning`
 * document, or its `public_keys` array), so verifying a request needs no
 * call to GitHub. docs/secret-scanning.md says how to fetch and rotate them.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';

/** The partner endpoint; its body reaches the route as raw bytes (the signature covers them exactly). */
export const SECRET_SCANNING_VERIFY_PATH = '/v1/secret-scanning/verify';

export const SIGNATURE_HEADERS = {
  keyIdentifier: 'github-public-key-identifier',
  signature: 'github-public-key-signature',
} as const;

/** A DER ECDSA P-256 signature is at most 72 bytes (96 base64 characters); anything far longer is not one. */
const MAX_SIGNATURE_LENGTH = 200;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * The configured public keys by identifier. Throws, naming the entry, on a
 * document that is not GitHub's format or a key that is not ECDSA P-256.
 */
export function parsePublicKeys(json: string): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  if (!json.trim()) return keys;
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    throw new Error('not JSON: paste the document of https://api.github.com/meta/public_keys/secret_scanning (or its public_keys array)');
  }
  const list = Array.isArray(doc) ? doc : (doc as { public_keys?: unknown } | null)?.public_keys;
  if (!Array.isArray(list) || !list.length) throw new Error('expected {"public_keys": [{"key_identifier", "key"}, …]} with at least one key');
  list.forEach((entry: unknown, i) => {
    const { key_identifier: id, key: pem } = (entry ?? {}) as { key_identifier?: unknown; key?: unknown };
    if (typeof id !== 'string' || !id || typeof pem !== 'string') throw new Error(`public_keys[${i}]: needs key_identifier and key (PEM) strings`);
    let key: KeyObject;
    try {
      key = createPublicKey(pem);
    } catch {
      throw new Error(`public_keys[${i}] (${id}): key is not a PEM public key`);
    }
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new Error(`public_keys[${i}] (${id}): not an ECDSA P-256 key`);
    }
    keys.set(id, key);
  });
  return keys;
}

/** True when `body` is signed by the configured key the identifier names. */
export function verifyGithubSignature(keys: ReadonlyMap<string, KeyObject>, identifier: unknown, signature: unknown, body: Buffer): boolean {
  if (typeof identifier !== 'string' || typeof signature !== 'string') return false;
  const key = keys.get(identifier);
  if (!key || signature.length > MAX_SIGNATURE_LENGTH || !BASE64.test(signature)) return false;
  try {
    return verify('sha256', body, { key, dsaEncoding: 'der' }, Buffer.from(signature, 'base64'));
  } catch {
    // A malformed DER signature throws rather than failing: it is simply not a valid signature.
    return false;
  }
}
