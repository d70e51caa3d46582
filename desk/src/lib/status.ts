// States and orders in the desk's language: the labels of publishing and
// processing states, and the options of the list pages' menus.
import { t } from './i18n.svelte';
import type { PublishStatus } from './galleries';
import type { AssetStatus, ListSort } from './assets';

export function statusLabel(s: PublishStatus | string): string {
  return s === 'PUBLISHED' ? t('status.published') : s === 'SCHEDULED' ? t('status.scheduled') : t('status.draft');
}

export function assetStatusLabel(s: AssetStatus): string {
  return s === 'PROCESSING' ? t('asset.status.processing') : s === 'FAILED' ? t('asset.status.failed') : t('asset.status.ready');
}

type Option<V> = { value: V; label: string };

export function publishStatuses(): Option<PublishStatus>[] {
  return (['DRAFT', 'SCHEDULED', 'PUBLISHED'] as const).map((value) => ({ value, label: statusLabel(value) }));
}

export function assetStatuses(): Option<AssetStatus>[] {
  return (['PROCESSING', 'READY', 'FAILED'] as const).map((value) => ({ value, label: assetStatusLabel(value) }));
}

/** Orders of articles and galleries. */
export function titleSorts(): Option<'NEWEST' | 'OLDEST' | 'TITLE' | 'TITLE_DESC'>[] {
  return [
    { value: 'NEWEST', label: t('library.sort.newest') },
    { value: 'OLDEST', label: t('library.sort.oldest') },
    { value: 'TITLE', label: t('library.sort.title') },
    { value: 'TITLE_DESC', label: t('library.sort.titleDesc') },
  ];
}

/** Orders of the library. */
export function assetSorts(): Option<ListSort>[] {
  return [
    { value: 'NEWEST', label: t('library.sort.newest') },
    { value: 'OLDEST', label: t('library.sort.oldest') },
    { value: 'TAKEN_AT', label: t('library.sort.takenAt') },
    { value: 'TAKEN_AT_DESC', label: t('library.sort.takenAtDesc') },
    { value: 'TIMECODE', label: t('library.sort.timecode') },
    { value: 'FILENAME', label: t('library.sort.filename') },
  ];
}
