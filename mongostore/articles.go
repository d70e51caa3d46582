package mongostore

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/core/sortkey"
)

// articleDoc is a core.Article as stored in the articles collection.
type articleDoc struct {
	ID           string         `bson:"_id"`
	Slug         string         `bson:"slug"`
	Title        string         `bson:"title"`
	Summary      string         `bson:"summary"`
	Section      string         `bson:"section,omitempty"`
	Tags         []string       `bson:"tags,omitempty"`
	Publication  publicationDoc `bson:",inline"`
	AuthorID     string         `bson:"authorId"`
	CoverAssetID string         `bson:"coverAssetId,omitempty"`
	Blocks       []blockDoc     `bson:"blocks,omitempty"`
	ImportKey    string         `bson:"importKey,omitempty"`
	SearchTokens []string       `bson:"searchTokens,omitempty"`
	Sort         *sortDoc       `bson:"sort,omitempty"`
	Version      int            `bson:"version"`
	CreatedAt    time.Time      `bson:"createdAt"`
	UpdatedAt    time.Time      `bson:"updatedAt"`
}

// blockDoc is one block; only the fields of its kind are stored.
type blockDoc struct {
	Kind     string   `bson:"kind"`
	Text     string   `bson:"text,omitempty"`
	Level    int      `bson:"level,omitempty"`
	AssetIDs []string `bson:"assetIds,omitempty"`
	Caption  string   `bson:"caption,omitempty"`
	// Items are an image block's own texts, one per asset ID, or none.
	Items     []imageTextDoc `bson:"items,omitempty"`
	GalleryID string         `bson:"galleryId,omitempty"`
}

type imageTextDoc struct {
	Caption string `bson:"caption,omitempty"`
	AltText string `bson:"altText,omitempty"`
	Credit  string `bson:"credit,omitempty"`
}

func toArticleDoc(a *core.Article) *articleDoc {
	d := &articleDoc{
		ID:           a.ID,
		Slug:         a.Slug,
		Title:        a.Title,
		Summary:      a.Summary,
		Section:      a.Section,
		Tags:         nilIfEmpty(a.Tags),
		Publication:  toPublicationDoc(a.Publication),
		AuthorID:     a.AuthorID,
		CoverAssetID: a.CoverAssetID,
		ImportKey:    a.ImportKey,
		SearchTokens: nilIfEmpty(a.SearchTokens),
		Sort:         &sortDoc{Title: sortkey.Text(a.Title, a.ID)},
		Version:      a.Version,
		CreatedAt:    storedTime(a.CreatedAt),
		UpdatedAt:    storedTime(a.UpdatedAt),
	}
	for _, b := range a.Blocks {
		bd := blockDoc{
			Kind: string(b.Kind), Text: b.Text, Level: b.Level,
			AssetIDs: nilIfEmpty(b.AssetIDs), Caption: b.Caption, GalleryID: b.GalleryID,
		}
		for _, o := range b.Overrides {
			bd.Items = append(bd.Items, imageTextDoc(o))
		}
		d.Blocks = append(d.Blocks, bd)
	}
	return d
}

func (d *articleDoc) toCore() *core.Article {
	a := &core.Article{
		ID:           d.ID,
		Slug:         d.Slug,
		Title:        d.Title,
		Summary:      d.Summary,
		Section:      d.Section,
		Tags:         nilIfEmpty(d.Tags),
		Publication:  d.Publication.toCore(),
		AuthorID:     d.AuthorID,
		CoverAssetID: d.CoverAssetID,
		ImportKey:    d.ImportKey,
		SearchTokens: nilIfEmpty(d.SearchTokens),
		Version:      d.Version,
		CreatedAt:    d.CreatedAt,
		UpdatedAt:    d.UpdatedAt,
	}
	for _, b := range d.Blocks {
		cb := core.Block{
			Kind: core.BlockKind(b.Kind), Text: b.Text, Level: b.Level,
			AssetIDs: nilIfEmpty(b.AssetIDs), Caption: b.Caption, GalleryID: b.GalleryID,
		}
		for _, o := range b.Items {
			cb.Overrides = append(cb.Overrides, core.ImageOverride(o))
		}
		a.Blocks = append(a.Blocks, cb)
	}
	return a
}

