/** Status code → usage outcome (SPEC §15). */
import { usageOutcome } from './usage-outcome';

describe('usageOutcome', () => {
  it.each([
    [200, 'ok'],
    [201, 'ok'],
    [204, 'ok'],
    [304, 'ok'],
    [400, 'invalid'],
    [401, 'unauthorized'],
    [403, 'forbidden'],
    [404, 'not_found'],
    [405, 'invalid'],
    [409, 'invalid'],
    [413, 'invalid'],
    [422, 'invalid'],
    [429, 'rate_limited'],
    [500, 'error'],
    [503, 'error'],
    [504, 'error'],
  ])('%i → %s', (status, outcome) => {
    expect(usageOutcome(status)).toBe(outcome);
  });
});
