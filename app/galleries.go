package app

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/fold"
)

// GalleryPatch changes a gallery; nil fields are left as they are. An
// empty CoverAssetID clears the explicit cover.
type GalleryPatch struct {
	Title        *string
	Slug         *string
	Description  *string
	CoverAssetID *string
}

// ItemPatch changes a gallery item's overrides; an empty string clears one
// so the asset's own text shows again.
type ItemPatch struct {
	Caption *string
	AltText *string
	Credit  *string
}

// GallerySort orders gallery items.
type GallerySort string

// Gallery orders.
const (
	SortTimecode GallerySort = "TIMECODE"
	SortTakenAt  GallerySort = "TAKEN_AT"
	SortFilename GallerySort = "FILENAME"
)

// CreateGallery makes a DRAFT gallery. EDITOR; BAD_USER_INPUT without a
// title; CONFLICT when an explicit slug is taken (a derived one gets -2, -3).
func (s *Service) CreateGallery(ctx context.Context, p GalleryPatch) (*core.Gallery, error) {
	u, err := require(ctx, core.RoleEditor)
	if err != nil {
		return nil, err
	}
	now := s.now()
	g := &core.Gallery{ID: core.NewID(), Publication: core.Publication{Status: core.StatusDraft},
		Items: []core.GalleryItem{}, CreatedBy: u.ID, Version: 1, CreatedAt: now, UpdatedAt: now}
	if p.Title == nil {
		return nil, core.Errorf(core.CodeBadUserInput, "title must not be empty")
	}
	if err := s.applyGalleryPatch(ctx, g, p); err != nil {
		return nil, err
	}
	base, err := slugBase(p.Slug, g.Title)
	if err != nil {
		return nil, err
	}
	err = insertWithSlug(base, p.Slug != nil && *p.Slug != "", func(s string) { g.Slug = s },
		func() error { return s.store.InsertGallery(ctx, g) })
	if err != nil {
		return nil, err
	}
	return s.settleGallery(ctx, g, galleryAssetIDs(g)), nil
}

func (s *Service) applyGalleryPatch(ctx context.Context, g *core.Gallery, p GalleryPatch) error {
	var err error
	if p.Title != nil {
		if g.Title, err = checkText("title", *p.Title, MaxTitleLen, true); err != nil {
			return err
		}
	}
	if p.Description != nil {
		if g.Description, err = checkText("description", *p.Description, MaxSummaryLen, false); err != nil {
			return err
		}
	}
	if p.CoverAssetID != nil {
		if *p.CoverAssetID != "" {
			if _, err := s.store.AssetByID(ctx, *p.CoverAssetID); err != nil {
				return asInput(err, "coverAssetId")
			}
		}
		g.CoverAssetID = *p.CoverAssetID
	}
	g.SearchTokens = galleryTokens(g)
	return nil
}

// asInput turns NOT_FOUND for a referenced object into BAD_USER_INPUT
// naming the argument.
func asInput(err error, field string) error {
	if core.IsCode(err, core.CodeNotFound) {
		return core.WrapError(core.CodeBadUserInput, err, "%s: %s", field, core.ErrorMessage(err))
	}
	return err
}

func galleryTokens(g *core.Gallery) []string {
	texts := []string{g.Title, g.Description}
	for _, it := range g.Items {
		texts = append(texts, it.Caption, it.AltText, it.Credit)
	}
	return fold.Tokens(texts...)
}

// UpdateGallery changes title, slug, description or cover. EDITOR;
// CONFLICT on a stale version or a taken slug.
func (s *Service) UpdateGallery(ctx context.Context, id string, p GalleryPatch, version *int) (*core.Gallery, error) {
	if _, err := require(ctx, core.RoleEditor); err != nil {
		return nil, err
	}
	return s.mutateGallery(ctx, id, version, func(g *core.Gallery) error {
		if err := s.applyGalleryPatch(ctx, g, p); err != nil {
			return err
		}
		if p.Slug != nil {
			slug, err := slugBase(p.Slug, g.Title)
			if err != nil {
				return err
			}
			g.Slug = slug
		}
		return nil
	})
}

