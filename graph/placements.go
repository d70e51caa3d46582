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
	ids := itemAssetIDs(g)
	byID, err := r.assetsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	return placeItems(byID, ids, func(i int) core.ImageOverride { return g.Items[i].Override() },
		func(item *model.GalleryItem, i int, a *model.Asset, t *core.ImageOverride) {
			*item = model.GalleryItem{ID: g.Items[i].ID, Position: i, Asset: a,
				Caption: pointIfNonEmpty(&t.Caption), AltText: pointIfNonEmpty(&t.AltText), Credit: pointIfNonEmpty(&t.Credit)}
		}), nil
}

// galleryItemCount counts the items galleryItems shows: an item whose
// asset is gone, or not the caller's to see, is not counted. The assets
// are the ones items loads (the request's loader holds them).
func (r *Resolver) galleryItemCount(ctx context.Context, g *core.Gallery) (int, error) {
	ids := itemAssetIDs(g)
	byID, err := r.assetsByID(ctx, ids)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		if byID[id] != nil {
			n++
		}
	}
	return n, nil
}

// itemAssetIDs lists the asset of each of g's items, in order.
func itemAssetIDs(g *core.Gallery) []string {
	ids := make([]string, len(g.Items))
	for i, it := range g.Items {
		ids[i] = it.AssetID
	}
	return ids
}

// imageBlockItems resolves an image block's stills; stills the caller may
// not see (or deleted) are left out, as the block's assets are.
func (r *Resolver) imageBlockItems(ctx context.Context, b *model.ImageBlock) ([]*model.ImageBlockItem, error) {
	byID, err := r.assetsByID(ctx, b.AssetIDs)
	if err != nil {
		return nil, err
	}
	block := core.Block{Overrides: b.Overrides}
	return placeItems(byID, b.AssetIDs, block.Override,
		func(item *model.ImageBlockItem, i int, a *model.Asset, t *core.ImageOverride) {
			*item = model.ImageBlockItem{Position: i, Asset: a,
				Caption: pointIfNonEmpty(&t.Caption), AltText: pointIfNonEmpty(&t.AltText), Credit: pointIfNonEmpty(&t.Credit)}
		}), nil
}

// placeItems makes the items of the stills ids (positions 0…) whose asset
// is in byID: set fills item i with its asset's view and the texts it
// shows, own(i) over the asset's. The items, asset views and texts of all
// the stills are made together, in one allocation.
func placeItems[T any](byID map[string]*core.Asset, ids []string, own func(i int) core.ImageOverride,
	set func(item *T, i int, a *model.Asset, t *core.ImageOverride)) []*T {
	views := make([]struct {
		item  T
		asset model.Asset
		texts core.ImageOverride
	}, len(ids))
	out := make([]*T, 0, len(ids))
	for i, id := range ids {
		a := byID[id]
		if a == nil {
			continue // deleted meanwhile, or not the caller's to see
		}
		v := &views[i]
		v.texts = own(i).Over(a)
		v.asset.Set(a)
		set(&v.item, i, &v.asset, &v.texts)
		out = append(out, &v.item)
	}
	return out
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
