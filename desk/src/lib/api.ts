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

/** A GraphQL answer: its data and the server's extensions (duplicates, problems). */
export interface Answer<T> {
  data: T;
  extensions: Record<string, unknown>;
}

/** The error code of an HTTP status whose body is not a GraphQL answer. */
function statusCode(status: number): string {
  if (status === 0) return 'NETWORK';
  if (status === 413) return 'PAYLOAD_TOO_LARGE';
  if (status === 429) return 'RATE_LIMITED';
  if (status === 503) return 'UNAVAILABLE';
  return status >= 500 ? 'INTERNAL' : 'BAD_USER_INPUT';
}

function networkError(err: unknown): never {
  if ((err as Error).name === 'AbortError') throw err;
  throw new ApiError([{ message: (err as Error).message, extensions: { code: 'NETWORK' } }], 0);
}

/**
 * Reads a GraphQL HTTP answer, from fetch or XMLHttpRequest alike: its data,
 * or an ApiError with a code even when the body is not JSON (a proxy's 413
 * or 503). An UNAUTHENTICATED answer tells the session listeners.
 */
export function readAnswer<T>(status: number, text: string): Answer<T> {
  let body: { data?: T; errors?: GraphQLErrorShape[]; extensions?: Record<string, unknown> };
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiError([{ message: `HTTP ${status}`, extensions: { code: statusCode(status) } }], status);
  }
  if (body.errors?.length) {
    const e = new ApiError(body.errors, status);
    sessionLost(e);
    throw e;
  }
  if (status < 200 || status >= 300 || body.data === undefined) {
    throw new ApiError([{ message: `HTTP ${status}`, extensions: { code: statusCode(status) } }], status);
  }
  return { data: body.data, extensions: body.extensions ?? {} };
}

/** Runs one GraphQL operation and returns its answer, or throws an ApiError. */
export async function gqlAnswer<T>(query: string, variables?: Record<string, unknown>, signal?: AbortSignal): Promise<Answer<T>> {
  let res: Response;
  let text: string;
  try {
    res = await fetch(endpoint, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/graphql-response+json, application/json' },
      body: JSON.stringify({ query, variables: variables ?? {} }),
      signal,
    });
    text = await res.text();
  } catch (err) {
    networkError(err);
  }
  return readAnswer<T>(res.status, text);
}

/** Runs one GraphQL operation and returns its data, or throws an ApiError. */
export async function gql<T>(query: string, variables?: Record<string, unknown>, signal?: AbortSignal): Promise<T> {
  return (await gqlAnswer<T>(query, variables, signal)).data;
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
