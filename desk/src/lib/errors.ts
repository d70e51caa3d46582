// What the desk says when something fails: its own message for each error
// code the API answers (and NETWORK, the desk's own for no answer), in the
// desk's language. The server's messages are English and meant for
// developers: the Vietnamese desk never shows them; the English desk adds
// them after its own message where they name what was wrong (a field, a
// limit). An unknown code gets a generic message with the code.
import { ApiError } from './api';
import { i18n, t, type MessageKey } from './i18n.svelte';

/** Every code the API can answer the desk, and the desk's message for it. */
export const codeMessages: Record<string, MessageKey> = {
  UNAUTHENTICATED: 'error.UNAUTHENTICATED',
  FORBIDDEN: 'error.FORBIDDEN',
  NOT_FOUND: 'error.NOT_FOUND',
  BAD_USER_INPUT: 'error.BAD_USER_INPUT',
  CONFLICT: 'error.CONFLICT',
  PAYLOAD_TOO_LARGE: 'error.PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'error.UNSUPPORTED_MEDIA_TYPE',
  TOO_MANY_PIXELS: 'error.TOO_MANY_PIXELS',
  QUERY_TOO_COMPLEX: 'error.QUERY_TOO_COMPLEX',
  RATE_LIMITED: 'error.RATE_LIMITED',
  UNAVAILABLE: 'error.UNAVAILABLE',
  NOT_IMPLEMENTED: 'error.NOT_IMPLEMENTED',
  INTERNAL: 'error.INTERNAL',
  NETWORK: 'error.NETWORK',
  // gqlgen's own: the desk sent an operation this server does not know.
  GRAPHQL_PARSE_FAILED: 'error.GRAPHQL',
  GRAPHQL_VALIDATION_FAILED: 'error.GRAPHQL',
};

// Codes whose server message says something the desk's does not (which
// field, which limit); the others' are generic ("internal error").
const specific = new Set(['BAD_USER_INPUT', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE', 'TOO_MANY_PIXELS', 'QUERY_TOO_COMPLEX']);

/** The desk's message for an error (an ApiError, or anything thrown), in its language. */
export function errorText(e: unknown): string {
  if (!(e instanceof ApiError)) return t('error.unexpected');
  return codeText(e.code, e.message);
}

/** The desk's message for an error code, with the server's message (English) added only in English. */
export function codeText(code: string, serverMessage?: string | null): string {
  const key = codeMessages[code];
  const own = key ? t(key) : t('error.other', { code });
  if (i18n.locale === 'en' && specific.has(code) && serverMessage) return `${own.replace(/\.$/, '')} (${serverMessage}).`;
  return own;
}
