/**
 * A GitHub secret scanning report's body (a JSON array of `{token, type, url,
 * source}`) and its answer (`[{token_raw, token_type, label}]`, GitHub's
 * false-positive feedback format). A token is a candidate only if it is a
 * well-formed Sigil key — the `sg_live_`/`sg_test_` format with a valid
 * checksum — checked here with no lookup; anything else is a
 * `false_positive` at once. Candidates travel to the keys service as SHA-256
 * digests only.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { MAX_LEAK_REPORT_MATCHES, MAX_LEAK_URL_LENGTH, type LeakReport } from '@sigil/contracts';
import { DomainError, hashSecret, parseApiKey, ValidationFailed } from '@sigil/platform';

/** One match as GitHub sends it; fields GitHub may add later are ignored. */
const MatchSchema = z.object({
  token: z.string(),
  type: z.string(),
  url: z.string().nullish(),
  source: z.string().nullish(),
});
const ReportSchema = z.array(MatchSchema).min(1);
export type ReportedMatch = z.infer<typeof MatchSchema>;

export type Label = 'true_positive' | 'false_positive';
export interface FeedbackItem {
  token_raw: string;
  token_type: string;
  label: Label;
}

/** The report's matches; a body that is not GitHub's format is a 400 naming where. */
export function parseReportBody(raw: Buffer): ReportedMatch[] {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
  } catch {
    throw new DomainError(400, 'invalid_json', 'The report is not valid JSON (UTF-8).');
  }
  const parsed = ReportSchema.safeParse(doc);
  if (!parsed.success) {
    throw new ValidationFailed(parsed.error.issues.slice(0, 20).map((i) => ({ field: i.path.join('.') || '(body)', code: i.code, message: i.message })));
  }
  return parsed.data;
}

/** Per match the SHA-256 of its token when it is a well-formed Sigil key (else undefined), and the distinct candidates. */
export function candidatesOf(matches: ReportedMatch[]): { hashes: (string | undefined)[]; candidates: LeakReport['matches'] } {
  const candidates = new Map<string, LeakReport['matches'][number]>();
  const hashes = matches.map((m) => {
    if (!parseApiKey(m.token)) return undefined;
    const hash = hashSecret(m.token);
    if (!candidates.has(hash)) candidates.set(hash, { secret_hash: hash, url: (m.url ?? '').slice(0, MAX_LEAK_URL_LENGTH), source: (m.source ?? '').slice(0, 100) });
    return hash;
  });
  if (candidates.size > MAX_LEAK_REPORT_MATCHES) {
    throw new ValidationFailed([{ field: '(body)', code: 'too_many', message: `A report may name at most ${MAX_LEAK_REPORT_MATCHES} distinct Sigil keys; split it.` }]);
  }
  return { hashes, candidates: [...candidates.values()] };
}

/** GitHub's feedback: one item per match, in the report's order. */
export function feedbackOf(matches: ReportedMatch[], hashes: (string | undefined)[], found: ReadonlySet<string>): FeedbackItem[] {
  return matches.map((m, i) => ({
    token_raw: m.token,
    token_type: m.type,
    label: hashes[i] !== undefined && found.has(hashes[i]!) ? 'true_positive' : 'false_positive',
  }));
}

/** The digest that identifies a signed body: a second delivery of the same bytes is a replay. */
export function reportDigest(raw: Buffer): string {
  return createHash('sha256').update(raw).digest('hex');
}
