// Galleries through the public API: lists, one gallery with its items, and
// every curating mutation with the gallery's version (CONFLICT when stale).
import { gql, subscribe, ApiError } from './api';
import { cardFields, localCard, type AssetCard } from './assets';

export type PublishStatus = 'DRAFT' | 'SCHEDULED' | 'PUBLISHED';
export type GallerySort = 'TIMECODE' | 'TAKEN_AT' | 'FILENAME';

export interface GalleryItem {
  id: string;
  position: number;
  caption: string | null;
  altText: string | null;
  credit: string | null;
  asset: AssetCard;
}

export interface GallerySummary {
  id: string;
  slug: string;
  title: string;
  status: PublishStatus;
  publishAt: string | null;
  publishedAt: string | null;
  itemCount: number;
  updatedAt: string;
  cover: AssetCard | null;
}

export interface Gallery extends GallerySummary {
  description: string | null;
  version: number;
  items: GalleryItem[];
}

const summaryFields = `id slug title status publishAt publishedAt itemCount updatedAt cover { ${cardFields} }`;
const galleryFields = `${summaryFields} description version items { id position caption altText credit asset { ${cardFields} } }`;

function local<T extends GallerySummary>(g: T): T {
  const out = { ...g, cover: g.cover ? localCard(g.cover) : null };
  if ('items' in out) (out as unknown as Gallery).items = (out as unknown as Gallery).items.map((i) => ({ ...i, asset: localCard(i.asset) }));
  return out;
}

export async function listGalleries(filter: { search?: string; status?: PublishStatus; sort?: 'NEWEST' | 'OLDEST' | 'TITLE' | 'TITLE_DESC' }, after: string | null): Promise<{ items: GallerySummary[]; total: number; endCursor: string | null; hasNext: boolean }> {
  const f: Record<string, unknown> = {};
  if (filter.search?.trim()) f.search = filter.search.trim();
  if (filter.status) f.status = filter.status;
  const d = await gql<{ galleries: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: GallerySummary }[] } }>(
    `query DeskGalleries($after: String, $filter: GalleryFilter, $sort: ListSort) { galleries(first: 50, after: $after, filter: $filter, sort: $sort) { totalCount pageInfo { hasNextPage endCursor } edges { node { ${summaryFields} } } } }`,
    { after, filter: f, sort: filter.sort ?? 'NEWEST' },
  );
  return { items: d.galleries.edges.map((e) => local(e.node)), total: d.galleries.totalCount, endCursor: d.galleries.pageInfo.endCursor, hasNext: d.galleries.pageInfo.hasNextPage };
}

export async function getGallery(id: string): Promise<Gallery | null> {
  const d = await gql<{ gallery: Gallery | null }>(`query DeskGallery($id: ID!) { gallery(id: $id) { ${galleryFields} } }`, { id });
  return d.gallery ? local(d.gallery) : null;
}

export async function createGallery(title: string): Promise<Gallery> {
  const d = await gql<{ createGallery: Gallery }>(`mutation DeskCreateGallery($input: GalleryInput!) { createGallery(input: $input) { ${galleryFields} } }`, { input: { title } });
  return local(d.createGallery);
}

type Op = { name: string; args: string; vars: Record<string, unknown> };

async function run(op: Op): Promise<Gallery> {
  const d = await gql<Record<string, Gallery>>(`mutation Desk_${op.name}(${op.args}) { g: ${op.name}(${Object.keys(op.vars).map((k) => `${k}: $${k}`).join(', ')}) { ${galleryFields} } }`, op.vars);
  return local(d.g);
}

export const galleryOps = {
  update: (id: string, input: { title?: string; description?: string | null; coverAssetId?: string | null; slug?: string }, version: number) =>
    run({ name: 'updateGallery', args: '$id: ID!, $input: GalleryInput!, $version: Int', vars: { id, input, version } }),
  add: (galleryId: string, assetIds: string[], version: number) =>
    run({ name: 'addGalleryItems', args: '$galleryId: ID!, $assetIds: [ID!]!, $version: Int', vars: { galleryId, assetIds, version } }),
  move: (galleryId: string, itemId: string, position: number, version: number) =>
    run({ name: 'moveGalleryItem', args: '$galleryId: ID!, $itemId: ID!, $position: Int!, $version: Int', vars: { galleryId, itemId, position, version } }),
  updateItem: (galleryId: string, itemId: string, input: { caption?: string | null; altText?: string | null; credit?: string | null }, version: number) =>
    run({ name: 'updateGalleryItem', args: '$galleryId: ID!, $itemId: ID!, $input: GalleryItemInput!, $version: Int', vars: { galleryId, itemId, input, version } }),
  remove: (galleryId: string, itemIds: string[], version: number) =>
    run({ name: 'removeGalleryItems', args: '$galleryId: ID!, $itemIds: [ID!]!, $version: Int', vars: { galleryId, itemIds, version } }),
  sort: (galleryId: string, by: GallerySort, reverse: boolean, version: number) =>
    run({ name: 'sortGalleryItems', args: '$galleryId: ID!, $by: GallerySort!, $reverse: Boolean, $version: Int', vars: { galleryId, by, reverse, version } }),
  // Publishing takes the version the editor saw: CONFLICT when someone
  // else changed the gallery since. Unpublishing takes none: taking a
  // piece down is always safe.
  publish: (id: string, at: string | null, version: number) =>
    run({ name: 'publishGallery', args: '$id: ID!, $at: Time, $version: Int', vars: { id, at, version } }),
  unpublish: (id: string) => run({ name: 'unpublishGallery', args: '$id: ID!', vars: { id } }),
};

/** Deletes the gallery as the editor saw it (CONFLICT when someone changed it since). */
export async function deleteGallery(id: string, version: number): Promise<void> {
  await gql(`mutation DeskDeleteGallery($id: ID!, $version: Int) { deleteGallery(id: $id, version: $version) }`, { id, version });
}

/** The gallery as others change it (checked by the server every second). */
export function watchGallery(id: string, onGallery: (g: Gallery) => void, onError?: (e: unknown) => void): () => void {
  return subscribe<{ galleryChanged: Gallery }>(`subscription DeskGalleryChanged($id: ID!) { galleryChanged(id: $id) { ${galleryFields} } }`, { id }, (d) => onGallery(local(d.galleryChanged)), onError);
}

/** A place the publish gate found at fault. */
export interface Problem {
  path: (string | number)[];
  assetId?: string;
  galleryId?: string;
  missing?: string[];
  status?: string;
}

export function problemsOf(e: unknown): Problem[] {
  if (!(e instanceof ApiError)) return [];
  const p = e.extensions.problems;
  return Array.isArray(p) ? (p as Problem[]) : [];
}
