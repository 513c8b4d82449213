/** GitHub secret scanning signatures: ECDSA P-256 over the raw body, keys from configuration (tests make their own pair). */
import { generateKeyPairSync, sign } from 'node:crypto';
import { parsePublicKeys, verifyGithubSignature } from './github-signature';

const pair = () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const pem = (k: ReturnType<typeof pair>) => k.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const signed = (k: ReturnType<typeof pair>, body: Buffer) => sign('sha256', body, { key: k.privateKey, dsaEncoding: 'der' }).toString('base64');

describe('GitHub secret scanning signatures', () => {
  const current = pair();
  const previous = pair();
  const keys = parsePublicKeys(
    JSON.stringify({
      public_keys: [
        { key_identifier: 'current', key: pem(current), is_current: true },
        { key_identifier: 'previous', key: pem(previous), is_current: false },
      ],
    }),
  );
  const body = Buffer.from('[{"token":"sg_live_x","type":"sigil_api_key","url":"https://github.com/o/r/blob/1/a","source":"content"}]');

  it('accepts a body signed by the key its identifier names (either configured key)', () => {
    expect(verifyGithubSignature(keys, 'current', signed(current, body), body)).toBe(true);
    expect(verifyGithubSignature(keys, 'previous', signed(previous, body), body)).toBe(true);
  });

  it('refuses a missing, unknown or mismatched identifier, a missing or malformed signature, another key, a changed byte', () => {
    const sig = signed(current, body);
    expect(verifyGithubSignature(keys, undefined, sig, body)).toBe(false);
    expect(verifyGithubSignature(keys, 'unknown', sig, body)).toBe(false);
    expect(verifyGithubSignature(keys, 'previous', sig, body)).toBe(false);
    expect(verifyGithubSignature(keys, ['current'], sig, body)).toBe(false);
    expect(verifyGithubSignature(keys, 'current', undefined, body)).toBe(false);
    expect(verifyGithubSignature(keys, 'current', '', body)).toBe(false);
    expect(verifyGithubSignature(keys, 'current', 'not base64!', body)).toBe(false);
    expect(verifyGithubSignature(keys, 'current', Buffer.from('garbage DER').toString('base64'), body)).toBe(false);
    expect(verifyGithubSignature(keys, 'current', 'A'.repeat(400), body)).toBe(false);
    expect(verifyGithubSignature(keys, 'current', signed(pair(), body), body)).toBe(false);
    // The raw bytes are signed: re-serialised JSON (same meaning, other spacing) does not verify.
    const respaced = Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 1));
    expect(verifyGithubSignature(keys, 'current', sig, respaced)).toBe(false);
    const tampered = Buffer.from(body.toString().replace('content', 'commit!'));
    expect(verifyGithubSignature(keys, 'current', sig, tampered)).toBe(false);
  });

  it('reads GitHub’s document or its bare array; nothing configured is no keys', () => {
    expect(parsePublicKeys('').size).toBe(0);
    expect([...parsePublicKeys(JSON.stringify([{ key_identifier: 'k', key: pem(current) }])).keys()]).toEqual(['k']);
  });

  it('refuses configuration that is not GitHub’s format or not ECDSA P-256, naming the entry', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(() => parsePublicKeys('{')).toThrow(/not JSON/);
    expect(() => parsePublicKeys('{"public_keys": []}')).toThrow(/at least one key/);
    expect(() => parsePublicKeys(JSON.stringify([{ key_identifier: 'a' }]))).toThrow(/public_keys\[0\]/);
    expect(() => parsePublicKeys(JSON.stringify([{ key_identifier: 'a', key: 'nope' }]))).toThrow(/public_keys\[0\] \(a\): key is not a PEM/);
    expect(() =>
      parsePublicKeys(
        JSON.stringify([
          { key_identifier: 'a', key: pem(current) },
          { key_identifier: 'b', key: rsa },
        ]),
      ),
    ).toThrow(/public_keys\[1\] \(b\): not an ECDSA P-256/);
    expect(() => parsePublicKeys(JSON.stringify([{ key_identifier: 'c', key: p384 }]))).toThrow(/not an ECDSA P-256/);
  });
});
