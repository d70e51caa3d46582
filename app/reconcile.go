package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/media"
)

// Maintenance defaults: how often each process reconciles, and how old an
// unreferenced object must be before it is removed (an upload stores its
// original a moment before its record exists).
const (
	DefaultMaintenanceInterval = time.Hour
	DefaultOrphanGrace         = time.Hour
)

// ReconcileOptions tune Reconcile.
type ReconcileOptions struct {
	// Grace spares unreferenced objects younger than this.
	Grace time.Duration
	// DryRun reports what would change and changes nothing.
	DryRun bool
}

// ReconcileReport says what Reconcile found and did.
type ReconcileReport struct {
	ObjectsSeen    int
	OrphansRemoved []string // object keys no record references
	AssetsFailed   []string // asset IDs whose original is missing
	Requeued       []string // asset IDs whose renditions were missing
	// Resumed are assets left PROCESSING for longer than Grace, queued
	// again in case their job was lost (enqueueing after the insert
	// failed, or the worker could not record the outcome).
	Resumed []string
	// SessionsRemoved counts expired sessions deleted.
	SessionsRemoved int64
	// Dangling names the galleries and articles ("gallery <id>",
	// "article <id>") that referred to an asset or gallery no longer
	// there, and lost those references.
	Dangling []string
}

