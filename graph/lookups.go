package graph

import (
	"context"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/core"
)

// The objects a field points to by ID, loaded for its resolver through
// the operation's loader (app/loader.go).

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
