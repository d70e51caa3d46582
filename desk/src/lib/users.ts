// Accounts through the public API (admins) and one's own password.
import { gql } from './api';
import type { Role } from './session.svelte';

export interface Account {
  id: string;
  email: string;
  name: string;
  role: Role;
  disabled: boolean;
}

const fields = 'id email name role disabled';

export async function listUsers(): Promise<Account[]> {
  return (await gql<{ users: Account[] }>(`query DeskUsers { users { ${fields} } }`)).users;
}

export async function createUser(input: { email: string; name: string; role: Role; password: string }): Promise<Account> {
  return (await gql<{ createUser: Account }>(`mutation DeskCreateUser($input: CreateUserInput!) { createUser(input: $input) { ${fields} } }`, { input })).createUser;
}

export async function updateUser(id: string, input: { name?: string; role?: Role; disabled?: boolean }): Promise<Account> {
  return (await gql<{ updateUser: Account }>(`mutation DeskUpdateUser($id: ID!, $input: UpdateUserInput!) { updateUser(id: $id, input: $input) { ${fields} } }`, { id, input })).updateUser;
}

export async function resetPassword(id: string): Promise<string> {
  return (await gql<{ resetPassword: { password: string } }>(`mutation DeskResetPassword($id: ID!) { resetPassword(id: $id) { password } }`, { id })).resetPassword.password;
}

export async function changePassword(current: string, next: string): Promise<void> {
  await gql(`mutation DeskChangePassword($c: String!, $n: String!) { changePassword(current: $c, new: $n) }`, { c: current, n: next });
}

/** A strong password made in the browser (for new accounts), 20 characters. */
export function generatePassword(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(15));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_');
}
