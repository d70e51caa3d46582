// Articles through the public API: lists, one article with its blocks in
// the editor's own shape, saving the whole article with its version,
// publishing, and the reader's view for the preview.
import { gql, subscribe } from './api';
import { cardFields, localCard, type AssetCard } from './assets';
import type { PublishStatus } from './galleries';

export interface ArticleSummary {
  id: string;
  slug: string;
  title: string;
  section: string | null;
  status: PublishStatus;
  publishAt: string | null;
  publishedAt: string | null;
  updatedAt: string;
}

export interface ImageItem {
  asset: AssetCard;
  caption: string;
  altText: string;
  credit: string;
}

/** A block as the editor holds it; key is for the editor's lists only. */
export type Block =
  | { key: number; kind: 'paragraph'; text: string }
  | { key: number; kind: 'heading'; text: string; level: number }
  | { key: number; kind: 'image'; caption: string; items: ImageItem[] }
  | { key: number; kind: 'gallery'; galleryId: string; title: string };

export interface Article extends ArticleSummary {
  summary: string | null;
  tags: string[];
  version: number;
  cover: AssetCard | null;
  blocks: Block[];
}

const summaryFields = 'id slug title section status publishAt publishedAt updatedAt';
const articleFields = `${summaryFields} summary tags version cover { ${cardFields} }
  blocks { __typename
    ... on ParagraphBlock { text }
    ... on HeadingBlock { text level }
    ... on ImageBlock { caption items { caption altText credit asset { ${cardFields} } } }
    ... on GalleryBlock { gallery { id title } } }`;

let nextKey = 1;
export function newKey(): number {
  return nextKey++;
}

type RawBlock =
  | { __typename: 'ParagraphBlock'; text: string }
  | { __typename: 'HeadingBlock'; text: string; level: number }
  | { __typename: 'ImageBlock'; caption: string | null; items: { caption: string | null; altText: string | null; credit: string | null; asset: AssetCard }[] }
  | { __typename: 'GalleryBlock'; gallery: { id: string; title: string } };

type RawArticle = Omit<Article, 'blocks'> & { blocks: RawBlock[] };

function fromRaw(a: RawArticle): Article {
  const blocks: Block[] = a.blocks.map((b): Block => {
    switch (b.__typename) {
      case 'ParagraphBlock':
        return { key: newKey(), kind: 'paragraph', text: b.text };
      case 'HeadingBlock':
        return { key: newKey(), kind: 'heading', text: b.text, level: b.level };
      case 'ImageBlock':
        return {
          key: newKey(),
          kind: 'image',
          caption: b.caption ?? '',
          // The API answers each still's texts with the asset's as fallback;
          // the editor keeps only the block's own (those that differ).
          items: b.items.map((i) => ({
            asset: localCard(i.asset),
            caption: i.caption !== null && i.caption !== i.asset.caption ? i.caption : '',
            altText: i.altText !== null && i.altText !== i.asset.altText ? i.altText : '',
            credit: i.credit !== null && i.credit !== i.asset.credit ? i.credit : '',
          })),
        };
      case 'GalleryBlock':
        return { key: newKey(), kind: 'gallery', galleryId: b.gallery.id, title: b.gallery.title };
    }
  });
  return { ...a, cover: a.cover ? localCard(a.cover) : null, blocks };
}

export function blocksInput(blocks: Block[]): unknown[] {
  return blocks.map((b) => {
    switch (b.kind) {
      case 'paragraph':
        return { paragraph: b.text };
      case 'heading':
        return { heading: { text: b.text, level: b.level } };
      case 'image':
        return {
          image: {
            caption: b.caption.trim() || null,
            items: b.items.map((i) => ({ assetId: i.asset.id, caption: i.caption.trim() || null, altText: i.altText.trim() || null, credit: i.credit.trim() || null })),
          },
        };
      case 'gallery':
        return { gallery: b.galleryId };
    }
  });
}

export interface ArticleFilter {
  sort?: 'NEWEST' | 'OLDEST' | 'TITLE' | 'TITLE_DESC';
  search?: string;
  status?: PublishStatus;
  section?: string;
}

export async function listArticles(filter: ArticleFilter, after: string | null, first = 50): Promise<{ items: ArticleSummary[]; total: number; endCursor: string | null; hasNext: boolean }> {
  const f: Record<string, unknown> = {};
  if (filter.search?.trim()) f.search = filter.search.trim();
  if (filter.status) f.status = filter.status;
  if (filter.section?.trim()) f.section = filter.section.trim();
  const d = await gql<{ articles: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: ArticleSummary }[] } }>(
    `query DeskArticles($first: Int, $after: String, $filter: ArticleFilter, $sort: ListSort) { articles(first: $first, after: $after, filter: $filter, sort: $sort) { totalCount pageInfo { hasNextPage endCursor } edges { node { ${summaryFields} } } } }`,
    { first, after, filter: f, sort: filter.sort ?? 'NEWEST' },
  );
  return { items: d.articles.edges.map((e) => e.node), total: d.articles.totalCount, endCursor: d.articles.pageInfo.endCursor, hasNext: d.articles.pageInfo.hasNextPage };
}

