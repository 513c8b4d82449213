/** A small history router for the console's pages under `/console/` (the gateway answers every page path with the app). */
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

function currentPage(): PageId {
  const rest = window.location.pathname.slice(BASE.length).replace(/^\/+|\/+$/g, '');
  return PAGES.find((p) => p.id === rest)?.id ?? 'api-keys';
}

const listeners = new Set<() => void>();
window.addEventListener('popstate', () => listeners.forEach((l) => l()));

export function navigate(page: PageId): void {
  window.history.pushState(null, '', `${BASE}/${page}`);
  listeners.forEach((l) => l());
}

export function usePage(): PageId {
  const [page, setPage] = useState<PageId>(currentPage);
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
