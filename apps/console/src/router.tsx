/**
 * A small history router for the console's pages under `/console/` (the
 * gateway answers every page path with the app): the navigation's pages, and
 * `accept-invitation`, where an invitation link lands (signed in or not).
 */
import { useEffect, useState, type AnchorHTMLAttributes, type MouseEvent } from 'react';

export const BASE = '/console';

export type PageId = 'api-keys' | 'webhooks' | 'usage' | 'contacts' | 'lists' | 'segments' | 'audit-log' | 'members';
export const PAGES: { id: PageId; title: string }[] = [
  { id: 'api-keys', title: 'API keys' },
  { id: 'webhooks', title: 'Webhooks' },
  { id: 'usage', title: 'Usage' },
  { id: 'contacts', title: 'Contacts' },
  { id: 'lists', title: 'Lists' },
  { id: 'segments', title: 'Segments' },
  { id: 'audit-log', title: 'Audit log' },
  { id: 'members', title: 'Members' },
];

/** The page an invitation link opens (`/console/accept-invitation#token=…`); not in the navigation. */
export const ACCEPT_INVITATION = 'accept-invitation';
export type Route = PageId | typeof ACCEPT_INVITATION;

function currentPage(): Route {
  const rest = window.location.pathname.slice(BASE.length).replace(/^\/+|\/+$/g, '');
  if (rest === ACCEPT_INVITATION) return ACCEPT_INVITATION;
  return PAGES.find((p) => p.id === rest)?.id ?? 'api-keys';
}

const listeners = new Set<() => void>();
window.addEventListener('popstate', () => listeners.forEach((l) => l()));

export function navigate(page: PageId): void {
  window.history.pushState(null, '', `${BASE}/${page}`);
  listeners.forEach((l) => l());
}

export function usePage(): Route {
  const [page, setPage] = useState<Route>(currentPage);
  useEffect(() => {
    const l = () => setPage(currentPage());
    listeners.add(l);
    return () => {
      listeners.delete(l);
    };
  }, []);
  return page;
}

export function PageLink({ page, ...rest }: { page: PageId } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(page);
  };
  return <a href={`${BASE}/${page}`} onClick={onClick} {...rest} />;
}

/**
 * The link an invitee opens. The token rides in the fragment, which the
 * browser never sends to a server: it stays out of access logs, proxies and
 * `Referer` headers.
 */
export function invitationLink(token: string): string {
  return `${window.location.origin}${BASE}/${ACCEPT_INVITATION}#token=${encodeURIComponent(token)}`;
}

/** The invitation token in the current URL's fragment, if any. */
export function invitationTokenInUrl(): string | undefined {
  return new URLSearchParams(window.location.hash.slice(1)).get('token') ?? undefined;
}

/** Drops the fragment (the token, once read) from the address bar and this history entry. */
export function clearUrlFragment(): void {
  if (window.location.hash) window.history.replaceState(null, '', window.location.pathname);
}
