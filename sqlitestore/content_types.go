package sqlitestore

import (
	"context"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/core/sortkey"
)

const conflictSlug = "slug already taken"

// checkPublication returns BAD_USER_INPUT unless p can be stored: status
// DRAFT or PUBLISHED (SCHEDULED is PUBLISHED with a future PublishAt), and
// PublishAt set when PUBLISHED. The publication filter depends on both.
func checkPublication(p core.Publication) error {
	switch p.Status {
	case core.StatusDraft:
		return nil
	case core.StatusPublished:
		if p.PublishAt == nil {
			return core.Errorf(core.CodeBadUserInput, "published content needs a publication time")
		}
		return nil
	}
	return core.Errorf(core.CodeBadUserInput, "cannot store publication status %q", p.Status)
}

func storedPublication(p core.Publication) core.Publication {
	return core.Publication{Status: p.Status, PublishAt: storedTimePtr(p.PublishAt), PublishedAt: storedTimePtr(p.PublishedAt)}
}

func galleryRow(g *core.Gallery, version int) row {
	s := *g
	s.Publication = storedPublication(g.Publication)
	s.Items = nilIfEmpty(s.Items)
	s.SearchTokens = nilIfEmpty(s.SearchTokens)
	s.CreatedAt, s.UpdatedAt = storedTime(s.CreatedAt), storedTime(s.UpdatedAt)
	s.Version = version
	ts := termsOf(nil, fieldSearch, g.SearchTokens...)
	ts = termsOf(ts, fieldAsset, g.CoverAssetID)
	for _, it := range g.Items {
		ts = termsOf(ts, fieldAsset, it.AssetID)
	}
	return row{
		coll: collGalleries, id: g.ID, version: version,
		cols:  []string{"slug", "status", "publish_at", "title_key"},
		vals:  []any{g.Slug, string(g.Publication.Status), msPtr(s.Publication.PublishAt), sortkey.Text(g.Title, g.ID)},
		terms: ts,
		doc:   encode(&s),
	}
}

// InsertGallery stores g. CONFLICT when the slug is taken, BAD_USER_INPUT
// when its publication cannot be stored (see checkPublication).
func (db *DB) InsertGallery(ctx context.Context, g *core.Gallery) error {
	if err := checkPublication(g.Publication); err != nil {
		return err
	}
	return translate(db.insertRow(ctx, galleryRow(g, g.Version)), "insert", "gallery "+g.ID, conflictSlug)
}

// GalleryByID returns the gallery with id; NOT_FOUND when there is none.
func (db *DB) GalleryByID(ctx context.Context, id string) (*core.Gallery, error) {
	return docByKey[core.Gallery](ctx, db, collGalleries, "id", id, "gallery "+id)
}

// GalleryBySlug returns the gallery with slug; NOT_FOUND when there is none.
func (db *DB) GalleryBySlug(ctx context.Context, slug string) (*core.Gallery, error) {
	return docByKey[core.Gallery](ctx, db, collGalleries, "slug", slug, "gallery "+slug)
}

// GalleriesByIDs returns the galleries that exist among ids, newest first.
func (db *DB) GalleriesByIDs(ctx context.Context, ids []string) ([]*core.Gallery, error) {
	return docsByIDs[core.Gallery](ctx, db, collGalleries, ids, "galleries by id")
}

// UpdateGallery replaces g if its stored version is g.Version, then
// increments g.Version. CONFLICT when stale or the slug is taken,
// NOT_FOUND when gone, BAD_USER_INPUT as for InsertGallery.
func (db *DB) UpdateGallery(ctx context.Context, g *core.Gallery) error {
	if err := checkPublication(g.Publication); err != nil {
		return err
	}
	if err := db.replaceVersioned(ctx, galleryRow(g, g.Version+1), g.Version, "gallery "+g.ID, conflictSlug); err != nil {
		return err
	}
	g.Version++
	return nil
}

// DeleteGallery removes the gallery; NOT_FOUND when there is none.
func (db *DB) DeleteGallery(ctx context.Context, id string) error {
	return db.deleteRow(ctx, collGalleries, id, "gallery "+id)
}

// ListGalleries returns a page of the galleries matching q, newest first.
// BAD_USER_INPUT when the limit or publication status is invalid.
func (db *DB) ListGalleries(ctx context.Context, q core.GalleryQuery) (core.PageOf[*core.Gallery], error) {
	var w where
	if err := w.publication(q.PublicationFilter); err != nil {
		return core.PageOf[*core.Gallery]{}, err
	}
	w.search(collGalleries, q.Search)
	return listPage[core.Gallery](ctx, db, collGalleries, w, q.Page)
}

