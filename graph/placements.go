package graph

import (
	"context"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/graph/model"
)

// The stills a gallery or an image block shows, each with its position,
// its asset (loaded with the others, in one lookup) and the caption, alt
// text and credit it shows: its own, else its asset's
// (core.ImageOverride.Over, the rule the publish gate checks too).

// galleryItems resolves a gallery's items; items whose asset is gone are
// left out, never dangling.
func (r *Resolver) galleryItems(ctx context.Context, g *core.Gallery) ([]*model.GalleryItem, error) {
	ids := make([]string, len(g.Items))
	for i, it := range g.Items {
		ids[i] = it.AssetID
	}
	byID, err := r.assetsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	// The items and the asset views and texts they point to are made
	// together, in one allocation for the whole gallery.
	views := make([]struct {
		item  model.GalleryItem
		asset model.Asset
		texts core.ImageOverride
	}, len(g.Items))
	out := make([]*model.GalleryItem, 0, len(g.Items))
	for i, it := range g.Items {
		a := byID[it.AssetID]
		if a == nil {
			continue // deleted meanwhile; never a dangling item
		}
		v := &views[i]
		v.texts = it.Override().Over(a)
		v.asset.Set(a)
		v.item = model.GalleryItem{
			ID: it.ID, Position: i, Asset: &v.asset,
			Caption: pointIfNonEmpty(&v.texts.Caption), AltText: pointIfNonEmpty(&v.texts.AltText), Credit: pointIfNonEmpty(&v.texts.Credit),
		}
		out = append(out, &v.item)
	}
	return out, nil
}

// imageBlockItems resolves an image block's stills; stills the caller may
// not see (or deleted) are left out, as the block's assets are.
func (r *Resolver) imageBlockItems(ctx context.Context, b *model.ImageBlock) ([]*model.ImageBlockItem, error) {
	byID, err := r.assetsByID(ctx, b.AssetIDs)
	if err != nil {
		return nil, err
	}
	views := make([]struct {
		item  model.ImageBlockItem
		asset model.Asset
		texts core.ImageOverride
	}, len(b.AssetIDs))
	out := make([]*model.ImageBlockItem, 0, len(b.AssetIDs))
	for i, id := range b.AssetIDs {
		a := byID[id]
		if a == nil {
			continue
		}
		v := &views[i]
		v.texts = core.Block{Overrides: b.Overrides}.Override(i).Over(a)
		v.asset.Set(a)
		v.item = model.ImageBlockItem{Position: i, Asset: &v.asset,
			Caption: pointIfNonEmpty(&v.texts.Caption), AltText: pointIfNonEmpty(&v.texts.AltText), Credit: pointIfNonEmpty(&v.texts.Credit)}
		out = append(out, &v.item)
	}
	return out, nil
}

// assetsByID loads the assets of ids the caller may see, by ID.
func (r *Resolver) assetsByID(ctx context.Context, ids []string) (map[string]*core.Asset, error) {
	assets, err := r.App.AssetsByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*core.Asset, len(assets))
	for _, a := range assets {
		byID[a.ID] = a
	}
	return byID, nil
}

// pointIfNonEmpty returns p, or nil when *p is empty.
func pointIfNonEmpty(p *string) *string {
	if *p == "" {
		return nil
	}
	return p
}
