/** Sign in (the demo login printed by `npm start` works here) and Sign up (a new organisation and its owner). */
import { useState, type FormEvent } from 'react';
import { signIn, signUp } from '../api/auth';
import { Busy, ErrorMessage } from '../components/feedback';
import { useAction } from '../components/use-action';

export function SignInPage() {
  const [creating, setCreating] = useState(false);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [organization, setOrganization] = useState('');
  const action = useAction(() => (creating ? signUp({ email, password, organization_name: organization }) : signIn({ email, password })));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void action.run();
  };
  return (
    <main className="auth" id="main">
      <h1>{creating ? 'Create your Sigil account' : 'Sign in to Sigil'}</h1>
      <form onSubmit={submit} className="card">
        <label>
          Email
          <input type="email" name="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label>
          Password
          <input
            type="password"
            name="password"
            autoComplete={creating ? 'new-password' : 'current-password'}
            required
            minLength={creating ? 10 : undefined}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {creating && (
          <label>
            Organization
            <input name="organization" autoComplete="organization" required value={organization} onChange={(e) => setOrganization(e.target.value)} />
          </label>
        )}
        <ErrorMessage error={action.error} />
        <div className="actions">
          <button type="submit" disabled={action.busy}>
            {creating ? 'Sign up' : 'Sign in'}
          </button>
          <Busy busy={action.busy} label={creating ? 'Creating your account…' : 'Signing in…'} />
        </div>
      </form>
      <p>
        {creating ? 'Already have an account?' : 'New to Sigil?'}{' '}
        <button
          type="button"
          className="link"
          onClick={() => {
            setCreating(!creating);
            action.clearError();
          }}
        >
          {creating ? 'Sign in' : 'Sign up'}
        </button>
      </p>
    </main>
  );
}