// InsertArticle stores a. CONFLICT when the slug is taken, BAD_USER_INPUT
// when its publication cannot be stored (see checkPublication).
func (db *DB) InsertArticle(ctx context.Context, a *core.Article) error {
	if err := checkPublication(a.Publication); err != nil {
		return err
	}
	err := db.insertDoc(ctx, db.articles, toArticleDoc(a))
	return translate(err, "insert", "article "+a.ID, conflictSlug)
}

// ArticleByID returns the article with id; NOT_FOUND when there is none.
func (db *DB) ArticleByID(ctx context.Context, id string) (*core.Article, error) {
	var d articleDoc
	if err := findOne(ctx, db, db.articles, eq("_id", id), &d); err != nil {
		return nil, translate(err, "find", "article "+id, "")
	}
	return d.toCore(), nil
}

// ArticleBySlug returns the article with slug; NOT_FOUND when there is none.
func (db *DB) ArticleBySlug(ctx context.Context, slug string) (*core.Article, error) {
	var d articleDoc
	if err := findOne(ctx, db, db.articles, eq("slug", slug), &d); err != nil {
		return nil, translate(err, "find", "article "+slug, "")
	}
	return d.toCore(), nil
}

// UpdateArticle replaces a if its stored version is a.Version, then
// increments a.Version. CONFLICT when stale or the slug is taken,
// NOT_FOUND when gone, BAD_USER_INPUT as for InsertArticle.
func (db *DB) UpdateArticle(ctx context.Context, a *core.Article) error {
	if err := checkPublication(a.Publication); err != nil {
		return err
	}
	d := toArticleDoc(a)
	d.Version = a.Version + 1
	if err := db.replaceVersioned(ctx, db.articles, a.ID, a.Version, d, "article "+a.ID, conflictSlug); err != nil {
		return err
	}
	a.Version++
	return nil
}

// DeleteArticle removes the article; NOT_FOUND when there is none.
func (db *DB) DeleteArticle(ctx context.Context, id string) error {
	return db.deleteByID(ctx, db.articles, id, "article "+id)
}

// ListArticles returns a page of the articles matching q, newest first.
// BAD_USER_INPUT when the limit or publication status is invalid.
func (db *DB) ListArticles(ctx context.Context, q core.ArticleQuery) (core.PageOf[*core.Article], error) {
	cs, err := publicationConds(q.PublicationFilter)
	if err != nil {
		return core.PageOf[*core.Article]{}, err
	}
	if q.Section != "" {
		cs = append(cs, eq("section", q.Section))
	}
	if q.Tag != "" {
		cs = append(cs, eq("tags", q.Tag))
	}
	if q.ImportKey != "" {
		cs = append(cs, eq("importKey", q.ImportKey))
	}
	cs = append(cs, searchConds(q.Search)...)
	return listPage(ctx, db, db.articles, cs, q.Page, (*articleDoc).toCore)
}

// ArticlesWithAsset returns the articles whose cover or image blocks use
// the asset, newest first.
func (db *DB) ArticlesWithAsset(ctx context.Context, assetID string) ([]*core.Article, error) {
	filter := bson.D{{Key: "$or", Value: bson.A{eq("coverAssetId", assetID), eq("blocks.assetIds", assetID)}}}
	docs, err := findAll[articleDoc](ctx, db, db.articles, filter)
	return articlesOf(docs, err, "articles with asset "+assetID)
}

// ArticlesWithGallery returns the articles with a block showing the
// gallery, newest first.
func (db *DB) ArticlesWithGallery(ctx context.Context, galleryID string) ([]*core.Article, error) {
	docs, err := findAll[articleDoc](ctx, db, db.articles, eq("blocks.galleryId", galleryID))
	return articlesOf(docs, err, "articles with gallery "+galleryID)
}

func articlesOf(docs []articleDoc, err error, what string) ([]*core.Article, error) {
	if err != nil {
		return nil, translate(err, "find", what, "")
	}
	out := make([]*core.Article, len(docs))
	for i := range docs {
		out[i] = docs[i].toCore()
	}
	return out, nil
}
