/**
 * Session modes (issue #21.3): a JWT session chooses live or test mode at
 * login and switches at refresh; the mode is carried in the access token and
 * kept across rotations, and a session sees exactly the data a key of that
 * environment sees.
 */
import { ApiClient, contactInput, createTenant, TestStack, type TestTenant } from '@sigil/testing';

describe('session mode (live / test)', () => {
  let stack: TestStack;
  let tenant: TestTenant;
  let anonymous: ApiClient;
  let liveContact: string;
  let testContact: string;

  beforeAll(async () => {
    stack = await TestStack.start({ services: ['keys', 'contacts', 'gateway'] });
    tenant = await createTenant(stack.gatewayUrl);
    anonymous = new ApiClient(stack.gatewayUrl);
    liveContact = (await tenant.api.post('/v1/contacts', contactInput())).body.data.id;
    const testKey = await tenant.client({ mode: 'test' });
    testContact = (await testKey.post('/v1/contacts', contactInput())).body.data.id;
  });

  afterAll(async () => {
    await stack?.close();
  });

  const as = (accessToken: string) => new ApiClient(stack.gatewayUrl, { authorization: `Bearer ${accessToken}` });
  const contactIds = async (client: ApiClient) => ((await client.get('/v1/contacts')).body.data as { id: string }[]).map((c) => c.id);

  it('a session logged in with mode test sees only test-mode data, and says so', async () => {
    const login = await anonymous.post('/v1/auth/login', { email: tenant.email, password: tenant.password, mode: 'test' });
    expect(login.status).toBe(200);
    expect(login.body.data.mode).toBe('test');
    const session = as(login.body.data.access_token);
    expect(await contactIds(session)).toEqual([testContact]);
    expect((await session.get(`/v1/contacts/${liveContact}`)).status).toBe(404);
    expect((await session.get('/v1/me')).body.data.mode).toBe('test');
    // What it creates is test data: a live key does not see it.
    const created = (await session.post('/v1/contacts', contactInput())).body.data.id;
    expect((await tenant.api.get(`/v1/contacts/${created}`)).status).toBe(404);
  });

  it('a login without mode is live, as before', async () => {
    const login = await anonymous.post('/v1/auth/login', { email: tenant.email, password: tenant.password });
    expect(login.body.data.mode).toBe('live');
    expect(await contactIds(as(login.body.data.access_token))).toContain(liveContact);
    expect(await contactIds(as(login.body.data.access_token))).not.toContain(testContact);
  });

  it('refresh with mode switches the session; later refreshes keep the mode', async () => {
    const login = await anonymous.post('/v1/auth/login', { email: tenant.email, password: tenant.password });
    const switched = await anonymous.post('/v1/auth/refresh', { refresh_token: login.body.data.refresh_token, mode: 'test' });
    expect(switched.status).toBe(200);
    expect(switched.body.data.mode).toBe('test');
    expect(await contactIds(as(switched.body.data.access_token))).not.toContain(liveContact);
    const kept = await anonymous.post('/v1/auth/refresh', { refresh_token: switched.body.data.refresh_token });
    expect(kept.body.data.mode).toBe('test');
    expect((await as(kept.body.data.access_token).get('/v1/me')).body.data.mode).toBe('test');
    const back = await anonymous.post('/v1/auth/refresh', { refresh_token: kept.body.data.refresh_token, mode: 'live' });
    expect(await contactIds(as(back.body.data.access_token))).toContain(liveContact);
    // The switch is a rotation like any other: the exchanged token is dead.
    expect((await anonymous.post('/v1/auth/refresh', { refresh_token: switched.body.data.refresh_token })).status).toBe(401);
  });

  it('rejects an unknown mode with 400, and logout takes no mode', async () => {
    const bad = await anonymous.post('/v1/auth/login', { email: tenant.email, password: tenant.password, mode: 'staging' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    const login = await anonymous.post('/v1/auth/login', { email: tenant.email, password: tenant.password });
    expect((await anonymous.post('/v1/auth/logout', { refresh_token: login.body.data.refresh_token, mode: 'test' })).status).toBe(400);
  });
});
