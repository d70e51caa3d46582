package mongostore

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/core/sortkey"
)

// galleryDoc is a core.Gallery as stored in the galleries collection.
// Items are embedded, so reordering or captioning is one document write.
type galleryDoc struct {
	ID           string           `bson:"_id"`
	Slug         string           `bson:"slug"`
	Title        string           `bson:"title"`
	Description  string           `bson:"description"`
	Publication  publicationDoc   `bson:",inline"`
	CoverAssetID string           `bson:"coverAssetId,omitempty"`
	Items        []galleryItemDoc `bson:"items,omitempty"`
	CreatedBy    string           `bson:"createdBy"`
	SearchTokens []string         `bson:"searchTokens,omitempty"`
	Sort         *sortDoc         `bson:"sort,omitempty"`
	Version      int              `bson:"version"`
	CreatedAt    time.Time        `bson:"createdAt"`
	UpdatedAt    time.Time        `bson:"updatedAt"`
}

type galleryItemDoc struct {
	ID      string `bson:"id"`
	AssetID string `bson:"assetId"`
	Caption string `bson:"caption,omitempty"`
	AltText string `bson:"altText,omitempty"`
	Credit  string `bson:"credit,omitempty"`
}

func toGalleryDoc(g *core.Gallery) *galleryDoc {
	d := &galleryDoc{
		ID:           g.ID,
		Slug:         g.Slug,
		Title:        g.Title,
		Description:  g.Description,
		Publication:  toPublicationDoc(g.Publication),
		CoverAssetID: g.CoverAssetID,
		CreatedBy:    g.CreatedBy,
		SearchTokens: nilIfEmpty(g.SearchTokens),
		Sort:         &sortDoc{Title: sortkey.Text(g.Title, g.ID)},
		Version:      g.Version,
		CreatedAt:    storedTime(g.CreatedAt),
		UpdatedAt:    storedTime(g.UpdatedAt),
	}
	for _, it := range g.Items {
		d.Items = append(d.Items, galleryItemDoc{
			ID: it.ID, AssetID: it.AssetID, Caption: it.Caption, AltText: it.AltText, Credit: it.Credit,
		})
	}
	return d
}

func (d *galleryDoc) toCore() *core.Gallery {
	g := &core.Gallery{
		ID:           d.ID,
		Slug:         d.Slug,
		Title:        d.Title,
		Description:  d.Description,
		Publication:  d.Publication.toCore(),
		CoverAssetID: d.CoverAssetID,
		CreatedBy:    d.CreatedBy,
		SearchTokens: nilIfEmpty(d.SearchTokens),
		Version:      d.Version,
		CreatedAt:    d.CreatedAt,
		UpdatedAt:    d.UpdatedAt,
	}
	for _, it := range d.Items {
		g.Items = append(g.Items, core.GalleryItem{
			ID: it.ID, AssetID: it.AssetID, Caption: it.Caption, AltText: it.AltText, Credit: it.Credit,
		})
	}
	return g
}

const conflictSlug = "slug already taken"

// InsertGallery stores g. CONFLICT when the slug is taken, BAD_USER_INPUT
// when its publication cannot be stored (see checkPublication).
func (db *DB) InsertGallery(ctx context.Context, g *core.Gallery) error {
	if err := checkPublication(g.Publication); err != nil {
		return err
	}
	err := db.insertDoc(ctx, db.galleries, toGalleryDoc(g))
	return translate(err, "insert", "gallery "+g.ID, conflictSlug)
}

// GalleryByID returns the gallery with id; NOT_FOUND when there is none.
func (db *DB) GalleryByID(ctx context.Context, id string) (*core.Gallery, error) {
	var d galleryDoc
	if err := findOne(ctx, db, db.galleries, eq("_id", id), &d); err != nil {
		return nil, translate(err, "find", "gallery "+id, "")
	}
	return d.toCore(), nil
}

// GalleryBySlug returns the gallery with slug; NOT_FOUND when there is none.
func (db *DB) GalleryBySlug(ctx context.Context, slug string) (*core.Gallery, error) {
	var d galleryDoc
	if err := findOne(ctx, db, db.galleries, eq("slug", slug), &d); err != nil {
		return nil, translate(err, "find", "gallery "+slug, "")
	}
	return d.toCore(), nil
}

// GalleriesByIDs returns the galleries that exist among ids, newest first.
func (db *DB) GalleriesByIDs(ctx context.Context, ids []string) ([]*core.Gallery, error) {
	docs, err := findByIDs[galleryDoc](ctx, db, db.galleries, ids)
	return galleriesOf(docs, err, "galleries by id")
}

// UpdateGallery replaces g if its stored version is g.Version, then
// increments g.Version. CONFLICT when stale or the slug is taken,
// NOT_FOUND when gone, BAD_USER_INPUT as for InsertGallery.
func (db *DB) UpdateGallery(ctx context.Context, g *core.Gallery) error {
	if err := checkPublication(g.Publication); err != nil {
		return err
	}
	d := toGalleryDoc(g)
	d.Version = g.Version + 1
	if err := db.replaceVersioned(ctx, db.galleries, g.ID, g.Version, d, "gallery "+g.ID, conflictSlug); err != nil {
		return err
	}
	g.Version++
	return nil
}

// DeleteGallery removes the gallery; NOT_FOUND when there is none.
func (db *DB) DeleteGallery(ctx context.Context, id string) error {
	return db.deleteByID(ctx, db.galleries, id, "gallery "+id)
}

// ListGalleries returns a page of the galleries matching q, newest first.
// BAD_USER_INPUT when the limit or publication status is invalid.
func (db *DB) ListGalleries(ctx context.Context, q core.GalleryQuery) (core.PageOf[*core.Gallery], error) {
	cs, err := publicationConds(q.PublicationFilter)
	if err != nil {
		return core.PageOf[*core.Gallery]{}, err
	}
	cs = append(cs, searchConds(q.Search)...)
	return listPage(ctx, db, db.galleries, cs, q.Page, (*galleryDoc).toCore)
}

// GalleriesWithAsset returns the galleries having an item with the asset
// or the asset as explicit cover, newest first.
func (db *DB) GalleriesWithAsset(ctx context.Context, assetID string) ([]*core.Gallery, error) {
	filter := bson.D{{Key: "$or", Value: bson.A{eq("items.assetId", assetID), eq("coverAssetId", assetID)}}}
	docs, err := findAll[galleryDoc](ctx, db, db.galleries, filter)
	return galleriesOf(docs, err, "galleries with asset "+assetID)
}

func galleriesOf(docs []galleryDoc, err error, what string) ([]*core.Gallery, error) {
	if err != nil {
		return nil, translate(err, "find", what, "")
	}
	out := make([]*core.Gallery, len(docs))
	for i := range docs {
		out[i] = docs[i].toCore()
	}
	return out, nil
}
