/** Invitation tokens: signed claims; forged, altered or foreign-secret tokens are refused. */
import { signInvitation, verifyInvitation } from './invitation-token';

const SECRET = 's'.repeat(40);
const claims = { iid: 'inv_1', tid: 'ten_1', exp: 2_000_000_000 };

describe('invitation tokens', () => {
  it('round-trips its claims', () => {
    expect(verifyInvitation(signInvitation(claims, SECRET), SECRET)).toEqual(claims);
  });

  it('refuses an altered payload (another tenant, a later expiry), another secret, or garbage', () => {
    const token = signInvitation(claims, SECRET);
    const [payload, signature] = token.slice('sginv_'.length).split('.');
    const altered = Buffer.from(JSON.stringify({ ...claims, tid: 'ten_2' })).toString('base64url');
    expect(verifyInvitation(`sginv_${altered}.${signature}`, SECRET)).toBeUndefined();
    expect(verifyInvitation(token, 't'.repeat(40))).toBeUndefined();
    expect(verifyInvitation(`sginv_${payload}.${signature}x`, SECRET)).toBeUndefined();
    expect(verifyInvitation(`sginv_${payload}`, SECRET)).toBeUndefined();
    expect(verifyInvitation(`${token}.x`, SECRET)).toBeUndefined();
    expect(verifyInvitation(token.slice(1), SECRET)).toBeUndefined();
    expect(verifyInvitation('sginv_.', SECRET)).toBeUndefined();
  });
});
