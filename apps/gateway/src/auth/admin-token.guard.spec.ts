/** The operator API's guard: only the configured token; none configured → the routes do not exist. */
import type { ExecutionContext } from '@nestjs/common';
import { AdminTokenGuard, isAdminToken } from './admin-token.guard';
import type { AuthFailureThrottle } from './auth-failure-throttle';

const TOKEN = 'a'.repeat(40);

function run(configured: string, authorization?: string) {
  const failures: string[] = [];
  const throttle = { assertNotBlocked: () => undefined, recordFailure: async (ip: string) => void failures.push(ip) } as unknown as AuthFailureThrottle;
  const req = { ip: '1.2.3.4', method: 'PATCH', url: '/v1/admin/tenants/x?y', headers: authorization ? { authorization } : {} };
  const context = { switchToHttp: () => ({ getRequest: () => req }) } as unknown as ExecutionContext;
  return { result: new AdminTokenGuard({ SIGIL_ADMIN_TOKEN: configured }, throttle).canActivate(context), failures };
}

describe('AdminTokenGuard', () => {
  it('admits the configured token only', async () => {
    await expect(run(TOKEN, `Bearer ${TOKEN}`).result).resolves.toBe(true);
    for (const header of [undefined, `Bearer ${TOKEN}b`, `Bearer ${TOKEN.slice(1)}`, TOKEN, `Basic ${TOKEN}`, 'Bearer sg_live_x']) {
      const { result, failures } = run(TOKEN, header);
      await expect(result).rejects.toMatchObject({ status: 401, code: 'invalid_token' });
      expect(failures).toEqual(['1.2.3.4']);
    }
  });

  it('without a configured token the operator routes answer 404, whatever is sent', async () => {
    await expect(run('', `Bearer ${TOKEN}`).result).rejects.toMatchObject({ status: 404, code: 'not_found' });
    await expect(run('', 'Bearer ').result).rejects.toMatchObject({ status: 404 });
  });

  it('compares digests (equal length whatever is presented)', () => {
    expect(isAdminToken(TOKEN, TOKEN)).toBe(true);
    expect(isAdminToken('', TOKEN)).toBe(false);
    expect(isAdminToken(undefined, TOKEN)).toBe(false);
    expect(isAdminToken('', '')).toBe(false);
  });
});
