// The library's API calls: the public GraphQL API, nothing else.
import { ApiError, gql, subscribe } from './api';

export type AssetStatus = 'PROCESSING' | 'READY' | 'FAILED';

export interface Rendition {
  name: string;
  width: number;
  height: number;
  url: string;
}

/** What a grid cell needs. */
export interface AssetCard {
  id: string;
  status: AssetStatus;
  error: string | null;
  filename: string | null;
  width: number | null;
  height: number | null;
  caption: string | null;
  altText: string | null;
  credit: string | null;
  blurhash: string | null;
  dominantColor: string | null;
  focalPoint: { x: number; y: number } | null;
  srcset: string;
  /** The WebP twins' srcset; empty until the asset has them. */
  webpSrcset: string;
  renditions: Rendition[];
  createdAt: string;
}

/** What the asset page needs. */
export interface AssetDetail extends AssetCard {
  version: number;
  mimeType: string;
  byteSize: number;
  copyright: string | null;
  tags: string[];
  takenAt: string | null;
  timecode: { hours: number; minutes: number; seconds: number; frames: number; still: number | null } | null;
  camera: { make: string | null; model: string | null; lens: string | null; focalLength: number | null; aperture: number | null; exposureTime: string | null; iso: number | null } | null;
  uploadedBy: { id: string; name: string } | null;
  updatedAt: string;
  usedIn: { id: string; title: string; status: string }[];
  usedInArticles: { id: string; title: string; status: string }[];
}

/**
 * The desk shows renditions from this server's own /media path, whatever
 * origin the API put in front of them (STILLROOM_PUBLIC_URL, a CDN): that
 * is where the staff session cookie goes, so unpublished photos display
 * too, and it is always allowed by the desk's Content-Security-Policy.
 */
export function localMedia(u: string): string {
  try {
    const x = new URL(u, location.href);
    return x.pathname.startsWith('/media/') ? x.pathname + x.search : u;
  } catch {
    return u;
  }
}

/**
 * The object-position at which object-fit: cover shows the crop the server
 * makes for square512 and the social card: the largest box of that aspect
 * (width/height), centred on the focal point as near as the image's edges
 * allow (media.cropAspect). A plain "x% y%" of the focal point would show
 * another crop whenever the point is off-centre.
 */
export function cropPosition(focal: { x: number; y: number }, width: number, height: number, aspect: number): string {
  const along = (p: number, size: number, crop: number) => (crop >= size ? 50 : (Math.min(Math.max(p * size - crop / 2, 0), size - crop) / (size - crop)) * 100);
  const pct = (v: number) => `${Math.round(v * 100) / 100}%`;
  if (width / height >= aspect) return `${pct(along(focal.x, width, height * aspect))} 50%`;
  return `50% ${pct(along(focal.y, height, width / aspect))}`;
}

/** The social card's aspect (1200×630). */
export const socialAspect = 1200 / 630;

/** A srcset ("url 256w, url 512w") with its URLs made local. */
export function localSrcset(srcset: string): string {
  return srcset
    .split(',')
    .map((part) => {
      const [u, w] = part.trim().split(/\s+/);
      return u ? `${localMedia(u)}${w ? ' ' + w : ''}` : '';
    })
    .filter(Boolean)
    .join(', ');
}

/** The entries of a srcset no wider than max pixels. */
export function narrowSrcset(srcset: string, max: number): string {
  return srcset
    .split(',')
    .map((part) => part.trim())
    .filter((part) => {
      const w = /\s(\d+)w$/.exec(part);
      return part && (!w || Number(w[1]) <= max);
    })
    .join(', ');
}

/** An asset as the desk keeps it: rendition URLs made local (see localMedia). */
export function localCard<T extends AssetCard>(a: T): T {
  return {
    ...a,
    renditions: a.renditions.map((r) => ({ ...r, url: localMedia(r.url) })),
    srcset: localSrcset(a.srcset),
    webpSrcset: localSrcset(a.webpSrcset ?? ''),
  };
}

export const cardFields = `id status error filename width height caption altText credit blurhash dominantColor focalPoint { x y } srcset webpSrcset: srcset(format: WEBP) renditions { name width height url } createdAt`;
const detailFields = `${cardFields} version mimeType byteSize copyright tags takenAt timecode { hours minutes seconds frames still }
  camera { make model lens focalLength aperture exposureTime iso } uploadedBy { id name } updatedAt
  usedIn { id title status } usedInArticles { id title status }`;

export type ListSort = 'NEWEST' | 'OLDEST' | 'FILENAME' | 'FILENAME_DESC' | 'TAKEN_AT' | 'TAKEN_AT_DESC' | 'TIMECODE' | 'TIMECODE_DESC' | 'TITLE' | 'TITLE_DESC';

export interface AssetFilter {
  sort?: ListSort;
  search?: string;
  status?: AssetStatus;
  uploadedBy?: string;
  unattached?: boolean;
}

export interface Page<T> {
  items: T[];
  total: number;
  endCursor: string | null;
  hasNext: boolean;
}

function clean(f: AssetFilter): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (f.search?.trim()) out.search = f.search.trim();
  if (f.status) out.status = f.status;
  if (f.uploadedBy) out.uploadedBy = f.uploadedBy;
  if (f.unattached) out.unattached = true;
  return out;
}

