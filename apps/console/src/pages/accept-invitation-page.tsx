/**
 * Where an invitation link lands (`/console/accept-invitation#token=…`, the
 * link the Members page gives the inviter): a new user chooses a password, an
 * existing user confirms theirs (the API tells the two apart by the invited
 * email), and the console opens signed in to the inviting organization with
 * the invited role. A refused token (forged, expired, revoked, already used)
 * shows the API's envelope and what to do next. Without a token in the link,
 * the token can be pasted.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { acceptInvitation } from '../api/members';
import { Busy, ErrorMessage } from '../components/feedback';
import { useAction } from '../components/use-action';
import { BASE, clearUrlFragment, invitationTokenInUrl, navigate } from '../router';

type Account = 'new' | 'existing';

// What the invitee can do about each refusal; the API's message says what happened.
const NEXT_STEP: Record<string, string> = {
  invitation_invalid: 'Check that you opened the whole link, or ask the person who invited you for a new invitation.',
  invitation_expired: 'Invitations last 7 days: ask the person who invited you for a new one.',
  invitation_revoked: 'Ask the person who invited you for a new invitation.',
  invitation_used: 'If you accepted it, sign in with your email and password.',
  invalid_credentials: 'This email already has a Sigil account: enter that account’s password.',
};

export function AcceptInvitationPage() {
  const [fromLink, setFromLink] = useState(invitationTokenInUrl);
  const [token, setToken] = useState(fromLink ?? '');
  const [account, setAccount] = useState<Account>('new');
  const [password, setPassword] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const action = useAction(() => acceptInvitation({ token: token.trim(), password }));
  const { clearError } = action;
  // The token is a credential: once read, it leaves the address bar. Another link opened in this tab
  // changes only the fragment (no reload): its token replaces the one read before.
  useEffect(() => {
    const take = () => {
      const next = invitationTokenInUrl();
      if (next) {
        setFromLink(next);
        setToken(next);
        clearError();
      }
      clearUrlFragment();
    };
    take();
    window.addEventListener('hashchange', take);
    return () => window.removeEventListener('hashchange', take);
  }, [clearError]);
  useEffect(() => {
    document.title = 'Accept invitation · Sigil console';
  }, []);
  const choose = (a: Account) => {
    setAccount(a);
    setMismatch(false);
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const differs = account === 'new' && password !== confirmation;
    setMismatch(differs);
    if (differs) return;
    if (await action.run()) navigate('members');
  };
  const nextStep = action.error && NEXT_STEP[action.error.code];
  return (
    <main className="auth" id="main">
      <h1>Accept your invitation</h1>
      <p>You were invited to join an organization on Sigil. Accepting signs you in to it with the role you were invited with.</p>
      <form onSubmit={(e) => void submit(e)} className="card" aria-label="Accept the invitation">
        {!fromLink && (
          <label>
            Invitation token
            <input required spellCheck={false} autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} />
          </label>
        )}
        <fieldset>
          <legend>Your Sigil account</legend>
          <label className="inline">
            <input type="radio" name="account" checked={account === 'new'} onChange={() => choose('new')} />I am new to Sigil: create my account
          </label>
          <label className="inline">
            <input type="radio" name="account" checked={account === 'existing'} onChange={() => choose('existing')} />I already have a Sigil account with the invited
            email
          </label>
        </fieldset>
        <label>
          Password
          <input
            type="password"
            name="password"
            autoComplete={account === 'new' ? 'new-password' : 'current-password'}
            required
            minLength={account === 'new' ? 10 : undefined}
            maxLength={128}
            aria-describedby="password-help"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        <p id="password-help" className="muted">
          {account === 'new' ? 'Choose a password of at least 10 characters for the invited email.' : 'The password of your existing account proves it is you.'}
        </p>
        {account === 'new' && (
          <label>
            Confirm password
            <input type="password" autoComplete="new-password" required value={confirmation} onChange={(e) => setConfirmation(e.target.value)} />
          </label>
        )}
        {mismatch && (
          <p className="error" role="alert">
            The two passwords differ.
          </p>
        )}
        <ErrorMessage error={action.error} />
        {nextStep && <p className="notice">{nextStep}</p>}
        <div className="actions">
          <button type="submit" disabled={action.busy}>
            Accept invitation
          </button>
          <Busy busy={action.busy} label="Accepting the invitation…" />
        </div>
      </form>
      <p>
        Not for you, or already accepted? <a href={`${BASE}/`}>Sign in</a>
      </p>
    </main>
  );
}
