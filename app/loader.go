package app

import (
	"context"
	"sync"

	"github.com/stillroom/stillroom/core"
)

// loader is a per-request cache that batches the loads of nested fields.
// List resolvers register the page they return; the first nested asset,
// gallery or user lookup then loads what the whole page references in one
// query per collection, so a page costs a fixed number of round trips
// whatever its size. Lookups outside a registered page are cached too.
type loader struct {
	mu        sync.Mutex
	assets    map[string]*core.Asset
	galleries map[string]*core.Gallery
	users     map[string]*core.User
	// pending content whose references are not loaded yet.
	articles   []*core.Article
	gallerySet []*core.Gallery
}

type loaderKey struct{}

// WithLoader returns ctx with a fresh per-request loader. The HTTP layer
// calls it once per request.
func WithLoader(ctx context.Context) context.Context {
	return context.WithValue(ctx, loaderKey{}, &loader{
		assets:    map[string]*core.Asset{},
		galleries: map[string]*core.Gallery{},
		users:     map[string]*core.User{},
	})
}

func loaderFrom(ctx context.Context) *loader {
	l, _ := ctx.Value(loaderKey{}).(*loader)
	return l
}

// RegisterArticles tells the request's loader which articles a list
// returned, so their references load together.
func RegisterArticles(ctx context.Context, list []*core.Article) {
	if l := loaderFrom(ctx); l != nil {
		l.mu.Lock()
		l.articles = append(l.articles, list...)
		l.mu.Unlock()
	}
}

// RegisterGalleries is RegisterArticles for galleries.
func RegisterGalleries(ctx context.Context, list []*core.Gallery) {
	if l := loaderFrom(ctx); l != nil {
		l.mu.Lock()
		l.gallerySet = append(l.gallerySet, list...)
		l.mu.Unlock()
	}
}

// expand loads the galleries referenced by pending articles, then every
// asset the pending articles and galleries reference. l.mu is held.
func (l *loader) expand(ctx context.Context, st core.Store) error {
	if len(l.articles) == 0 && len(l.gallerySet) == 0 {
		return nil
	}
	var galIDs []string
	for _, a := range l.articles {
		galIDs = append(galIDs, a.GalleryIDs()...)
	}
	if err := l.fetchGalleries(ctx, st, galIDs); err != nil {
		return err
	}
	var assetIDs []string
	for _, a := range l.articles {
		assetIDs = append(assetIDs, a.AssetIDs()...)
		for _, id := range a.GalleryIDs() {
			if g := l.galleries[id]; g != nil {
				l.gallerySet = append(l.gallerySet, g)
			}
		}
	}
	for _, g := range l.gallerySet {
		assetIDs = append(assetIDs, galleryAssetIDs(g)...)
	}
	l.articles, l.gallerySet = nil, nil
	return l.fetchAssets(ctx, st, assetIDs)
}

func galleryAssetIDs(g *core.Gallery) []string {
	ids := make([]string, 0, len(g.Items)+1)
	if g.CoverAssetID != "" {
		ids = append(ids, g.CoverAssetID)
	}
	for _, it := range g.Items {
		ids = append(ids, it.AssetID)
	}
	return ids
}

// missing returns the distinct ids not in have.
func missing[T any](ids []string, have map[string]T) []string {
	var out []string
	seen := map[string]bool{}
	for _, id := range ids {
		if _, ok := have[id]; !ok && !seen[id] && id != "" {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// fetchAssets loads the assets not cached yet; ones that do not exist are
// cached as nil so they are not asked for again.
func (l *loader) fetchAssets(ctx context.Context, st core.Store, ids []string) error {
	need := missing(ids, l.assets)
	if len(need) == 0 {
		return nil
	}
	list, err := st.AssetsByIDs(ctx, need)
	if err != nil {
		return err
	}
	for _, id := range need {
		l.assets[id] = nil
	}
	for _, a := range list {
		l.assets[a.ID] = a
	}
	return nil
}

func (l *loader) fetchGalleries(ctx context.Context, st core.Store, ids []string) error {
	need := missing(ids, l.galleries)
	if len(need) == 0 {
		return nil
	}
	list, err := st.GalleriesByIDs(ctx, need)
	if err != nil {
		return err
	}
	for _, id := range need {
		l.galleries[id] = nil
	}
	for _, g := range list {
		l.galleries[g.ID] = g
	}
	return nil
}

// loadAssets returns the assets with the given ids that exist, in order,
// through the request's loader when there is one.
func (s *Service) loadAssets(ctx context.Context, ids []string) ([]*core.Asset, error) {
	l := loaderFrom(ctx)
	if l == nil {
		list, err := s.store.AssetsByIDs(ctx, ids)
		return orderByID(ids, list, func(a *core.Asset) string { return a.ID }), err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if firstMissing(ids, l.assets) != "" {
		if err := l.expand(ctx, s.store); err != nil {
			return nil, err
		}
		if err := l.fetchAssets(ctx, s.store, ids); err != nil {
			return nil, err
		}
	}
	return pick(ids, l.assets), nil
}

// loadGalleries is loadAssets for galleries.
func (s *Service) loadGalleries(ctx context.Context, ids []string) ([]*core.Gallery, error) {
	l := loaderFrom(ctx)
	if l == nil {
		list, err := s.store.GalleriesByIDs(ctx, ids)
		return orderByID(ids, list, func(g *core.Gallery) string { return g.ID }), err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if firstMissing(ids, l.galleries) != "" {
		if err := l.expand(ctx, s.store); err != nil {
			return nil, err
		}
		if err := l.fetchGalleries(ctx, s.store, ids); err != nil {
			return nil, err
		}
	}
	return pick(ids, l.galleries), nil
}

// loadUser returns a user through the loader, loading the authors of every
// registered article at the first miss. NOT_FOUND when there is none.
func (s *Service) loadUser(ctx context.Context, id string) (*core.User, error) {
	l := loaderFrom(ctx)
	if l == nil {
		return s.store.UserByID(ctx, id)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if u, ok := l.users[id]; ok {
		if u == nil {
			return nil, core.Errorf(core.CodeNotFound, "user %s not found", id)
		}
		return u, nil
	}
	ids := []string{id}
	for _, a := range l.articles {
		ids = append(ids, a.AuthorID)
	}
	need := missing(ids, l.users)
	list, err := s.store.UsersByIDs(ctx, need)
	if err != nil {
		return nil, err
	}
	for _, x := range need {
		l.users[x] = nil
	}
	for _, u := range list {
		l.users[u.ID] = u
	}
	if l.users[id] == nil {
		return nil, core.Errorf(core.CodeNotFound, "user %s not found", id)
	}
	return l.users[id], nil
}

// firstMissing returns a non-empty id of ids not in have, or "" when all
// are cached.
func firstMissing[T any](ids []string, have map[string]T) string {
	for _, id := range ids {
		if _, ok := have[id]; !ok && id != "" {
			return id
		}
	}
	return ""
}

func pick[T any](ids []string, have map[string]*T) []*T {
	out := make([]*T, 0, len(ids))
	for _, id := range ids {
		if v := have[id]; v != nil {
			out = append(out, v)
		}
	}
	return out
}

func orderByID[T any](ids []string, list []*T, id func(*T) string) []*T {
	byID := make(map[string]*T, len(list))
	for _, v := range list {
		byID[id(v)] = v
	}
	return pick(ids, byID)
}
