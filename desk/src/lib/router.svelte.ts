// Paths under /desk/, with the History API; the server answers every
// /desk/ path with the app, so links can be opened and shared.
export const base = '/desk';

let path = $state(strip(location.pathname));
let query = $state(new URLSearchParams(location.search));

function strip(p: string): string {
  const rest = p.startsWith(base) ? p.slice(base.length) : p;
  return rest === '' ? '/' : rest;
}

window.addEventListener('popstate', () => {
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

export function navigate(p: string, opts: { replace?: boolean } = {}) {
  const url = href(p);
  if (opts.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  const u = new URL(url, location.href);
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