/** One page of the library, newest first. */
export async function listAssets(filter: AssetFilter, first: number, after: string | null, signal?: AbortSignal): Promise<Page<AssetCard>> {
  const d = await gql<{ assets: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: AssetCard }[] } }>(
    `query DeskAssets($first: Int!, $after: String, $filter: AssetFilter, $sort: ListSort) {
      assets(first: $first, after: $after, filter: $filter, sort: $sort) { totalCount pageInfo { hasNextPage endCursor } edges { node { ${cardFields} } } }
    }`,
    { first, after, filter: clean(filter), sort: filter.sort ?? 'NEWEST' },
    signal,
  );
  return { items: d.assets.edges.map((e) => localCard(e.node)), total: d.assets.totalCount, endCursor: d.assets.pageInfo.endCursor, hasNext: d.assets.pageInfo.hasNextPage };
}

/** Every id matching the filter (for "select all"), a page of ids at a time. */
export async function listAssetIDs(filter: AssetFilter): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (;;) {
    const d: { assets: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: { id: string } }[] } } = await gql(
      `query DeskAssetIDs($after: String, $filter: AssetFilter) { assets(first: 100, after: $after, filter: $filter) { pageInfo { hasNextPage endCursor } edges { node { id } } } }`,
      { after, filter: clean(filter) },
    );
    for (const e of d.assets.edges) ids.push(e.node.id);
    if (!d.assets.pageInfo.hasNextPage) return ids;
    after = d.assets.pageInfo.endCursor;
  }
}

export async function getAsset(id: string): Promise<AssetDetail | null> {
  const d = await gql<{ asset: AssetDetail | null }>(`query DeskAsset($id: ID!) { asset(id: $id) { ${detailFields} } }`, { id });
  return d.asset ? localCard(d.asset) : null;
}

export interface AssetInput {
  caption?: string | null;
  altText?: string | null;
  credit?: string | null;
  copyright?: string | null;
  tags?: string[];
  focalPoint?: { x: number; y: number };
}

/** Saves an edit; CONFLICT (as ApiError) when version is stale. */
export async function updateAsset(id: string, input: AssetInput, version?: number): Promise<AssetDetail> {
  const d = await gql<{ updateAsset: AssetDetail }>(
    `mutation DeskUpdateAsset($id: ID!, $input: AssetInput!, $version: Int) { updateAsset(id: $id, input: $input, version: $version) { ${detailFields} } }`,
    { id, input, version },
  );
  return localCard(d.updateAsset);
}

/** The API's limit on one updateAssets call. */
const bulkChunk = 500;

/**
 * Sets the same fields on many assets: one all-or-nothing updateAssets call
 * per 500 (the API's limit). Returns the chunks that were refused, with why.
 */
export async function updateAssets(ids: string[], input: AssetInput, onProgress?: (done: number) => void): Promise<{ ids: string[]; error: ApiError }[]> {
  const failed: { ids: string[]; error: ApiError }[] = [];
  let done = 0;
  for (let i = 0; i < ids.length; i += bulkChunk) {
    const chunk = ids.slice(i, i + bulkChunk);
    try {
      await gql(`mutation DeskBulkEdit($ids: [ID!]!, $input: AssetInput!) { updateAssets(ids: $ids, input: $input) { id } }`, { ids: chunk, input });
    } catch (e) {
      failed.push({ ids: chunk, error: e instanceof ApiError ? e : new ApiError([{ message: String(e) }], 0) });
    }
    done += chunk.length;
    onProgress?.(done);
  }
  return failed;
}

export async function reprocessAsset(id: string): Promise<void> {
  await gql(`mutation DeskReprocess($id: ID!) { reprocessAsset(id: $id) { id } }`, { id });
}

export async function deleteAsset(id: string, force: boolean): Promise<void> {
  await gql(`mutation DeskDelete($id: ID!, $force: Boolean) { deleteAsset(id: $id, force: $force) }`, { id, force });
}

/**
 * A fresh signed link that downloads the original under its own file name
 * (they are short-lived, so asked for on click). It says "save" itself
 * (Content-Disposition: attachment), so a link to S3, where browsers
 * ignore <a download>, saves the file too instead of showing it.
 */
export async function originalUrl(id: string): Promise<string | null> {
  const d = await gql<{ asset: { originalUrl: string | null } | null }>(`query DeskOriginal($id: ID!) { asset(id: $id) { originalUrl(download: true) } }`, { id });
  return d.asset?.originalUrl ?? null;
}

export interface UploadPolicy {
  direct: boolean;
  maxBytes: number;
  maxPixels: number;
  types: string[];
}

export async function uploadPolicy(): Promise<UploadPolicy> {
  const d = await gql<{ uploadPolicy: UploadPolicy }>(`query DeskUploadPolicy { uploadPolicy { direct maxBytes maxPixels types } }`);
  return d.uploadPolicy;
}

/** Live updates of the given assets (all the caller may see when ids is empty). */
export function followAssets(ids: string[] | null, onAsset: (a: AssetCard) => void): () => void {
  return subscribe<{ assetUpdated: AssetCard }>(
    `subscription DeskAssetUpdated($ids: [ID!]) { assetUpdated(ids: $ids) { ${cardFields} } }`,
    { ids },
    (d) => onAsset(localCard(d.assetUpdated)),
  );
}

/** The smallest rendition at least `min` pixels wide, else the largest. */
export function pick(a: Pick<AssetCard, 'renditions'>, min: number): Rendition | null {
  const widths = a.renditions.filter((r) => r.name.startsWith('w')).sort((x, y) => x.width - y.width);
  return widths.find((r) => r.width >= min) ?? widths[widths.length - 1] ?? null;
}
