/**
 * Opaque, time-sortable ids (`con_01JD…`): a 48-bit millisecond timestamp and
 * 80 random bits in Crockford base32, so ids sort by creation time and make
 * stable pagination cursors.
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const RANDOM_BYTES = 10;
/**
 * Random bytes come from the CSPRNG in blocks, not one call per id: a batch
 * of 1 000 contacts makes 2 000 ids, and a `randomBytes` call each was a
 * visible share of its CPU (docs/contacts.md, "Batch upsert"). Same
 * generator, same 80 random bits per id.
 */
const POOL_IDS = 512;
let pool = Buffer.alloc(0);
let poolAt = 0;

export function newId(prefix: string, now = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  if (poolAt + RANDOM_BYTES > pool.length) {
    pool = randomBytes(RANDOM_BYTES * POOL_IDS);
    poolAt = 0;
  }
  const from = poolAt;
  poolAt += RANDOM_BYTES;
  let rand = '';
  let acc = 0;
  let bits = 0;
  for (let i = from; i < from + RANDOM_BYTES; i++) {
    const byte = pool[i]!;
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      rand += ALPHABET[(acc >> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  return `${prefix}_${time}${rand}`;
}

export function isId(prefix: string, value: unknown): value is string {
  return typeof value === 'string' && new RegExp(`^${prefix}_[0-9A-HJKMNP-TV-Z]{26}$`).test(value);
}
