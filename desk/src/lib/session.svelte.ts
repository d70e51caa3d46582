// Who is signed in. The session itself is an HttpOnly cookie: the page
// never sees the token, it only asks the API who it is.
import { ApiError, closeSubscriptions, gql, onSessionLost } from './api';
import type { MessageKey } from './i18n.svelte';

export type Role = 'PHOTOGRAPHER' | 'EDITOR' | 'ADMIN';
export interface Me {
  id: string;
  name: string;
  email: string;
  role: Role;
}

const meFields = 'id name email role';

let me = $state<Me | null>(null);
let checked = $state(false);
let notice = $state<MessageKey | null>(null);

export const session = {
  get me() {
    return me;
  },
  /** True once the first "who am I" answer arrived. */
  get checked() {
    return checked;
  },
  /** Why the user was sent to the sign-in page, if not by choice. */
  get notice() {
    return notice;
  },
  can(role: Role): boolean {
    const rank: Record<Role, number> = { PHOTOGRAPHER: 1, EDITOR: 2, ADMIN: 3 };
    return me !== null && rank[me.role] >= rank[role];
  },
};

onSessionLost(async (e) => {
  if (!me) return;
  me = null;
  closeSubscriptions();
  // A subscription only learns that it lost its rights; a plain request
  // with the session cookie is told why (expired, signed out, disabled).
  let why = e.message;
  if (!/disabled/i.test(why)) {
    try {
      await gql<{ me: Me | null }>(`query DeskWhy { me { id } }`);
    } catch (x) {
      if (x instanceof ApiError) why = x.message;
    }
  }
  notice = /disabled/i.test(why) ? 'session.disabled' : 'session.ended';
});

export async function loadMe(): Promise<void> {
  try {
    const d = await gql<{ me: Me | null }>(`query DeskMe { me { ${meFields} } }`);
    me = d.me;
  } catch (e) {
    // A stale session cookie (expired, revoked, the account disabled) is
    // answered UNAUTHENTICATED once, with the reason, and cleared.
    if (!(e instanceof ApiError) || e.code !== 'UNAUTHENTICATED') throw e;
    me = null;
    notice = /disabled/i.test(e.message) ? 'session.disabled' : 'session.ended';
  } finally {
    checked = true;
  }
}

/** Signs in with a cookie session; throws ApiError (UNAUTHENTICATED, RATE_LIMITED, …). */
export async function signIn(email: string, password: string): Promise<void> {
  const d = await gql<{ login: { user: Me } }>(
    `mutation DeskSignIn($email: String!, $password: String!) { login(email: $email, password: $password, cookie: true) { user { ${meFields} } } }`,
    { email, password },
  );
  notice = null;
  closeSubscriptions();
  me = d.login.user;
}

export async function signOut(): Promise<void> {
  try {
    await gql<{ logout: boolean }>(`mutation DeskSignOut { logout }`);
  } catch (e) {
    if (!(e instanceof ApiError) || e.code !== 'UNAUTHENTICATED') throw e;
  }
  notice = null;
  me = null;
  closeSubscriptions();
}
