package graph

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/graph/model"
)

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func publishedAt(p core.Publication) *time.Time {
	if !p.Visible(time.Now()) {
		return nil
	}
	return p.PublishedAt
}

func ok(err error) (bool, error) { return err == nil, err }

// user loads a user for display; nil when id is empty or the user is gone.
func (r *Resolver) user(ctx context.Context, id string) (*core.User, error) {
	if id == "" {
		return nil, nil
	}
	return nullIfNotFound(r.App.User(ctx, id))
}

// asset loads an asset reached through content the caller may read; nil
// when id is empty or the asset is gone.
func (r *Resolver) asset(ctx context.Context, id string) (*core.Asset, error) {
	if id == "" {
		return nil, nil
	}
	list, err := r.App.AssetsByIDs(ctx, []string{id})
	if err != nil || len(list) == 0 {
		return nil, err
	}
	return list[0], nil
}

// socialAsset is the asset whose social image an article shows: its
// cover, else the first asset of its image blocks that has one.
func (r *Resolver) socialAsset(ctx context.Context, obj *core.Article) (*core.Asset, error) {
	var ids []string
	if obj.CoverAssetID != "" {
		ids = append(ids, obj.CoverAssetID)
	}
	for _, b := range obj.Blocks {
		if b.Kind == core.BlockImage {
			ids = append(ids, b.AssetIDs...)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	// One lookup for all: the loader has them with the page anyway.
	list, err := r.App.AssetsByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*core.Asset, len(list))
	for _, a := range list {
		byID[a.ID] = a
	}
	for _, id := range ids {
		if a := byID[id]; app.SocialRendition(a) != nil {
			return a, nil
		}
	}
	return nil, nil
}

// galleryItems resolves items with their positions and with caption, alt
// text and credit falling back to the asset's own.
func (r *Resolver) galleryItems(ctx context.Context, g *core.Gallery) ([]*model.GalleryItem, error) {
	ids := make([]string, len(g.Items))
	for i, it := range g.Items {
		ids[i] = it.AssetID
	}
	assets, err := r.App.AssetsByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*core.Asset, len(assets))
	for _, a := range assets {
		byID[a.ID] = a
	}
	// The items and the texts they point to are made together, in one
	// allocation for the whole gallery.
	views := make([]struct {
		item                     model.GalleryItem
		caption, altText, credit string
	}, len(g.Items))
	out := make([]*model.GalleryItem, 0, len(g.Items))
	for i, it := range g.Items {
		a := byID[it.AssetID]
		if a == nil {
			continue // deleted meanwhile; never a dangling item
		}
		v := &views[i]
		v.caption = app.Fallback(it.Caption, a.Caption)
		v.altText = app.Fallback(it.AltText, a.AltText)
		v.credit = app.Fallback(it.Credit, a.Credit)
		v.item = model.GalleryItem{
			ID: it.ID, Position: i, AssetID: it.AssetID,
			Caption: pointIfNonEmpty(&v.caption), AltText: pointIfNonEmpty(&v.altText), Credit: pointIfNonEmpty(&v.credit),
		}
		out = append(out, &v.item)
	}
	return out, nil
}

// imageBlockItems resolves an image block's stills with their positions
// and texts falling back to the asset's own; stills the caller may not
// see (or deleted) are left out, as the block's assets are.
func (r *Resolver) imageBlockItems(ctx context.Context, b *model.ImageBlock) ([]*model.ImageBlockItem, error) {
	assets, err := r.App.AssetsByIDs(ctx, b.AssetIDs)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*core.Asset, len(assets))
	for _, a := range assets {
		byID[a.ID] = a
	}
	views := make([]struct {
		item                     model.ImageBlockItem
		caption, altText, credit string
	}, len(b.AssetIDs))
	out := make([]*model.ImageBlockItem, 0, len(b.AssetIDs))
	for i, id := range b.AssetIDs {
		a := byID[id]
		if a == nil {
			continue
		}
		o := core.Block{Overrides: b.Overrides}.Override(i)
		v := &views[i]
		v.caption = app.Fallback(o.Caption, a.Caption)
		v.altText = app.Fallback(o.AltText, a.AltText)
		v.credit = app.Fallback(o.Credit, a.Credit)
		v.item = model.ImageBlockItem{Position: i, AssetID: id,
			Caption: pointIfNonEmpty(&v.caption), AltText: pointIfNonEmpty(&v.altText), Credit: pointIfNonEmpty(&v.credit)}
		out = append(out, &v.item)
	}
	return out, nil
}

// pointIfNonEmpty returns p, or nil when *p is empty.
func pointIfNonEmpty(p *string) *string {
	if *p == "" {
		return nil
	}
	return p
}

// withDuplicates runs an upload with its duplicates noted, and reports
// them in the response's extensions.duplicates (one list for the whole
// operation): uploads whose bytes the library had already, answered with
// the existing asset.
func withDuplicates[T any](ctx context.Context, fn func(context.Context) (T, error)) (T, error) {
	var d app.Duplicates
	v, err := fn(app.WithDuplicates(ctx, &d))
	if list := d.List(); len(list) > 0 {
		if prev, ok := graphql.GetExtension(ctx, "duplicates").(*[]app.Duplicate); ok {
			*prev = append(*prev, list...)
		} else {
			graphql.RegisterExtension(ctx, "duplicates", &list)
		}
	}
	return v, err
}
