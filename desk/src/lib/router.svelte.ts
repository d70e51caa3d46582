// Paths under /desk/, with the History API; the server answers every
// /desk/ path with the app, so links can be opened and shared.
//
// A page with unsaved changes registers a guard (guardUnsaved): while one
// says so, leaving (a link, navigate, Back or Forward) asks first, and
// closing or reloading the tab gets the browser's own warning.
import { t } from './i18n.svelte';

export const base = '/desk';

let path = $state(strip(location.pathname));
let query = $state(new URLSearchParams(location.search));

function strip(p: string): string {
  const rest = p.startsWith(base) ? p.slice(base.length) : p;
  return rest === '' ? '/' : rest;
}

const guards = new Set<() => boolean>();
// The URL the app shows now, to go back to when Back is refused.
let here = location.pathname + location.search;

function unsaved(): boolean {
  for (const g of guards) if (g()) return true;
  return false;
}

/** Lets the person keep unsaved changes: true when leaving may go on. */
function mayLeave(): boolean {
  return !unsaved() || confirm(t('app.leaveUnsaved'));
}

/**
 * Registers hasUnsaved, asked before the app leaves the page; returns the
 * function that removes it (a page's $effect cleanup).
 */
export function guardUnsaved(hasUnsaved: () => boolean): () => void {
  guards.add(hasUnsaved);
  return () => guards.delete(hasUnsaved);
}

window.addEventListener('beforeunload', (e) => {
  if (unsaved()) e.preventDefault();
});

window.addEventListener('popstate', () => {
  const next = location.pathname + location.search;
  if (next !== here && !mayLeave()) {
    // The history already moved: put the page's URL back on top.
    history.pushState(null, '', here);
    return;
  }
  here = next;
  path = strip(location.pathname);
  query = new URLSearchParams(location.search);
});

export const route = {
  get path() {
    return path;
  },
  get query() {
    return query;
  },
};

/** The full URL of a desk path, for href attributes. */
export function href(p: string): string {
  return base + (p.startsWith('/') ? p : '/' + p);
}

/**
 * Goes to a desk path. When a page has unsaved changes the person is asked
 * first, unless opts.force (the page itself leaves, e.g. after deleting).
 */
export function navigate(p: string, opts: { replace?: boolean; force?: boolean } = {}) {
  const url = href(p);
  const u = new URL(url, location.href);
  if (u.pathname + u.search !== here && !opts.force && !mayLeave()) return;
  if (opts.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  here = u.pathname + u.search;
  path = strip(u.pathname);
  query = new URLSearchParams(u.search);
  window.scrollTo(0, 0);
}

/** onclick for <a href={href(...)}>: in-app navigation unless the user asked for a new tab. */
export function link(e: MouseEvent) {
  const a = e.currentTarget as HTMLAnchorElement;
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey || a.target) return;
  e.preventDefault();
  navigate(a.pathname.slice(base.length) + a.search);
}

/** Matches a pattern like "/assets/:id" against the current path. */
export function match(pattern: string): Record<string, string> | null {
  const ps = pattern.split('/').filter(Boolean);
  const xs = path.split('/').filter(Boolean);
  if (ps.length !== xs.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < ps.length; i++) {
    if (ps[i].startsWith(':')) params[ps[i].slice(1)] = decodeURIComponent(xs[i]);
    else if (ps[i] !== xs[i]) return null;
  }
  return params;
}
