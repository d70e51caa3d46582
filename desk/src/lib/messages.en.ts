// English messages. Every key must also be in messages.vi.ts (the type
// checks it). A message is a string with {name} placeholders, or a function
// of its parameters where English needs plurals.
export const en = {
  'app.name': 'Stillroom Desk',
  'app.skip': 'Skip to content',
  'app.loading': 'Loading…',
  'app.error': 'Something went wrong: {message}',
  'app.offline': 'The server cannot be reached. Check your connection and try again.',
  'app.retry': 'Try again',

  'nav.main': 'Main',
  'nav.library': 'Library',
  'nav.galleries': 'Galleries',
  'nav.articles': 'Articles',
  'nav.people': 'People',
  'nav.account': 'Account',

  'lang.label': 'Language',
  'lang.en': 'English',
  'lang.vi': 'Tiếng Việt',

  'session.signedInAs': 'Signed in as {name}',
  'session.signOut': 'Sign out',
  'session.ended': 'Your session has ended. Please sign in again.',
  'session.disabled': 'Your account has been disabled. Ask an administrator.',

  'signIn.title': 'Sign in to the desk',
  'signIn.email': 'Email',
  'signIn.password': 'Password',
  'signIn.submit': 'Sign in',
  'signIn.working': 'Signing in…',
  'signIn.wrong': 'Wrong email or password.',
  'signIn.limited': 'Too many attempts. Wait a moment and try again.',

  'library.title': 'Library',
  'library.empty': 'No photos yet. Drop a shoot anywhere on this window, or choose files.',
  'library.count': (p: { count?: string | number }) => (p.count === 1 || p.count === '1' ? '{count} photo' : '{count} photos'),

  'notFound.title': 'Page not found',
  'notFound.back': 'Back to the library',
} satisfies Record<string, string | ((p: Record<string, string | number>) => string)>;

export type Messages = { [K in keyof typeof en]: string | ((p: Record<string, string | number>) => string) };