// mutateGallery applies fn to a gallery as one versioned write (see
// mutateVersioned), keeping its search tokens and UpdatedAt current. The
// assets the write brought in are looked up again after it (settleGallery).
func (s *Service) mutateGallery(ctx context.Context, id string, version *int, fn func(*core.Gallery) error) (*core.Gallery, error) {
	var added []string
	g, err := mutateVersioned(s, ctx, "gallery", id, version, s.store.GalleryByID, s.store.UpdateGallery,
		func(g *core.Gallery) int { return g.Version },
		func(g *core.Gallery) error {
			before := galleryPlacements(g, nil)
			had := galleryAssetIDs(g)
			if err := fn(g); err != nil {
				return err
			}
			if err := s.keepPublishable(ctx, before, galleryPlacements(g, nil), g.Publication.Status != core.StatusDraft); err != nil {
				return err
			}
			added = newIDs(had, galleryAssetIDs(g))
			g.SearchTokens = galleryTokens(g)
			g.UpdatedAt = s.now()
			return nil
		})
	if err != nil {
		return nil, err
	}
	return s.settleGallery(ctx, g, added), nil
}

// settleGallery closes the race between a write that brings assets into a
// gallery and their deletion: the write checked they existed, but one may
// have been deleted before the write was saved, after DeleteAsset looked
// for its uses for the last time. So the assets are looked up again after
// the save and the ones gone are taken out by a second versioned write
// (single-document writes only: this holds on every store). The other
// order, an asset deleted after the save, is DeleteAsset's to settle. It
// returns the gallery as it is after; a failure is logged and left to
// reconcile, since the caller's change itself was saved.
func (s *Service) settleGallery(ctx context.Context, g *core.Gallery, added []string) *core.Gallery {
	ctx = context.WithoutCancel(ctx)
	gone, err := s.goneAssets(ctx, added)
	if err == nil && len(gone) > 0 {
		s.log.Info("removing assets deleted while a gallery took them", "gallery", g.ID, "assets", len(gone))
		var settled *core.Gallery
		settled, err = s.mutateGallery(ctx, g.ID, nil, func(g *core.Gallery) error {
			dropGalleryAssets(g, gone)
			return nil
		})
		if err == nil {
			return settled
		}
	}
	if err != nil && !core.IsCode(err, core.CodeNotFound) {
		s.log.Warn("look for deleted assets in a gallery; reconcile will", "gallery", g.ID, "err", err)
	}
	return g
}

// dropGalleryAssets removes the items and the cover of the gone assets and
// says whether anything was removed.
func dropGalleryAssets(g *core.Gallery, gone map[string]bool) bool {
	n := len(g.Items)
	items := g.Items[:0]
	for _, it := range g.Items {
		if !gone[it.AssetID] {
			items = append(items, it)
		}
	}
	g.Items = items
	dropped := len(items) < n
	if gone[g.CoverAssetID] {
		g.CoverAssetID, dropped = "", true
	}
	return dropped
}

// newIDs lists the ids of after that are not in before, once each.
func newIDs(before, after []string) []string {
	had := make(map[string]bool, len(before))
	for _, id := range before {
		had[id] = true
	}
	var out []string
	for _, id := range after {
		if !had[id] {
			had[id] = true
			out = append(out, id)
		}
	}
	return out
}

// isStale tells a version conflict from another CONFLICT (a taken slug).
func isStale(err error) bool {
	return strings.Contains(core.ErrorMessage(err), "version")
}

// AddGalleryItems puts assets into a gallery at position (default: the
// end). Assets already in the gallery are left where they are, so a
// repeated request adds nothing twice. EDITOR; BAD_USER_INPUT for unknown
// assets or a position outside 0..itemCount.
func (s *Service) AddGalleryItems(ctx context.Context, galleryID string, assetIDs []string, position *int, version *int) (*core.Gallery, error) {
	if _, err := require(ctx, core.RoleEditor); err != nil {
		return nil, err
	}
	if len(assetIDs) == 0 {
		return nil, core.Errorf(core.CodeBadUserInput, "assetIds must not be empty")
	}
	found, err := s.store.AssetsByIDs(ctx, assetIDs)
	if err != nil {
		return nil, err
	}
	if missing := missingIDs(assetIDs, found, assetID); len(missing) > 0 {
		return nil, core.Errorf(core.CodeBadUserInput, "unknown assets: %s", strings.Join(missing, ", "))
	}
	return s.mutateGallery(ctx, galleryID, version, func(g *core.Gallery) error {
		have := map[string]bool{}
		for _, it := range g.Items {
			have[it.AssetID] = true
		}
		var add []core.GalleryItem
		for _, id := range assetIDs {
			if !have[id] {
				have[id] = true
				add = append(add, core.GalleryItem{ID: core.NewID(), AssetID: id})
			}
		}
		if len(g.Items)+len(add) > MaxItems {
			return core.Errorf(core.CodeBadUserInput, "a gallery holds at most %d items", MaxItems)
		}
		at := len(g.Items)
		if position != nil {
			if *position < 0 || *position > len(g.Items) {
				return core.Errorf(core.CodeBadUserInput, "position must be between 0 and %d", len(g.Items))
			}
			at = *position
		}
		items := make([]core.GalleryItem, 0, len(g.Items)+len(add))
		items = append(items, g.Items[:at]...)
		items = append(items, add...)
		g.Items = append(items, g.Items[at:]...)
		return nil
	})
}

