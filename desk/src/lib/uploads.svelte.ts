// The upload queue: a shoot at a time. A few files go up in parallel; each
// shows its own progress and the batch an overall one. A file the server
// refuses (not an image, too large, too many pixels, a duplicate) says why
// and the others carry on; a transfer that fails for the network or a busy
// server is tried again; the whole batch can be cancelled.
//
// Transport: when the server stores files in S3 the bytes go straight
// there (a presigned POST from requestUpload, then completeUpload);
// otherwise they go to /graphql as a multipart request with the
// GraphQL-Preflight header.
import { ApiError, endpoint, gql, gqlAnswer, readAnswer } from './api';
import { cardFields, localCard, uploadPolicy, type AssetCard, type UploadPolicy } from './assets';

export type UploadState = 'queued' | 'uploading' | 'processing' | 'done' | 'duplicate' | 'refused' | 'failed' | 'cancelled';

export interface UploadItem {
  key: number;
  file: File;
  name: string;
  size: number;
  state: UploadState;
  sent: number;
  attempts: number;
  /** An error code (UNSUPPORTED_MEDIA_TYPE, PAYLOAD_TOO_LARGE, …) or NETWORK. */
  code: string | null;
  message: string | null;
  asset: AssetCard | null;
}

const parallel = 3;
const maxAttempts = 3;

let items = $state<UploadItem[]>([]);
let policy: UploadPolicy | null = null;
let nextKey = 1;
const controllers = new Map<number, XMLHttpRequest>();
const seen = new Set<string>();
let onAsset: ((a: AssetCard) => void) | null = null;

export const uploads = {
  get items() {
    return items;
  },
  get active(): boolean {
    return items.some((i) => i.state === 'queued' || i.state === 'uploading');
  },
  /** Bytes sent over bytes to send, for the batch's progress bar (0..1). */
  get progress(): number {
    const total = items.filter((i) => i.state !== 'cancelled' && i.state !== 'refused').reduce((s, i) => s + i.size, 0);
    const sent = items.reduce((s, i) => s + (i.state === 'uploading' ? i.sent : ['processing', 'done', 'duplicate'].includes(i.state) ? i.size : 0), 0);
    return total === 0 ? 0 : Math.min(1, sent / total);
  },
  count(states: UploadState[]): number {
    return items.filter((i) => states.includes(i.state)).length;
  },
};

/** Tells the library about each asset an upload made or found. */
export function onUploaded(fn: (a: AssetCard) => void) {
  onAsset = fn;
}

/** Queues files and starts sending. */
export function addFiles(files: File[]) {
  for (const file of files) {
    items.push({ key: nextKey++, file, name: file.webkitRelativePath || file.name, size: file.size, state: 'queued', sent: 0, attempts: 0, code: null, message: null, asset: null });
  }
  pump();
}

export function cancelAll() {
  for (const i of items) {
    if (i.state === 'queued' || i.state === 'uploading') {
      controllers.get(i.key)?.abort();
      i.state = 'cancelled';
    }
  }
}

export function retry(key: number) {
  const i = items.find((x) => x.key === key);
  if (!i || (i.state !== 'failed' && i.state !== 'cancelled')) return;
  i.state = 'queued';
  i.attempts = 0;
  i.code = i.message = null;
  pump();
}

/** Forgets finished rows. */
export function clearFinished() {
  items = items.filter((i) => i.state === 'queued' || i.state === 'uploading' || i.state === 'processing');
}

/** Called by the library when a processing asset changes. */
export function assetChanged(a: AssetCard) {
  for (const i of items) {
    if (i.asset?.id === a.id && i.state === 'processing') {
      i.asset = a;
      if (a.status === 'READY') i.state = 'done';
      if (a.status === 'FAILED') {
        i.state = 'refused';
        i.code = 'FAILED';
        i.message = a.error;
      }
    }
  }
}

async function pump() {
  if (!policy) {
    try {
      policy = await uploadPolicy();
    } catch (e) {
      for (const i of items) if (i.state === 'queued') fail(i, e);
      return;
    }
  }
  while (items.filter((i) => i.state === 'uploading').length < parallel) {
    const next = items.find((i) => i.state === 'queued');
    if (!next) return;
    void send(next);
  }
}

function fail(i: UploadItem, e: unknown) {
  const err = e instanceof ApiError ? e : new ApiError([{ message: String(e), extensions: { code: 'NETWORK' } }], 0);
  i.code = err.code;
  i.message = err.message;
  i.state = retryable(err) ? 'failed' : 'refused';
}

function retryable(e: ApiError): boolean {
  return e.code === 'NETWORK' || e.code === 'RATE_LIMITED' || e.code === 'UNAVAILABLE' || e.status >= 500 || e.status === 429;
}

