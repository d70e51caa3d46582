// Two languages, chosen from the browser, switchable and remembered.
// Every message exists in both (the Messages type makes a missing one a
// build error); <html lang> follows the choice, and dates and numbers are
// formatted for it.
import { en, type Messages } from './messages.en';
import { vi } from './messages.vi';

export type Locale = 'en' | 'vi';
export type MessageKey = keyof Messages;
type Params = Record<string, string | number>;

const dictionaries: Record<Locale, Messages> = { en, vi };
const storageKey = 'stillroom.desk.locale';

function initialLocale(): Locale {
  try {
    const saved = localStorage.getItem(storageKey);
    if (saved === 'en' || saved === 'vi') return saved;
  } catch {
    // Storage can be unavailable (private mode); the browser decides.
  }
  for (const l of navigator.languages ?? [navigator.language]) {
    const base = l.toLowerCase().split('-')[0];
    if (base === 'vi') return 'vi';
    if (base === 'en') return 'en';
  }
  return 'en';
}

const first = initialLocale();
let current = $state<Locale>(first);

/** The locale tag for Intl: the browser's own variant of the language when it has one (en-GB), else vi-VN / en-US. */
function intlTag(l: Locale): string {
  const own = (navigator.languages ?? []).find((x) => x.toLowerCase().split('-')[0] === l);
  return own ?? (l === 'vi' ? 'vi-VN' : 'en-US');
}

export const i18n = {
  get locale(): Locale {
    return current;
  },
  get tag(): string {
    return intlTag(current);
  },
  set(l: Locale) {
    current = l;
    try {
      localStorage.setItem(storageKey, l);
    } catch {
      // Not remembered, still switched.
    }
    document.documentElement.lang = l;
  },
};
document.documentElement.lang = first;

/** The message for key in the current language, with {name} placeholders filled. */
export function t(key: MessageKey, params?: Params): string {
  const m = dictionaries[current][key];
  const text = typeof m === 'function' ? m(params ?? {}) : m;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (_, name: string) => (name in params ? format(params[name]) : `{${name}}`));
}

function format(v: string | number): string {
  return typeof v === 'number' ? formatNumber(v) : v;
}

export function formatNumber(n: number, opts?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(intlTag(current), opts).format(n);
}

export function formatBytes(n: number): string {
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const;
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return formatNumber(v, { style: 'unit', unit: units[i], unitDisplay: 'short', maximumFractionDigits: i === 0 ? 0 : 1 });
}

export function formatDate(iso: string | null | undefined, opts: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'short' }): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(intlTag(current), opts).format(d);
}

/** English plural helper for message functions. */
export function plural(n: number, one: string, other: string): string {
  return new Intl.PluralRules('en').select(n) === 'one' ? one : other;
}