// missingIDs lists the ids of want, in order, that no document of found
// has (id names a document's).
func missingIDs[T any](want []string, found []*T, id func(*T) string) []string {
	have := map[string]bool{}
	for _, d := range found {
		have[id(d)] = true
	}
	var missing []string
	for _, id := range want {
		if !have[id] {
			missing = append(missing, id)
		}
	}
	return missing
}

func itemIndex(g *core.Gallery, itemID string) (int, error) {
	for i, it := range g.Items {
		if it.ID == itemID {
			return i, nil
		}
	}
	return -1, core.Errorf(core.CodeNotFound, "gallery %s has no item %s", g.ID, itemID)
}

// MoveGalleryItem moves one item to position; the others close up.
// EDITOR; NOT_FOUND for an unknown item; BAD_USER_INPUT for a position
// outside 0..itemCount-1.
func (s *Service) MoveGalleryItem(ctx context.Context, galleryID, itemID string, position int, version *int) (*core.Gallery, error) {
	if _, err := require(ctx, core.RoleEditor); err != nil {
		return nil, err
	}
	return s.mutateGallery(ctx, galleryID, version, func(g *core.Gallery) error {
		from, err := itemIndex(g, itemID)
		if err != nil {
			return err
		}
		if position < 0 || position >= len(g.Items) {
			return core.Errorf(core.CodeBadUserInput, "position must be between 0 and %d", len(g.Items)-1)
		}
		it := g.Items[from]
		g.Items = append(g.Items[:from], g.Items[from+1:]...)
		g.Items = append(g.Items[:position], append([]core.GalleryItem{it}, g.Items[position:]...)...)
		return nil
	})
}

// UpdateGalleryItem sets an item's caption, alt text or credit override.
func (s *Service) UpdateGalleryItem(ctx context.Context, galleryID, itemID string, p ItemPatch, version *int) (*core.Gallery, error) {
	if _, err := require(ctx, core.RoleEditor); err != nil {
		return nil, err
	}
	return s.mutateGallery(ctx, galleryID, version, func(g *core.Gallery) error {
		i, err := itemIndex(g, itemID)
		if err != nil {
			return err
		}
		it := &g.Items[i]
		for _, f := range []struct {
			dst  *string
			v    *string
			name string
			max  int
		}{{&it.Caption, p.Caption, "caption", MaxCaptionLen}, {&it.AltText, p.AltText, "altText", MaxCaptionLen}, {&it.Credit, p.Credit, "credit", MaxShortText}} {
			if f.v == nil {
				continue
			}
			v, err := checkText(f.name, *f.v, f.max, false)
			if err != nil {
				return err
			}
			*f.dst = v
		}
		return nil
	})
}

// RemoveGalleryItems removes items; unknown item IDs are NOT_FOUND and
// nothing is removed.
func (s *Service) RemoveGalleryItems(ctx context.Context, galleryID string, itemIDs []string, version *int) (*core.Gallery, error) {
	if _, err := require(ctx, core.RoleEditor); err != nil {
		return nil, err
	}
	return s.mutateGallery(ctx, galleryID, version, func(g *core.Gallery) error {
		drop := map[string]bool{}
		for _, id := range itemIDs {
			if _, err := itemIndex(g, id); err != nil {
				return err
			}
			drop[id] = true
		}
		items := g.Items[:0]
		for _, it := range g.Items {
			if !drop[it.ID] {
				items = append(items, it)
			}
		}
		g.Items = items
		return nil
	})
}

