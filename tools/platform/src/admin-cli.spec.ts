/** The operator CLI's command lines and the requests they stand for. */
import { parseAdminCommand, USAGE } from './admin-cli';

describe('npm run admin', () => {
  it('set-plan names a plan', () => {
    expect(parseAdminCommand(['set-plan', 'ten_1', 'pro'])).toEqual({ tenantId: 'ten_1', body: { plan: 'pro' } });
    expect(parseAdminCommand(['set-plan', 'ten_1', 'platinum'])).toEqual({ error: expect.stringContaining("unknown plan 'platinum'") });
  });

  it('set-limits and clear-limits', () => {
    expect(parseAdminCommand(['set-limits', 'ten_1', '2000', '900000', '200'])).toEqual({
      tenantId: 'ten_1',
      body: { limits: { per_minute: 2000, per_day: 900000, max_keys: 200 } },
    });
    expect(parseAdminCommand(['set-limits', 'ten_1', '0', '1', '1'])).toEqual({ error: 'limits are positive integers' });
    expect(parseAdminCommand(['clear-limits', 'ten_1'])).toEqual({ tenantId: 'ten_1', body: { limits: null } });
  });

  it('anything else prints the usage', () => {
    for (const args of [[], ['set-plan'], ['set-plan', 'ten_1'], ['drop', 'ten_1']]) expect(parseAdminCommand(args)).toEqual({ error: USAGE });
  });
});