export async function getArticle(id: string): Promise<Article | null> {
  const d = await gql<{ article: RawArticle | null }>(`query DeskArticle($id: ID!) { article(id: $id) { ${articleFields} } }`, { id });
  return d.article ? fromRaw(d.article) : null;
}

export async function createArticle(title: string): Promise<Article> {
  const d = await gql<{ createArticle: RawArticle }>(`mutation DeskCreateArticle($input: ArticleInput!) { createArticle(input: $input) { ${articleFields} } }`, { input: { title } });
  return fromRaw(d.createArticle);
}

export interface ArticleFields {
  title: string;
  slug: string;
  summary: string;
  section: string;
  tags: string[];
  coverAssetId: string | null;
  blocks: Block[];
}

export async function saveArticle(id: string, f: ArticleFields, version: number): Promise<Article> {
  const input = {
    title: f.title.trim(),
    slug: f.slug.trim() || undefined,
    summary: f.summary.trim() || null,
    section: f.section.trim() || null,
    tags: f.tags,
    coverAssetId: f.coverAssetId,
    blocks: blocksInput(f.blocks),
  };
  const d = await gql<{ updateArticle: RawArticle }>(
    `mutation DeskSaveArticle($id: ID!, $input: ArticleInput!, $version: Int) { updateArticle(id: $id, input: $input, version: $version) { ${articleFields} } }`,
    { id, input, version },
  );
  return fromRaw(d.updateArticle);
}

/**
 * Publishes the article at the version the editor saw: CONFLICT when
 * someone else saved since, so nobody publishes text they have not seen.
 */
export async function publishArticle(id: string, at: string | null, withGalleries: boolean, version: number): Promise<Article> {
  const d = await gql<{ publishArticle: RawArticle }>(
    `mutation DeskPublishArticle($id: ID!, $at: Time, $with: Boolean, $version: Int) { publishArticle(id: $id, at: $at, withGalleries: $with, version: $version) { ${articleFields} } }`,
    { id, at, with: withGalleries, version },
  );
  return fromRaw(d.publishArticle);
}

export async function unpublishArticle(id: string): Promise<Article> {
  const d = await gql<{ unpublishArticle: RawArticle }>(`mutation DeskUnpublishArticle($id: ID!) { unpublishArticle(id: $id) { ${articleFields} } }`, { id });
  return fromRaw(d.unpublishArticle);
}

/** Deletes the article as the editor saw it (CONFLICT when someone saved since). */
export async function deleteArticle(id: string, version: number): Promise<void> {
  await gql(`mutation DeskDeleteArticle($id: ID!, $version: Int) { deleteArticle(id: $id, version: $version) }`, { id, version });
}

export function watchArticle(id: string, onArticle: (a: Article) => void): () => void {
  return subscribe<{ articleChanged: RawArticle }>(`subscription DeskArticleChanged($id: ID!) { articleChanged(id: $id) { ${articleFields} } }`, { id }, (d) => onArticle(fromRaw(d.articleChanged)));
}

/** The article as a reader's page gets it: the public query's shape. */
export interface ReaderImage {
  caption: string | null;
  altText: string | null;
  credit: string | null;
  asset: {
    width: number | null;
    height: number | null;
    blurhash: string | null;
    dominantColor: string | null;
    focalPoint: { x: number; y: number } | null;
    renditions: { name: string; url: string; width: number }[];
    /** <picture> sources, WebP first; the last is the one every browser reads. */
    sources: { type: string; srcset: string }[];
  };
}
export type ReaderBlock =
  | { __typename: 'ParagraphBlock'; text: string }
  | { __typename: 'HeadingBlock'; text: string; level: number }
  | { __typename: 'ImageBlock'; caption: string | null; items: ReaderImage[] }
  | { __typename: 'GalleryBlock'; gallery: { title: string; items: ReaderImage[] } };
export interface ReaderArticle {
  title: string;
  summary: string | null;
  section: string | null;
  publishedAt: string | null;
  author: { name: string } | null;
  blocks: ReaderBlock[];
  /** The link-preview image (og:image) shared links show. */
  socialImage: { url: string; width: number; height: number } | null;
}

const imageFields = `caption altText credit asset { width height blurhash dominantColor focalPoint { x y } renditions { name url width } sources { type srcset } }`;

export async function readerArticle(id: string): Promise<ReaderArticle | null> {
  const d = await gql<{ article: ReaderArticle | null }>(
    `query DeskPreview($id: ID!) { article(id: $id) { title summary section publishedAt author { name } socialImage { url width height }
      blocks { __typename ... on ParagraphBlock { text } ... on HeadingBlock { text level }
        ... on ImageBlock { caption items { ${imageFields} } }
        ... on GalleryBlock { gallery { title items { ${imageFields} } } } } } }`,
    { id },
  );
  return d.article;
}