// SortGalleryItems orders the items by still timecode, time taken or file
// name. Items without the key go last; ties keep their current order.
func (s *Service) SortGalleryItems(ctx context.Context, galleryID string, by GallerySort, version *int, reverse bool) (*core.Gallery, error) {
	if _, err := require(ctx, core.RoleEditor); err != nil {
		return nil, err
	}
	g, err := s.store.GalleryByID(ctx, galleryID)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(g.Items))
	for i, it := range g.Items {
		ids[i] = it.AssetID
	}
	assets, err := s.store.AssetsByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := map[string]*core.Asset{}
	for _, a := range assets {
		byID[a.ID] = a
	}
	less, err := itemOrder(by, byID)
	if err != nil {
		return nil, err
	}
	if reverse {
		forward := less
		less = func(a, b string) bool { return forward(b, a) }
	}
	return s.mutateGallery(ctx, galleryID, version, func(g *core.Gallery) error {
		sort.SliceStable(g.Items, func(i, j int) bool { return less(g.Items[i].AssetID, g.Items[j].AssetID) })
		return nil
	})
}

func itemOrder(by GallerySort, assets map[string]*core.Asset) (func(a, b string) bool, error) {
	// known orders items that have the key before those that lack it.
	known := func(x, y bool) (bool, bool) {
		if x != y {
			return x, true
		}
		return false, !x
	}
	switch by {
	case SortTimecode:
		return func(a, b string) bool {
			ta, tb := tc(assets[a]), tc(assets[b])
			if r, done := known(ta != nil, tb != nil); done {
				return r
			}
			return ta.Less(*tb)
		}, nil
	case SortTakenAt:
		return func(a, b string) bool {
			ta, tb := takenAt(assets[a]), takenAt(assets[b])
			if r, done := known(ta != nil, tb != nil); done {
				return r
			}
			return ta.Before(*tb)
		}, nil
	case SortFilename:
		// As the library's FILENAME sort: folded, numbers by value.
		keys := make(map[string]string, len(assets))
		for id, a := range assets {
			keys[id] = fold.SortKey(filename(a))
		}
		return func(a, b string) bool { return keys[a] < keys[b] }, nil
	}
	return nil, core.Errorf(core.CodeBadUserInput, "unknown sort %q", by)
}

func tc(a *core.Asset) *core.Timecode {
	if a == nil {
		return nil
	}
	return a.Timecode
}

func takenAt(a *core.Asset) *time.Time {
	if a == nil {
		return nil
	}
	return a.TakenAt
}

func filename(a *core.Asset) string {
	if a == nil {
		return ""
	}
	return a.Filename
}

// PublishGallery publishes now, or at a later time (SCHEDULED until then).
// EDITOR; BAD_USER_INPUT when an item's asset is not READY or, with the
// publish gate on, lacks alt text or credit; with a version, CONFLICT
// unless the gallery is still at that version (what the editor reviewed
// is what goes out).
func (s *Service) PublishGallery(ctx context.Context, id string, at *time.Time, version *int) (*core.Gallery, error) {
	if _, err := require(ctx, core.RoleEditor); err != nil {
		return nil, err
	}
	return s.mutateGallery(ctx, id, version, func(g *core.Gallery) error {
		// Items of assets deleted meanwhile are not shown (Gallery.items
		// leaves them out): what the editor saw is what goes out.
		gone, err := s.goneAssets(ctx, galleryAssetIDs(g))
		if err != nil {
			return err
		}
		dropGalleryAssets(g, gone)
		if err := s.checkPublishable(ctx, galleryPlacements(g, nil)); err != nil {
			return err
		}
		g.Publication = publishAt(g.Publication, at, s.now())
		return nil
	})
}

// UnpublishGallery makes a gallery a DRAFT again. EDITOR; with a version,
// CONFLICT unless the gallery is still at it.
func (s *Service) UnpublishGallery(ctx context.Context, id string, version *int) (*core.Gallery, error) {
	if _, err := require(ctx, core.RoleEditor); err != nil {
		return nil, err
	}
	return s.mutateGallery(ctx, id, version, func(g *core.Gallery) error {
		g.Publication.Status = core.StatusDraft
		g.Publication.PublishAt = nil
		return nil
	})
}

