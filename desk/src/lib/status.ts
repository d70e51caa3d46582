// Publishing states in the desk's language.
import { t } from './i18n.svelte';
import type { PublishStatus } from './galleries';

export function statusLabel(s: PublishStatus | string): string {
  return s === 'PUBLISHED' ? t('status.published') : s === 'SCHEDULED' ? t('status.scheduled') : t('status.draft');
}