async function send(i: UploadItem) {
  const p = policy!;
  i.state = 'uploading';
  i.sent = 0;
  if (i.size > p.maxBytes) {
    i.state = 'refused';
    i.code = 'PAYLOAD_TOO_LARGE';
    return pump();
  }
  const started = Date.now();
  for (;;) {
    i.attempts++;
    try {
      const { asset, duplicate } = p.direct ? await sendDirect(i) : await sendMultipart(i);
      if (stateOf(i) === 'cancelled') return;
      i.asset = asset;
      const again = seen.has(asset.id) || duplicate || Date.parse(asset.createdAt) < started - 5000;
      seen.add(asset.id);
      if (again) {
        i.state = 'duplicate';
        i.code = 'DUPLICATE';
      } else i.state = asset.status === 'READY' ? 'done' : asset.status === 'FAILED' ? 'refused' : 'processing';
      if (asset.status === 'FAILED') {
        i.code = 'FAILED';
        i.message = asset.error;
      }
      onAsset?.(asset);
      break;
    } catch (e) {
      if (stateOf(i) === 'cancelled') return;
      fail(i, e);
      if (stateOf(i) !== 'failed' || i.attempts >= maxAttempts) break;
      i.state = 'uploading';
      await new Promise((r) => setTimeout(r, 500 * 2 ** i.attempts));
      if (stateOf(i) === 'cancelled') return;
    }
  }
  controllers.delete(i.key);
  pump();
}

// The state as it is now (other code may change it while a send awaits).
function stateOf(i: UploadItem): UploadState {
  return i.state;
}

interface Sent {
  asset: AssetCard;
  duplicate: boolean;
}

function xhr(i: UploadItem, method: string, url: string, body: FormData, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    controllers.set(i.key, x);
    x.open(method, url);
    for (const [k, v] of Object.entries(headers)) x.setRequestHeader(k, v);
    x.upload.onprogress = (e) => {
      if (e.lengthComputable) i.sent = Math.min(i.size, (e.loaded / e.total) * i.size);
    };
    x.onload = () => resolve({ status: x.status, text: x.responseText });
    x.onerror = () => reject(new ApiError([{ message: 'network error', extensions: { code: 'NETWORK' } }], 0));
    x.onabort = () => reject(new ApiError([{ message: 'cancelled', extensions: { code: 'CANCELLED' } }], 0));
    x.send(body);
  });
}

type CardAnswer = { [k: string]: AssetCard };

function isDuplicate(extensions: Record<string, unknown>): boolean {
  return ((extensions.duplicates as unknown[] | undefined)?.length ?? 0) > 0;
}

async function sendMultipart(i: UploadItem): Promise<Sent> {
  const form = new FormData();
  form.append('operations', JSON.stringify({ query: `mutation DeskUpload($f: Upload!) { uploadAsset(file: $f) { ${cardFields} } }`, variables: { f: null } }));
  form.append('map', JSON.stringify({ 0: ['variables.f'] }));
  form.append('0', i.file, i.file.name);
  const r = await xhr(i, 'POST', endpoint, form, { 'GraphQL-Preflight': '1', Accept: 'application/graphql-response+json, application/json' });
  const { data, extensions } = readAnswer<CardAnswer>(r.status, r.text);
  return { asset: localCard(data.uploadAsset), duplicate: isDuplicate(extensions) };
}

/**
 * The image type of a file by its first bytes (JPEG, PNG, GIF, WebP), as the
 * server decides it; null when they are none of these. The browser's type
 * comes from the file's name, which may be missing or unknown (.jfif, no
 * extension).
 */
export async function sniffType(file: Blob): Promise<string | null> {
  const b = new Uint8Array(await file.slice(0, 12).arrayBuffer());
  const at = (offset: number, ...bytes: number[]) => bytes.every((x, k) => b[offset + k] === x);
  if (at(0, 0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (at(0, 0x47, 0x49, 0x46, 0x38)) return 'image/gif';
  if (at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50)) return 'image/webp';
  return null;
}

async function sendDirect(i: UploadItem): Promise<Sent> {
  // A file that is none of these is declared as the browser names it and
  // refused by the server (or, named .jpg, once its bytes are read).
  const type = (await sniffType(i.file).catch(() => null)) ?? (i.file.type || 'application/octet-stream');
  const d = await gql<{ requestUpload: { id: string; url: string; method: string; fields: { name: string; value: string }[] } }>(
    `mutation DeskRequestUpload($input: RequestUploadInput!) { requestUpload(input: $input) { id url method fields { name value } } }`,
    { input: { filename: i.file.name, contentType: type, byteSize: i.size } },
  );
  const t = d.requestUpload;
  const form = new FormData();
  for (const f of t.fields) form.append(f.name, f.value);
  form.append('file', i.file, i.file.name);
  const r = await xhr(i, t.method, t.url, form, {});
  if (r.status >= 300) {
    const tooLarge = /EntityTooLarge/.test(r.text);
    throw new ApiError([{ message: `storage answered HTTP ${r.status}`, extensions: { code: tooLarge ? 'PAYLOAD_TOO_LARGE' : r.status >= 500 ? 'UNAVAILABLE' : 'BAD_USER_INPUT' } }], r.status);
  }
  const { data, extensions } = await gqlAnswer<CardAnswer>(
    `mutation DeskCompleteUpload($id: ID!) { completeUpload(ticketId: $id) { ${cardFields} } }`,
    { id: t.id },
  );
  return { asset: localCard(data.completeUpload), duplicate: isDuplicate(extensions) };
}