// DeleteGallery removes a gallery. EDITOR; CONFLICT while an article has
// a block with it, and, with a version, unless the gallery is still at it
// (checked right before the delete). An article saved with a block of it
// while it is being deleted loses that block (see detachGallery).
func (s *Service) DeleteGallery(ctx context.Context, id string, version *int) error {
	if _, err := require(ctx, core.RoleEditor); err != nil {
		return err
	}
	if _, err := s.store.GalleryByID(ctx, id); err != nil {
		return err
	}
	arts, err := s.store.ArticlesWithGallery(ctx, id)
	if err != nil {
		return err
	}
	if len(arts) > 0 {
		return core.Errorf(core.CodeConflict, "gallery %s is used in %d articles", id, len(arts))
	}
	if version != nil {
		g, err := s.store.GalleryByID(ctx, id)
		if err != nil {
			return err
		}
		if err := checkVersion("gallery", id, version, g.Version); err != nil {
			return err
		}
	}
	defer s.contentChanged()
	if err := s.store.DeleteGallery(ctx, id); err != nil {
		return err
	}
	if err := s.detachGallery(context.WithoutCancel(ctx), id); err != nil {
		s.log.Warn("remove a deleted gallery's blocks; reconcile will", "gallery", id, "err", err)
	}
	return nil
}

// detachGallery removes the blocks of a deleted gallery from the articles
// that show it. An article saved with such a block checked that the
// gallery existed before it was deleted, but after DeleteGallery looked
// for its uses: this second look finds it. (One saved after this look
// finds the gallery gone itself: see mutateArticle.)
func (s *Service) detachGallery(ctx context.Context, id string) error {
	arts, err := s.store.ArticlesWithGallery(ctx, id)
	if err != nil {
		return err
	}
	gone := map[string]bool{id: true}
	for _, a := range arts {
		s.log.Info("removing a deleted gallery from an article that took it meanwhile", "gallery", id, "article", a.ID)
		_, err := s.mutateArticle(ctx, a.ID, nil, func(a *core.Article) error {
			dropArticleRefs(a, nil, gone)
			return nil
		})
		if err != nil && !core.IsCode(err, core.CodeNotFound) {
			return err
		}
	}
	return nil
}

// Gallery returns a gallery by ID or slug; drafts only for editors, else
// NOT_FOUND.
func (s *Service) Gallery(ctx context.Context, id, slug string) (*core.Gallery, error) {
	var g *core.Gallery
	var err error
	switch {
	case id != "":
		g, err = s.store.GalleryByID(ctx, id)
	case slug != "":
		g, err = s.store.GalleryBySlug(ctx, slug)
	default:
		return nil, core.Errorf(core.CodeBadUserInput, "give id or slug")
	}
	if err != nil {
		return nil, err
	}
	if !CanSeeDrafts(ctx) && !g.Publication.Visible(s.now()) {
		return nil, core.Errorf(core.CodeNotFound, "gallery not found")
	}
	return g, nil
}

// GalleriesByIDs loads galleries the caller may see, in the order of ids,
// batched through the request's loader.
func (s *Service) GalleriesByIDs(ctx context.Context, ids []string) ([]*core.Gallery, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	list, err := s.loadGalleries(ctx, ids)
	if err != nil {
		return nil, err
	}
	return s.visibleGalleries(ctx, list), nil
}

func (s *Service) visibleGalleries(ctx context.Context, gals []*core.Gallery) []*core.Gallery {
	if CanSeeDrafts(ctx) {
		return gals
	}
	now := s.now()
	out := gals[:0:0]
	for _, g := range gals {
		if g.Publication.Visible(now) {
			out = append(out, g)
		}
	}
	return out
}

// ListGalleries lists galleries newest first; drafts only for editors.
func (s *Service) ListGalleries(ctx context.Context, page core.Page, status core.PublishStatus, search []string) (core.PageOf[*core.Gallery], error) {
	f, err := s.publicationFilter(ctx, status)
	if err != nil {
		return core.PageOf[*core.Gallery]{}, err
	}
	p, err := s.store.ListGalleries(ctx, core.GalleryQuery{Page: page, PublicationFilter: f, Search: search})
	RegisterGalleries(ctx, p.Items)
	return p, err
}
