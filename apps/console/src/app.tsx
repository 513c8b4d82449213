/**
 * The console's frame: sign-in when signed out; otherwise a header with the
 * organisation, the always-visible test/live mode switch and Sign out, the
 * navigation, and the current page.
 */
import { useEffect, useRef } from 'react';
import { getMe, signOut, switchMode } from './api/auth';
import type { Mode } from './api/types';
import { ErrorMessage, Busy } from './components/feedback';
import { useAction } from './components/use-action';
import { useResource } from './components/use-resource';
import { AcceptInvitationPage } from './pages/accept-invitation-page';
import { ApiKeysPage } from './pages/api-keys-page';
import { AuditLogPage } from './pages/audit-log-page';
import { ContactsPage } from './pages/contacts-page';
import { ListsPage } from './pages/lists-page';
import { MembersPage } from './pages/members-page';
import { SegmentsPage } from './pages/segments-page';
import { SignInPage } from './pages/sign-in-page';
import { UsagePage } from './pages/usage-page';
import { WebhooksPage } from './pages/webhooks-page';
import { ACCEPT_INVITATION, PageLink, PAGES, usePage, type PageId } from './router';
import { PermissionsProvider } from './session/permissions';
import { useSession } from './session/session-context';

function ModeSwitch() {
  const { mode } = useSession();
  const action = useAction((m: Mode) => switchMode(m));
  return (
    <div className="mode-switch">
      <div role="group" aria-label="Mode">
        {(['live', 'test'] as const).map((m) => (
          <button key={m} type="button" aria-pressed={mode === m} disabled={action.busy} onClick={() => mode !== m && void action.run(m)}>
            {m === 'live' ? 'Live mode' : 'Test mode'}
          </button>
        ))}
      </div>
      <Busy busy={action.busy} label="Switching mode…" />
      <ErrorMessage error={action.error} />
    </div>
  );
}

function CurrentPage({ page }: { page: PageId }) {
  switch (page) {
    case 'api-keys':
      return <ApiKeysPage />;
    case 'webhooks':
      return <WebhooksPage />;
    case 'usage':
      return <UsagePage />;
    case 'contacts':
      return <ContactsPage />;
    case 'lists':
      return <ListsPage />;
    case 'segments':
      return <SegmentsPage />;
    case 'audit-log':
      return <AuditLogPage />;
    case 'members':
      return <MembersPage />;
  }
}

export function App() {
  const { signedIn, mode } = useSession();
  const page = usePage();
  const me = useResource(() => (signedIn ? getMe() : Promise.resolve(undefined)), [signedIn]);
  const out = useAction(signOut);
  const mainRef = useRef<HTMLElement>(null);
  const title = PAGES.find((p) => p.id === page)?.title ?? 'Console';
  useEffect(() => {
    if (page === ACCEPT_INVITATION) return;
    document.title = signedIn ? `${title} · Sigil console` : 'Sign in · Sigil console';
    // Moving focus to the new page's heading tells screen-reader users the page changed.
    if (signedIn) mainRef.current?.querySelector('h1')?.focus();
  }, [page, signedIn, title]);
  // An invitation link opens its page signed in or not: accepting signs in as the invitee.
  if (page === ACCEPT_INVITATION) return <AcceptInvitationPage />;
  if (!signedIn) return <SignInPage />;
  return (
    <div className={`shell mode-${mode}`}>
      <a className="skip" href="#main">
        Skip to content
      </a>
      {mode === 'test' && (
        <div className="test-banner" role="note">
          Test mode: you are viewing test data. Keys, contacts and webhooks here never touch live data.
        </div>
      )}
      <header className="topbar">
        <span className="brand">Sigil</span>
        <span className="org">{me.data ? `${me.data.tenant.name} · ${me.data.tenant.plan}` : ''}</span>
        <ModeSwitch />
        <button type="button" className="secondary" onClick={() => void out.run()} disabled={out.busy}>
          Sign out
        </button>
      </header>
      <nav aria-label="Console">
        <ul>
          {PAGES.map((p) => (
            <li key={p.id}>
              <PageLink page={p.id} aria-current={p.id === page ? 'page' : undefined}>
                {p.title}
              </PageLink>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" ref={mainRef}>
        <PermissionsProvider me={me.data}>
          <CurrentPage page={page} />
        </PermissionsProvider>
      </main>
    </div>
  );
}