// GalleriesWithAsset returns the galleries having an item with the asset
// or the asset as explicit cover, newest first.
func (db *DB) GalleriesWithAsset(ctx context.Context, assetID string) ([]*core.Gallery, error) {
	return docsWithTerm[core.Gallery](ctx, db, collGalleries, []string{fieldAsset}, assetID, "galleries with asset "+assetID)
}

func articleRow(a *core.Article, version int) row {
	s := *a
	s.Publication = storedPublication(a.Publication)
	s.Tags = nilIfEmpty(s.Tags)
	s.SearchTokens = nilIfEmpty(s.SearchTokens)
	s.Blocks = nil
	for _, b := range a.Blocks {
		b.AssetIDs = nilIfEmpty(b.AssetIDs)
		b.Overrides = nilIfEmpty(b.Overrides)
		s.Blocks = append(s.Blocks, b)
	}
	s.CreatedAt, s.UpdatedAt = storedTime(s.CreatedAt), storedTime(s.UpdatedAt)
	s.Version = version
	ts := termsOf(nil, fieldSearch, a.SearchTokens...)
	ts = termsOf(ts, fieldTag, a.Tags...)
	ts = termsOf(ts, fieldAsset, a.AssetIDs()...)
	ts = termsOf(ts, fieldGallery, a.GalleryIDs()...)
	return row{
		coll: collArticles, id: a.ID, version: version,
		cols:  []string{"slug", "status", "publish_at", "section", "title_key"},
		vals:  []any{a.Slug, string(a.Publication.Status), msPtr(s.Publication.PublishAt), a.Section, sortkey.Text(a.Title, a.ID)},
		terms: ts,
		doc:   encode(&s),
	}
}

// InsertArticle stores a. CONFLICT when the slug is taken, BAD_USER_INPUT
// when its publication cannot be stored (see checkPublication).
func (db *DB) InsertArticle(ctx context.Context, a *core.Article) error {
	if err := checkPublication(a.Publication); err != nil {
		return err
	}
	return translate(db.insertRow(ctx, articleRow(a, a.Version)), "insert", "article "+a.ID, conflictSlug)
}

// ArticleByID returns the article with id; NOT_FOUND when there is none.
func (db *DB) ArticleByID(ctx context.Context, id string) (*core.Article, error) {
	return docByKey[core.Article](ctx, db, collArticles, "id", id, "article "+id)
}

// ArticleBySlug returns the article with slug; NOT_FOUND when there is none.
func (db *DB) ArticleBySlug(ctx context.Context, slug string) (*core.Article, error) {
	return docByKey[core.Article](ctx, db, collArticles, "slug", slug, "article "+slug)
}

// UpdateArticle replaces a if its stored version is a.Version, then
// increments a.Version. CONFLICT when stale or the slug is taken,
// NOT_FOUND when gone, BAD_USER_INPUT as for InsertArticle.
func (db *DB) UpdateArticle(ctx context.Context, a *core.Article) error {
	if err := checkPublication(a.Publication); err != nil {
		return err
	}
	if err := db.replaceVersioned(ctx, articleRow(a, a.Version+1), a.Version, "article "+a.ID, conflictSlug); err != nil {
		return err
	}
	a.Version++
	return nil
}

// DeleteArticle removes the article; NOT_FOUND when there is none.
func (db *DB) DeleteArticle(ctx context.Context, id string) error {
	return db.deleteRow(ctx, collArticles, id, "article "+id)
}

// ListArticles returns a page of the articles matching q, newest first.
// BAD_USER_INPUT when the limit or publication status is invalid.
func (db *DB) ListArticles(ctx context.Context, q core.ArticleQuery) (core.PageOf[*core.Article], error) {
	var w where
	if err := w.publication(q.PublicationFilter); err != nil {
		return core.PageOf[*core.Article]{}, err
	}
	if q.Section != "" {
		w.add("section = ?", q.Section)
	}
	if q.Tag != "" {
		w.hasTerm(collArticles, fieldTag, q.Tag)
	}
	if q.ImportKey != "" {
		// Rare (an importer finding its draft): read from the document.
		w.add("json_extract(doc, '$.ImportKey') = ?", q.ImportKey)
	}
	w.search(collArticles, q.Search)
	return listPage[core.Article](ctx, db, collArticles, w, q.Page)
}

// ArticlesWithAsset returns the articles whose cover or image blocks use
// the asset, newest first.
func (db *DB) ArticlesWithAsset(ctx context.Context, assetID string) ([]*core.Article, error) {
	return docsWithTerm[core.Article](ctx, db, collArticles, []string{fieldAsset}, assetID, "articles with asset "+assetID)
}

// ArticlesWithGallery returns the articles with a block showing the
// gallery, newest first.
func (db *DB) ArticlesWithGallery(ctx context.Context, galleryID string) ([]*core.Article, error) {
	return docsWithTerm[core.Article](ctx, db, collArticles, []string{fieldGallery}, galleryID, "articles with gallery "+galleryID)
}
