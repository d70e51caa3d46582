// The desk's GraphQL client: the public API only, on the same origin, with
// the session in an HttpOnly cookie the page cannot read. JSON requests
// (never form encodings) are what keep another site from posting as the
// user; uploads add the GraphQL-Preflight header for the same reason.
import { createClient, type Client } from 'graphql-ws';

export interface GraphQLErrorShape {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; [k: string]: unknown };
}

/** An error answered by the API, with its code (UNAUTHENTICATED, CONFLICT, …). */
export class ApiError extends Error {
  readonly code: string;
  readonly errors: GraphQLErrorShape[];
  readonly status: number;
  constructor(errors: GraphQLErrorShape[], status: number) {
    super(errors[0]?.message ?? `HTTP ${status}`);
    this.name = 'ApiError';
    this.errors = errors;
    this.status = status;
    this.code = errors[0]?.extensions?.code ?? (status === 0 ? 'NETWORK' : 'INTERNAL');
  }
  get extensions(): Record<string, unknown> {
    return this.errors[0]?.extensions ?? {};
  }
}

type Listener = (e: ApiError) => void;
const authListeners = new Set<Listener>();

/** Calls fn whenever the API says the session is gone (signed out elsewhere, expired, disabled). */
export function onSessionLost(fn: Listener): () => void {
  authListeners.add(fn);
  return () => authListeners.delete(fn);
}

function sessionLost(e: ApiError) {
  if (e.code === 'UNAUTHENTICATED') for (const fn of authListeners) fn(e);
}

export const endpoint = '/graphql';

/** Runs one GraphQL operation and returns its data, or throws an ApiError. */
export async function gql<T>(query: string, variables?: Record<string, unknown>, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(endpoint, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/graphql-response+json, application/json' },
      body: JSON.stringify({ query, variables: variables ?? {} }),
      signal,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError([{ message: (err as Error).message, extensions: { code: 'NETWORK' } }], 0);
  }
  let body: { data?: T; errors?: GraphQLErrorShape[] };
  try {
    body = await res.json();
  } catch {
    throw new ApiError([{ message: `HTTP ${res.status}` }], res.status);
  }
  if (body.errors?.length) {
    const e = new ApiError(body.errors, res.status);
    sessionLost(e);
    throw e;
  }
  if (!res.ok || body.data === undefined) throw new ApiError([{ message: `HTTP ${res.status}` }], res.status);
  return body.data;
}

let ws: Client | null = null;

/** The websocket client for subscriptions, made on first use. */
export function subscriptions(): Client {
  if (!ws) {
    const url = new URL(endpoint, location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    ws = createClient({ url: url.href, lazy: true, retryAttempts: Infinity, shouldRetry: () => true });
  }
  return ws;
}

/** Closes the websocket (on sign-out, so the next one carries the new session). */
export function closeSubscriptions() {
  ws?.dispose();
  ws = null;
}

/** Subscribes and calls onData for each event until the returned function is called. */
export function subscribe<T>(query: string, variables: Record<string, unknown>, onData: (d: T) => void, onError?: (e: unknown) => void): () => void {
  return subscriptions().subscribe<T>(
    { query, variables },
    {
      next: (r) => {
        if (r.errors?.length) {
          const e = new ApiError(r.errors as GraphQLErrorShape[], 200);
          sessionLost(e);
          onError?.(e);
        } else if (r.data) onData(r.data as T);
      },
      error: (e) => onError?.(e),
      complete: () => {},
    },
  );
}
