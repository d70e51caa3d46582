package app

import (
	"context"
	"sync"

	"github.com/stillroom/stillroom/core"
)

// loader is a per-response cache that batches the loads of nested fields
// (a query's answer, or one event of a subscription: it never outlives
// the moment its answer is made, so it needs no expiry).
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
	// signedIn is the user an operation signed in (login), whom it may
	// show as the signed-in users see them.
	signedIn string
}

type loaderKey struct{}

// WithLoader returns ctx with a fresh loader. The HTTP layer calls it once
// per response: once for a query or mutation, once per subscription
// event.
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

// NoteSignedIn records that the operation signed in user id (login): its
// answer may show that user's account (CanSeeAccount).
func NoteSignedIn(ctx context.Context, id string) {
	if l := loaderFrom(ctx); l != nil {
		l.mu.Lock()
		l.signedIn = id
		l.mu.Unlock()
	}
}

// CanSeeAccount reports whether the caller may see user id's email, role
// and the like: signed-in callers may, and an operation that just signed
// that user in.
func CanSeeAccount(ctx context.Context, id string) bool {
	if CanSeePrivate(ctx) {
		return true
	}
	l := loaderFrom(ctx)
	if l == nil {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.signedIn != "" && l.signedIn == id
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

// fetchInto loads into cache the ids not cached yet, with one call of
// load; ones that do not exist are cached as nil so they are not asked for
// again.
func fetchInto[T any](ctx context.Context, cache map[string]*T, ids []string,
	load func(context.Context, []string) ([]*T, error), id func(*T) string) error {
	need := missing(ids, cache)
	if len(need) == 0 {
		return nil
	}
	list, err := load(ctx, need)
	if err != nil {
		return err
	}
	for _, x := range need {
		cache[x] = nil
	}
	for _, v := range list {
		cache[id(v)] = v
	}
	return nil
}

func assetID(a *core.Asset) string     { return a.ID }
func galleryID(g *core.Gallery) string { return g.ID }
func userID(u *core.User) string       { return u.ID }
func articleID(a *core.Article) string { return a.ID }

func (l *loader) fetchAssets(ctx context.Context, st core.Store, ids []string) error {
	return fetchInto(ctx, l.assets, ids, st.AssetsByIDs, assetID)
}

func (l *loader) fetchGalleries(ctx context.Context, st core.Store, ids []string) error {
	return fetchInto(ctx, l.galleries, ids, st.GalleriesByIDs, galleryID)
}

// loadThrough returns the items with the given ids that exist, in order:
// straight from the store without a loader; with one, from its cache after
// loading the registered page's references and then what is still missing.
func loadThrough[T any](ctx context.Context, s *Service, ids []string, cache func(*loader) map[string]*T,
	load func(context.Context, []string) ([]*T, error), id func(*T) string) ([]*T, error) {
	l := loaderFrom(ctx)
	if l == nil {
		list, err := load(ctx, ids)
		return orderByID(ids, list, id), err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	c := cache(l)
	if firstMissing(ids, c) != "" {
		if err := l.expand(ctx, s.store); err != nil {
			return nil, err
		}
		if err := fetchInto(ctx, c, ids, load, id); err != nil {
			return nil, err
		}
	}
	return pick(ids, c), nil
}

// loadAssets returns the assets with the given ids that exist, in order,
// through the request's loader when there is one.
func (s *Service) loadAssets(ctx context.Context, ids []string) ([]*core.Asset, error) {
	return loadThrough(ctx, s, ids, func(l *loader) map[string]*core.Asset { return l.assets }, s.store.AssetsByIDs, assetID)
}

// loadGalleries is loadAssets for galleries.
func (s *Service) loadGalleries(ctx context.Context, ids []string) ([]*core.Gallery, error) {
	return loadThrough(ctx, s, ids, func(l *loader) map[string]*core.Gallery { return l.galleries }, s.store.GalleriesByIDs, galleryID)
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
	if _, ok := l.users[id]; !ok {
		ids := []string{id}
		for _, a := range l.articles {
			ids = append(ids, a.AuthorID)
		}
		if err := fetchInto(ctx, l.users, ids, s.store.UsersByIDs, userID); err != nil {
			return nil, err
		}
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
