/**
 * Envelope encryption of signing secrets: the KEK list's format, sealing
 * and opening, what a tampered, moved or foreign-key value does, and the
 * service's refusal to start in production without a real KEK.
 */
import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '@sigil/platform';
import { KekJobConfigSchema, WebhooksConfigSchema } from '../config';
import { generateSecret } from '../signing/webhook-signer';
import { DEV_WEBHOOK_SECRET_KEK, parseKeks, SecretKeyring } from './secret-keyring';

const key = () => randomBytes(32).toString('base64');

describe('SecretKeyring', () => {
  it('parses id:key lists (the first seals) and names a bare key after its fingerprint', () => {
    const [a, b] = [key(), key()];
    const keks = parseKeks(`new:${a}, old:${b}`);
    expect(Array.isArray(keks) && keks.map((k) => k.id)).toEqual(['new', 'old']);
    const bare = parseKeks(a);
    expect(Array.isArray(bare) && bare[0]!.id).toMatch(/^k[0-9a-f]{8}$/);
    expect((parseKeks(a) as { id: string }[])[0]!.id).toBe((bare as { id: string }[])[0]!.id);
  });

  it('refuses malformed lists with a reason', () => {
    expect(parseKeks('')).toMatch(/at least one key/);
    expect(parseKeks(`a:${randomBytes(16).toString('base64')}`)).toMatch(/32 bytes/);
    expect(parseKeks('a:not base64!')).toMatch(/base64/);
    expect(parseKeks(`a b:${key()}`)).toMatch(/id must be/);
    const k = key();
    expect(parseKeks(`a:${k},a:${key()}`)).toMatch(/used twice/);
  });

  it('seals a secret so the stored value holds no part of it, and opens it again', () => {
    const ring = SecretKeyring.fromConfig(`main:${key()}`);
    const secret = generateSecret();
    const sealed = ring.seal('whe_1', secret);
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9+/]+=*$/);
    expect(sealed).not.toContain('whsec_');
    expect(sealed).not.toContain(secret.slice(6, 20));
    expect(ring.open('whe_1', 'main', sealed)).toBe(secret);
    // A fresh data key each time: the same secret never seals to the same bytes.
    expect(ring.seal('whe_1', secret)).not.toBe(sealed);
  });

  it('refuses a value moved to another endpoint, altered, or sealed with a key it lacks', () => {
    const [a, b] = [key(), key()];
    const ring = SecretKeyring.fromConfig(`a:${a}`);
    const sealed = ring.seal('whe_1', generateSecret());
    expect(() => ring.open('whe_2', 'a', sealed)).toThrow();
    const bytes = Buffer.from(sealed.slice(3), 'base64');
    bytes[bytes.length - 20]! ^= 1;
    expect(() => ring.open('whe_1', 'a', `v1.${bytes.toString('base64')}`)).toThrow();
    expect(() => ring.open('whe_1', 'b', sealed)).toThrow(/key 'b', which WEBHOOK_SECRET_KEK does not list/);
    // The same key under another id is another key: the id is authenticated with the data key.
    expect(() => SecretKeyring.fromConfig(`b:${a}`).open('whe_1', 'b', sealed)).toThrow();
    // After a rotation (new key first, old one kept) the old value still opens; new values use the new key.
    const rotated = SecretKeyring.fromConfig(`b:${b},a:${a}`);
    expect(rotated.currentId).toBe('b');
    expect(rotated.open('whe_1', 'a', sealed)).toBe(ring.open('whe_1', 'a', sealed));
  });
});

describe('WEBHOOK_SECRET_KEK in the configuration', () => {
  const base = { DATABASE_URL: 'postgres://sigil:sigil@127.0.0.1:5432/x' };

  it('refuses to start in production without a key, or with the development key', () => {
    for (const schema of [WebhooksConfigSchema, KekJobConfigSchema]) {
      expect(() => loadConfig(schema, { ...base, NODE_ENV: 'production' })).toThrow(ConfigError);
      expect(() => loadConfig(schema, { ...base, NODE_ENV: 'production' })).toThrow(/WEBHOOK_SECRET_KEK is not set: required in production/);
      expect(() => loadConfig(schema, { ...base, NODE_ENV: 'production', WEBHOOK_SECRET_KEK: DEV_WEBHOOK_SECRET_KEK })).toThrow(/development key is refused/);
      expect(() => loadConfig(schema, { ...base, NODE_ENV: 'production', WEBHOOK_SECRET_KEK: `main:${key()},${DEV_WEBHOOK_SECRET_KEK}` })).toThrow(ConfigError);
    }
  });

  it('starts in production with a real key, and elsewhere without one (the development key)', () => {
    expect(loadConfig(WebhooksConfigSchema, { ...base, NODE_ENV: 'production', WEBHOOK_SECRET_KEK: `main:${key()}` }).WEBHOOK_SECRET_KEK).toMatch(/^main:/);
    const dev = loadConfig(WebhooksConfigSchema, { ...base });
    expect(SecretKeyring.fromConfig(dev.WEBHOOK_SECRET_KEK).currentId).toBe('dev');
  });

  it('names a malformed key list without showing it', () => {
    expect(() => loadConfig(WebhooksConfigSchema, { ...base, WEBHOOK_SECRET_KEK: 'main:c2hvcnQ=' })).toThrow(
      /WEBHOOK_SECRET_KEK has invalid value "\*\*\*": key 1: expected 32 bytes/,
    );
  });
});
