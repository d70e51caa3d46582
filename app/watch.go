package app

import (
	"context"
	"time"

	"github.com/stillroom/stillroom/core"
)

// WatchInterval is how often a watched gallery or article is read again.
// Watching reads the store, not this process's memory, so an editor sees
// changes made through any server process on the same database.
var WatchInterval = time.Second

// WatchGallery sends the gallery now and again each time its version
// changes, until ctx ends; the channel closes when the gallery is deleted
// (or the caller loses the right to see drafts). EDITOR and up.
func (s *Service) WatchGallery(ctx context.Context, id string) (<-chan *core.Gallery, error) {
	if _, err := require(ctx, core.RoleEditor); err != nil {
		return nil, err
	}
	return watch(ctx, func(ctx context.Context) (*core.Gallery, int, error) {
		g, err := s.store.GalleryByID(ctx, id)
		if err != nil {
			return nil, 0, err
		}
		return g, g.Version, nil
	})
}

// WatchArticle is WatchGallery for an article.
func (s *Service) WatchArticle(ctx context.Context, id string) (<-chan *core.Article, error) {
	if _, err := require(ctx, core.RoleEditor); err != nil {
		return nil, err
	}
	return watch(ctx, func(ctx context.Context) (*core.Article, int, error) {
		a, err := s.store.ArticleByID(ctx, id)
		if err != nil {
			return nil, 0, err
		}
		return a, a.Version, nil
	})
}

// watch reads once (so an unknown id is NOT_FOUND at once), then polls
// read every WatchInterval and sends what it read when the version moved.
func watch[T any](ctx context.Context, read func(context.Context) (T, int, error)) (<-chan T, error) {
	first, version, err := read(ctx)
	if err != nil {
		return nil, err
	}
	out := make(chan T, 1)
	out <- first
	go func() {
		defer close(out)
		tick := time.NewTicker(WatchInterval)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			v, n, err := read(ctx)
			if core.IsCode(err, core.CodeNotFound) {
				return
			}
			if err != nil || n == version {
				continue // a failed read is tried again at the next tick
			}
			version = n
			select {
			case out <- v:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}
