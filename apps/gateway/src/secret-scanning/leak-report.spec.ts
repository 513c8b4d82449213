/** Secret scanning reports: which tokens are candidates (format and checksum, no lookup) and GitHub's feedback array. */
import { generateApiKey, hashSecret } from '@sigil/platform';
import { candidatesOf, feedbackOf, parseReportBody, reportDigest } from './leak-report';

const body = (v: unknown) => Buffer.from(JSON.stringify(v));

describe('secret scanning reports', () => {
  const live = generateApiKey('live');
  const test = generateApiKey('test');
  // The last character changed: the checksum no longer matches.
  const badChecksum = live.slice(0, -1) + (live.endsWith('a') ? 'b' : 'a');

  it('only well-formed Sigil keys with a valid checksum are candidates; each once, with where it was first found', () => {
    const matches = parseReportBody(
      body([
        { token: live, type: 'sigil_api_key', url: 'https://github.com/o/r/blob/1/.env', source: 'content' },
        { token: badChecksum, type: 'sigil_api_key', url: '', source: 'commit' },
        { token: 'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB', type: 'github_pat', url: '', source: 'content' },
        { token: `${live}x`, type: 'sigil_api_key', url: '', source: 'content' },
        { token: test, type: 'sigil_api_key', url: null, source: null },
        { token: live, type: 'sigil_api_key', url: 'https://github.com/o/r/issues/2', source: 'issue_comment' },
      ]),
    );
    const { hashes, candidates } = candidatesOf(matches);
    expect(hashes).toEqual([hashSecret(live), undefined, undefined, undefined, hashSecret(test), hashSecret(live)]);
    expect(candidates).toEqual([
      { secret_hash: hashSecret(live), url: 'https://github.com/o/r/blob/1/.env', source: 'content' },
      { secret_hash: hashSecret(test), url: '', source: '' },
    ]);
    // The answer: one item per match, in order; only keys the keys service found are true positives.
    expect(feedbackOf(matches, hashes, new Set([hashSecret(live)]))).toEqual([
      { token_raw: live, token_type: 'sigil_api_key', label: 'true_positive' },
      { token_raw: badChecksum, token_type: 'sigil_api_key', label: 'false_positive' },
      { token_raw: 'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB', token_type: 'github_pat', label: 'false_positive' },
      { token_raw: `${live}x`, token_type: 'sigil_api_key', label: 'false_positive' },
      { token_raw: test, token_type: 'sigil_api_key', label: 'false_positive' },
      { token_raw: live, token_type: 'sigil_api_key', label: 'true_positive' },
    ]);
  });

  it('refuses a body that is not a non-empty array of {token, type} with a 400 naming the field', () => {
    for (const bad of [{}, [], [{ token: 1, type: 'x' }], [{ type: 'x' }], 'text']) {
      expect(() => parseReportBody(body(bad))).toThrow(expect.objectContaining({ status: 400, code: 'validation_failed' }));
    }
    expect(() => parseReportBody(Buffer.from('[{"token":'))).toThrow(expect.objectContaining({ status: 400, code: 'invalid_json' }));
    expect(() => parseReportBody(Buffer.from([0x5b, 0xff, 0x5d]))).toThrow(expect.objectContaining({ code: 'invalid_json' }));
    try {
      parseReportBody(body([{ token: 'a', type: 'b' }, { token: 'c' }]));
    } catch (err) {
      expect((err as { details: { field: string }[] }).details[0]!.field).toBe('1.type');
    }
  });

  it('caps the distinct keys of one report', () => {
    const many = Array.from({ length: 1001 }, () => ({ token: generateApiKey('live'), type: 'sigil_api_key' }));
    expect(() => candidatesOf(parseReportBody(body(many)))).toThrow(expect.objectContaining({ status: 400 }));
    expect(candidatesOf(parseReportBody(body(many.slice(0, 1000)))).candidates).toHaveLength(1000);
  });

  it('identifies a body by the SHA-256 of its bytes', () => {
    expect(reportDigest(Buffer.from('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