// Reconcile makes the object store and the records agree: it removes
// objects that no record references (older than Grace), direct uploads
// never completed (and their expired tickets), marks assets
// whose original is missing FAILED, queues processing for READY assets
// whose renditions are missing and for assets PROCESSING for longer than
// Grace (their job may be lost; a queued job is not doubled but made due,
// its attempts restarted), and deletes expired sessions. Safe to run in
// several processes at once.
func (s *Service) Reconcile(ctx context.Context, opt ReconcileOptions) (ReconcileReport, error) {
	var rep ReconcileReport
	cutoff := s.now().Add(-opt.Grace)
	known := map[string]*core.Asset{} // by sha256; nil = no such asset
	assetBySHA := func(sha string, fresh bool) (*core.Asset, error) {
		if a, ok := known[sha]; ok && !fresh {
			return a, nil
		}
		a, err := s.store.AssetBySHA256(ctx, sha)
		if core.IsCode(err, core.CodeNotFound) {
			err, a = nil, nil
		}
		if err == nil {
			known[sha] = a
		}
		return a, err
	}
	for _, prefix := range []string{"originals/", "renditions/"} {
		err := s.removeUnused(ctx, prefix, cutoff, opt.DryRun, &rep, func(o media.ObjectInfo, fresh bool) (bool, error) {
			sha, ok := shaOfKey(o.Key)
			if !ok {
				return true, nil // not a key this program writes
			}
			a, err := assetBySHA(sha, fresh)
			return referenced(a, o.Key), err
		})
		if err != nil {
			return rep, err
		}
	}
	// Direct uploads never completed: their tickets have expired.
	abandoned := s.now().Add(-s.cfg.UploadTicketTTL - opt.Grace)
	err := s.removeUnused(ctx, "incoming/", abandoned, opt.DryRun, &rep, func(media.ObjectInfo, bool) (bool, error) {
		return false, nil
	})
	if err != nil {
		return rep, err
	}
	if !opt.DryRun {
		if _, err := s.store.DeleteTicketsExpiredBefore(ctx, abandoned); err != nil {
			return rep, err
		}
		n, err := s.store.DeleteExpiredSessions(ctx, s.now())
		if err != nil {
			return rep, err
		}
		rep.SessionsRemoved = n
	}
	if err := s.removeDangling(ctx, opt.DryRun, &rep); err != nil {
		return rep, err
	}
	err = s.eachAsset(ctx, core.AssetQuery{}, func(a *core.Asset) error {
		if a.Status == core.AssetProcessing {
			// Its job may be lost: queueing again adds one, or makes a
			// queued job due with its attempts restarted (a running one
			// runs once more), and processing (or failing, when the
			// original is gone) settles the asset.
			if a.UpdatedAt.After(cutoff) {
				return nil
			}
			rep.Resumed = append(rep.Resumed, a.ID)
			if opt.DryRun {
				return nil
			}
			return s.enqueueProcessing(ctx, a.ID)
		}
		if a.CreatedAt.After(cutoff) {
			return nil
		}
		if _, err := s.objects.Stat(ctx, a.OriginalKey); core.IsCode(err, core.CodeNotFound) {
			if a.Status != core.AssetFailed {
				rep.AssetsFailed = append(rep.AssetsFailed, a.ID)
				if !opt.DryRun {
					s.failAsset(ctx, a.ID, "the original file is missing from storage")
				}
			}
			return nil
		} else if err != nil {
			return err
		}
		if a.Status != core.AssetReady {
			return nil
		}
		for _, r := range a.Renditions {
			_, err := s.objects.Stat(ctx, r.Key)
			if core.IsCode(err, core.CodeNotFound) {
				rep.Requeued = append(rep.Requeued, a.ID)
				if opt.DryRun {
					return nil
				}
				return s.enqueueProcessing(ctx, a.ID)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	return rep, err
}

// removeUnused lists the objects under prefix and removes (or, in a dry
// run, only reports) each one written before cutoff that keep says is not
// needed. Right before a delete it looks again, since the listing may be
// minutes old by then: an object written since is kept (the same file
// uploaded again stores the same content key), then keep is asked again
// with fresh set (no cached answer) and the object removed only if it is
// still not needed. The window left between that last look and the delete
// is closed on the upload's side (restoreOriginal).
func (s *Service) removeUnused(ctx context.Context, prefix string, cutoff time.Time, dryRun bool, rep *ReconcileReport, keep func(o media.ObjectInfo, fresh bool) (bool, error)) error {
	err := s.objects.List(ctx, prefix, func(o media.ObjectInfo) error {
		rep.ObjectsSeen++
		if o.ModTime.After(cutoff) {
			return nil
		}
		if k, err := keep(o, false); k || err != nil {
			return err
		}
		if dryRun {
			rep.OrphansRemoved = append(rep.OrphansRemoved, o.Key)
			return nil
		}
		now, err := s.objects.Stat(ctx, o.Key)
		switch {
		case core.IsCode(err, core.CodeNotFound):
			return nil
		case err != nil:
			return err
		case now.ModTime.After(cutoff):
			return nil
		}
		if k, err := keep(o, true); k || err != nil {
			return err
		}
		if err := s.objects.Delete(ctx, o.Key); err != nil {
			return err
		}
		rep.OrphansRemoved = append(rep.OrphansRemoved, o.Key)
		return nil
	})
	if err != nil {
		return fmt.Errorf("app: reconcile %s: %w", prefix, err)
	}
	return nil
}

// shaOfKey returns the original's SHA-256 an object key derives from.
func shaOfKey(key string) (string, bool) {
	parts := strings.Split(key, "/")
	switch {
	case len(parts) == 4 && parts[0] == "originals":
		return parts[3], len(parts[3]) == 64
	case len(parts) == 3 && parts[0] == "renditions":
		return parts[1], len(parts[1]) == 64
	}
	return "", false
}

// referenced reports whether asset a uses the object key.
func referenced(a *core.Asset, key string) bool {
	if a == nil {
		return false
	}
	if a.OriginalKey == key {
		return true
	}
	for _, r := range a.Renditions {
		if r.Key == key {
			return true
		}
	}
	return false
}

// eachAsset calls fn for every asset matching q, page by page.
func (s *Service) eachAsset(ctx context.Context, q core.AssetQuery, fn func(*core.Asset) error) error {
	return eachPage(func(p core.Page) (core.PageOf[*core.Asset], error) {
		q.Page = p
		return s.store.ListAssets(ctx, q)
	}, assetID, func(page []*core.Asset) error {
		for _, a := range page {
			if err := fn(a); err != nil {
				return err
			}
		}
		return nil
	})
}

// eachPage calls fn with every page list gives, newest first, the largest
// pages a store serves.
func eachPage[T any](list func(core.Page) (core.PageOf[T], error), id func(T) string, fn func([]T) error) error {
	p := core.Page{Limit: core.MaxPageSize}
	for {
		page, err := list(p)
		if err != nil {
			return err
		}
		if err := fn(page.Items); err != nil {
			return err
		}
		if !page.HasNext || len(page.Items) == 0 {
			return nil
		}
		p.After = id(page.Items[len(page.Items)-1])
	}
}

// removeDangling takes out of galleries and articles their references to
// assets and galleries that no longer exist. Deletes and writes settle
// their races themselves (DeleteAsset, DeleteGallery, settleGallery,
// settleArticle), each with a second write; one that a process did not
// live to make is made here. Until then editors are not held up: the API
// leaves such items out, publishing drops them, and the next write that
// brought them in would have.
func (s *Service) removeDangling(ctx context.Context, dryRun bool, rep *ReconcileReport) error {
	err := eachPage(func(p core.Page) (core.PageOf[*core.Gallery], error) {
		return s.store.ListGalleries(ctx, core.GalleryQuery{Page: p})
	}, galleryID, func(page []*core.Gallery) error {
		var ids []string
		for _, g := range page {
			ids = append(ids, galleryAssetIDs(g)...)
		}
		gone, err := s.goneAssets(ctx, ids)
		if err != nil {
			return err
		}
		for _, g := range page {
			if !dropGalleryAssets(g, gone) {
				continue
			}
			rep.Dangling = append(rep.Dangling, "gallery "+g.ID)
			if dryRun {
				continue
			}
			_, err := s.mutateGallery(ctx, g.ID, nil, func(g *core.Gallery) error {
				dropGalleryAssets(g, gone)
				return nil
			})
			if err != nil && !core.IsCode(err, core.CodeNotFound) {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return eachPage(func(p core.Page) (core.PageOf[*core.Article], error) {
		return s.store.ListArticles(ctx, core.ArticleQuery{Page: p})
	}, articleID, func(page []*core.Article) error {
		var assets, galleries []string
		for _, a := range page {
			assets, galleries = append(assets, a.AssetIDs()...), append(galleries, a.GalleryIDs()...)
		}
		goneA, err := s.goneAssets(ctx, assets)
		if err != nil {
			return err
		}
		goneG, err := s.goneGalleries(ctx, galleries)
		if err != nil {
			return err
		}
		for _, a := range page {
			if !dropArticleRefs(a, goneA, goneG) {
				continue
			}
			rep.Dangling = append(rep.Dangling, "article "+a.ID)
			if dryRun {
				continue
			}
			_, err := s.mutateArticle(ctx, a.ID, nil, func(a *core.Article) error {
				dropArticleRefs(a, goneA, goneG)
				return nil
			})
			if err != nil && !core.IsCode(err, core.CodeNotFound) {
				return err
			}
		}
		return nil
	})
}

// upgradeNext queues processing for the next READY asset after the ID
// cursor (newest first) whose renditions were made by an older pipeline
// (media.PipelineVersion), but only when no job is due: uploads and jobs
// already queued come first. It returns the cursor to pass next time, and
// done when no such asset is left after cursor.
func (s *Service) upgradeNext(ctx context.Context, cursor string) (next string, done bool, err error) {
	_, due, err := s.store.QueueStats(ctx, s.now())
	if err != nil || due != nil {
		return cursor, false, err
	}
	q := core.AssetQuery{PipelineBelow: media.PipelineVersion, Status: core.AssetReady}
	q.After, q.Limit = cursor, 1
	page, err := s.store.ListAssets(ctx, q)
	if err != nil {
		return cursor, false, err
	}
	if len(page.Items) == 0 {
		return cursor, true, nil
	}
	a := page.Items[0]
	return a.ID, false, s.enqueueProcessing(ctx, a.ID)
}

// runUpgrades regenerates, in the background, the renditions of assets
// made by an older pipeline, so that a new rendition set (a new format, a
// new size) reaches the existing library after an upgrade: at most one
// asset every Config.UpgradeInterval, and only while no other job is due,
// so uploads never wait behind it and the server stays responsive. The
// assets stay READY with their old renditions until their new ones are
// stored (processAsset replaces the list in one write; a failure keeps
// the old ones, see runJob). Each asset is tried once per start: it
// returns when it has walked the whole library.
func (s *Service) runUpgrades(ctx context.Context) {
	t := time.NewTicker(s.cfg.UpgradeInterval)
	defer t.Stop()
	cursor, queued := "", 0
	for {
		next, done, err := s.upgradeNext(ctx, cursor)
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return
			}
			s.log.Error("queue an asset made by an older pipeline", "err", err)
		case done:
			if queued > 0 {
				s.log.Info("queued every asset made by an older pipeline", "count", queued, "pipeline", media.PipelineVersion)
			}
			return
		case next != cursor:
			if queued == 0 {
				s.log.Info("regenerating assets made by an older pipeline in the background", "pipeline", media.PipelineVersion, "interval", s.cfg.UpgradeInterval)
			}
			queued++
			cursor = next
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RequeueAll queues processing for every asset (the `reprocess` command).
func (s *Service) RequeueAll(ctx context.Context) (int, error) {
	n := 0
	err := s.eachAsset(ctx, core.AssetQuery{}, func(a *core.Asset) error {
		n++
		return s.enqueueProcessing(ctx, a.ID)
	})
	return n, err
}

// runMaintenance starts regenerating outdated assets (runUpgrades), then
// reconciles every interval until ctx ends.
func (s *Service) runMaintenance(ctx context.Context) {
	upgrades := make(chan struct{})
	go func() {
		defer close(upgrades)
		s.runUpgrades(ctx)
	}()
	defer func() { <-upgrades }()
	t := time.NewTicker(s.cfg.MaintenanceInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			rep, err := s.Reconcile(ctx, ReconcileOptions{Grace: s.cfg.OrphanGrace})
			if err != nil {
				if ctx.Err() == nil {
					s.log.Error("reconcile", "err", err)
				}
				continue
			}
			s.log.Info("reconciled", "objects", rep.ObjectsSeen, "orphans_removed", len(rep.OrphansRemoved),
				"assets_failed", len(rep.AssetsFailed), "requeued", len(rep.Requeued),
				"resumed", len(rep.Resumed), "sessions_removed", rep.SessionsRemoved, "dangling", len(rep.Dangling))
		}
	}
}
