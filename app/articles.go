package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/fold"
)

// ArticlePatch changes an article; nil fields are left as they are.
type ArticlePatch struct {
	Title        *string
	Slug         *string
	Summary      *string
	Section      *string
	Tags         []string // nil = unchanged
	CoverAssetID *string  // "" clears the cover
	Blocks       []core.Block
	SetBlocks    bool    // Blocks given (possibly empty)
	ImportKey    *string // "" clears it
}

// CreateArticle makes a DRAFT article authored by the caller. EDITOR;
// BAD_USER_INPUT for a missing title, bad blocks or unknown references.
func (s *Service) CreateArticle(ctx context.Context, p ArticlePatch) (*core.Article, error) {
	u, err := require(ctx, core.RoleEditor)
	if err != nil {
		return nil, err
	}
	if p.Title == nil {
		return nil, core.Errorf(core.CodeBadUserInput, "title must not be empty")
	}
	now := s.now()
	a := &core.Article{ID: core.NewID(), Publication: core.Publication{Status: core.StatusDraft},
		Tags: []string{}, Blocks: []core.Block{}, AuthorID: u.ID, Version: 1, CreatedAt: now, UpdatedAt: now}
	if err := s.applyArticlePatch(ctx, a, p); err != nil {
		return nil, err
	}
	base, err := slugBase(p.Slug, a.Title)
	if err != nil {
		return nil, err
	}
	err = insertWithSlug(base, p.Slug != nil && *p.Slug != "", func(s string) { a.Slug = s },
		func() error { return s.store.InsertArticle(ctx, a) })
	if err != nil {
		return nil, err
	}
	return s.settleArticle(ctx, a, a.AssetIDs(), a.GalleryIDs()), nil
}

func (s *Service) applyArticlePatch(ctx context.Context, a *core.Article, p ArticlePatch) error {
	var err error
	if p.Title != nil {
		if a.Title, err = checkText("title", *p.Title, MaxTitleLen, true); err != nil {
			return err
		}
	}
	if p.Summary != nil {
		if a.Summary, err = checkText("summary", *p.Summary, MaxSummaryLen, false); err != nil {
			return err
		}
	}
	if p.Section != nil {
		if a.Section, err = checkText("section", *p.Section, MaxShortText, false); err != nil {
			return err
		}
	}
	if p.Tags != nil {
		if a.Tags, err = cleanTags(p.Tags); err != nil {
			return err
		}
	}
	if p.CoverAssetID != nil {
		if *p.CoverAssetID != "" {
			if _, err := s.store.AssetByID(ctx, *p.CoverAssetID); err != nil {
				return asInput(err, "coverAssetId")
			}
		}
		a.CoverAssetID = *p.CoverAssetID
	}
	if p.ImportKey != nil {
		if a.ImportKey, err = checkText("importKey", *p.ImportKey, MaxShortText, false); err != nil {
			return err
		}
	}
	if p.SetBlocks {
		blocks, err := s.checkBlocks(ctx, p.Blocks)
		if err != nil {
			return err
		}
		a.Blocks = blocks
	}
	a.SearchTokens = articleTokens(a)
	return nil
}

// checkBlocks validates blocks and that everything they reference exists.
func (s *Service) checkBlocks(ctx context.Context, in []core.Block) ([]core.Block, error) {
	if len(in) > MaxBlocks {
		return nil, core.Errorf(core.CodeBadUserInput, "at most %d blocks", MaxBlocks)
	}
	out := make([]core.Block, 0, len(in))
	var assetIDs, galleryIDs []string
	for i, b := range in {
		var err error
		switch b.Kind {
		case core.BlockParagraph:
			b.Text, err = checkText("paragraph", b.Text, MaxTextLen, true)
		case core.BlockHeading:
			b.Text, err = checkText("heading", b.Text, MaxTitleLen, true)
			if err == nil && (b.Level < 1 || b.Level > 6) {
				err = core.Errorf(core.CodeBadUserInput, "heading level must be 1 to 6")
			}
		case core.BlockImage:
			if len(b.AssetIDs) == 0 || len(b.AssetIDs) > MaxImagesPer {
				err = core.Errorf(core.CodeBadUserInput, "an image block has 1 to %d assets", MaxImagesPer)
			}
			if err == nil {
				b.Caption, err = checkText("caption", b.Caption, MaxCaptionLen, false)
			}
			if err == nil {
				b.Overrides, err = checkOverrides(b.Overrides, len(b.AssetIDs))
			}
			assetIDs = append(assetIDs, b.AssetIDs...)
		case core.BlockGallery:
			if b.GalleryID == "" {
				err = core.Errorf(core.CodeBadUserInput, "a gallery block needs a gallery id")
			}
			galleryIDs = append(galleryIDs, b.GalleryID)
		default:
			err = core.Errorf(core.CodeBadUserInput, "unknown block kind %q", b.Kind)
		}
		if err != nil {
			return nil, core.WrapError(core.CodeBadUserInput, err, "block %d: %s", i, core.ErrorMessage(err))
		}
		out = append(out, b)
	}
	if len(assetIDs) > 0 {
		found, err := s.store.AssetsByIDs(ctx, assetIDs)
		if err != nil {
			return nil, err
		}
		if missing := missingIDs(assetIDs, found, assetID); len(missing) > 0 {
			return nil, core.Errorf(core.CodeBadUserInput, "unknown assets: %s", strings.Join(missing, ", "))
		}
	}
	if len(galleryIDs) > 0 {
		found, err := s.store.GalleriesByIDs(ctx, galleryIDs)
		if err != nil {
			return nil, err
		}
		have := map[string]bool{}
		for _, g := range found {
			have[g.ID] = true
		}
		for _, id := range galleryIDs {
			if !have[id] {
				return nil, core.Errorf(core.CodeBadUserInput, "unknown gallery %s", id)
			}
		}
	}
	return out, nil
}

// checkOverrides checks an image block's per-image texts (none, or one
// per image); nil when every text is empty.
func checkOverrides(in []core.ImageOverride, images int) ([]core.ImageOverride, error) {
	if in == nil {
		return nil, nil
	}
	if len(in) != images {
		return nil, core.Errorf(core.CodeBadUserInput, "an image block has texts for %d images but %d images", len(in), images)
	}
	out := make([]core.ImageOverride, len(in))
	some := false
	for i, o := range in {
		var err error
		if out[i].Caption, err = checkText("caption", o.Caption, MaxCaptionLen, false); err != nil {
			return nil, err
		}
		if out[i].AltText, err = checkText("altText", o.AltText, MaxCaptionLen, false); err != nil {
			return nil, err
		}
		if out[i].Credit, err = checkText("credit", o.Credit, MaxShortText, false); err != nil {
			return nil, err
		}
		some = some || out[i] != core.ImageOverride{}
	}
	if !some {
		return nil, nil
	}
	return out, nil
}

func articleTokens(a *core.Article) []string {
	texts := []string{a.Title, a.Summary, a.Section}
	texts = append(texts, a.Tags...)
	for _, b := range a.Blocks {
		texts = append(texts, b.Text, b.Caption)
		for _, o := range b.Overrides {
			texts = append(texts, o.Caption)
		}
	}
	return fold.Tokens(texts...)
}

// UpdateArticle changes an article. EDITOR; CONFLICT on a stale version
// or a taken slug.
func (s *Service) UpdateArticle(ctx context.Context, id string, p ArticlePatch, version *int) (*core.Article, error) {
	if _, err := require(ctx, core.RoleEditor); err != nil {
		return nil, err
	}
	return s.mutateArticle(ctx, id, version, func(a *core.Article) error {
		if err := s.applyArticlePatch(ctx, a, p); err != nil {
			return err
		}
		if p.Slug != nil {
			slug, err := slugBase(p.Slug, a.Title)
			if err != nil {
				return err
			}
			a.Slug = slug
		}
		return nil
	})
}

// mutateArticle is mutateGallery for articles: the assets and galleries a
// write brought in are looked up again after it (settleArticle).
func (s *Service) mutateArticle(ctx context.Context, id string, version *int, fn func(*core.Article) error) (*core.Article, error) {
	var addedAssets, addedGalleries []string
	a, err := mutateVersioned(s, ctx, "article", id, version, s.store.ArticleByID, s.store.UpdateArticle,
		func(a *core.Article) int { return a.Version },
		func(a *core.Article) error {
			before := articlePlacements(a)
			hadAssets, hadGalleries := a.AssetIDs(), a.GalleryIDs()
			if err := fn(a); err != nil {
				return err
			}
			addedAssets = newIDs(hadAssets, a.AssetIDs())
			addedGalleries = newIDs(hadGalleries, a.GalleryIDs())
			live := a.Publication.Status != core.StatusDraft
			if err := s.keepPublishable(ctx, before, articlePlacements(a), live); err != nil {
				return err
			}
			if live {
				if err := s.keepGalleriesVisible(ctx, a, addedGalleries); err != nil {
					return err
				}
			}
			a.SearchTokens = articleTokens(a)
			a.UpdatedAt = s.now()
			return nil
		})
	if err != nil {
		return nil, err
	}
	return s.settleArticle(ctx, a, addedAssets, addedGalleries), nil
}

// settleArticle is settleGallery for articles: the assets (cover, image
// blocks) and galleries (gallery blocks) a write brought in are looked up
// again after the save, and the ones deleted meanwhile taken out.
func (s *Service) settleArticle(ctx context.Context, a *core.Article, assets, galleries []string) *core.Article {
	ctx = context.WithoutCancel(ctx)
	goneA, err := s.goneAssets(ctx, assets)
	var goneG map[string]bool
	if err == nil {
		goneG, err = s.goneGalleries(ctx, galleries)
	}
	if err == nil && len(goneA)+len(goneG) > 0 {
		s.log.Info("removing assets or galleries deleted while an article took them", "article", a.ID,
			"assets", len(goneA), "galleries", len(goneG))
		var settled *core.Article
		settled, err = s.mutateArticle(ctx, a.ID, nil, func(a *core.Article) error {
			dropArticleRefs(a, goneA, goneG)
			return nil
		})
		if err == nil {
			return settled
		}
	}
	if err != nil && !core.IsCode(err, core.CodeNotFound) {
		s.log.Warn("look for deleted assets or galleries in an article; reconcile will", "article", a.ID, "err", err)
	}
	return a
}

// goneGalleries returns the ids no gallery has (any more).
func (s *Service) goneGalleries(ctx context.Context, ids []string) (map[string]bool, error) {
	return goneIDs(ctx, ids, s.store.GalleriesByIDs, galleryID)
}

// dropArticleRefs removes the gone assets (cover, images of image blocks,
// with the texts written for them; a block left without images goes) and
// the blocks of the gone galleries, and says whether anything was removed.
func dropArticleRefs(a *core.Article, goneAssets, goneGalleries map[string]bool) bool {
	dropped := false
	if goneAssets[a.CoverAssetID] {
		a.CoverAssetID, dropped = "", true
	}
	blocks := a.Blocks[:0]
	for _, b := range a.Blocks {
		switch b.Kind {
		case core.BlockGallery:
			if goneGalleries[b.GalleryID] {
				dropped = true
				continue
			}
		case core.BlockImage:
			// The block's own texts go with their images: each
			// override stays beside the image it was written for.
			var ids []string
			var over []core.ImageOverride
			kept := false
			for i, x := range b.AssetIDs {
				if goneAssets[x] {
					continue
				}
				ids = append(ids, x)
				o := b.Override(i)
				over = append(over, o)
				kept = kept || o != (core.ImageOverride{})
			}
			if len(ids) < len(b.AssetIDs) {
				dropped = true
				if len(ids) == 0 {
					continue
				}
				b.AssetIDs, b.Overrides = ids, nil
				if kept {
					b.Overrides = over
				}
			}
		}
		blocks = append(blocks, b)
	}
	a.Blocks = blocks
	return dropped
}

// galleriesByID finds the galleries with the given ids, by id (deleted
// ones are absent).
func (s *Service) galleriesByID(ctx context.Context, ids []string) (map[string]*core.Gallery, error) {
	gals, err := s.store.GalleriesByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*core.Gallery, len(gals))
	for _, g := range gals {
		byID[g.ID] = g
	}
	return byID, nil
}

// keepGalleriesVisible refuses a live article's new gallery blocks whose
// gallery readers would not see when the article is out (a draft, one
// scheduled later, a deleted one), as PublishArticle refuses them:
// readers would silently miss the block. Only the galleries the change
// brought in (fresh) are checked: galleries the article already showed
// are not checked again, so an old problem can be fixed on its own.
func (s *Service) keepGalleriesVisible(ctx context.Context, a *core.Article, fresh []string) error {
	if len(fresh) == 0 {
		return nil
	}
	isFresh := make(map[string]bool, len(fresh))
	for _, id := range fresh {
		isFresh[id] = true
	}
	byID, err := s.galleriesByID(ctx, fresh)
	if err != nil {
		return err
	}
	now := s.now()
	when := now
	if a.Publication.PublishAt != nil && a.Publication.PublishAt.After(now) {
		when = *a.Publication.PublishAt
	}
	var problems []core.Problem
	var texts []string
	for i, b := range a.Blocks {
		if b.Kind != core.BlockGallery || !isFresh[b.GalleryID] {
			continue
		}
		switch g := byID[b.GalleryID]; {
		case g == nil:
			problems = append(problems, core.Problem{Path: []any{"blocks", i}, GalleryID: b.GalleryID, Status: "DELETED"})
			texts = append(texts, fmt.Sprintf("block %d: gallery %s does not exist", i+1, b.GalleryID))
		case !g.Publication.Visible(when):
			st := g.Publication.EffectiveStatus(now)
			problems = append(problems, core.Problem{Path: []any{"blocks", i}, GalleryID: g.ID, Status: string(st)})
			texts = append(texts, fmt.Sprintf("block %d: gallery %q is %s (publish it first)", i+1, g.Title, strings.ToLower(string(st))))
		}
	}
	return liveRefusal(problems, texts)
}

// PublishArticle publishes now, or at a later time (SCHEDULED until
// then). EDITOR; BAD_USER_INPUT, with extensions problems naming each
// place, when a referenced asset is not READY or, with the publish gate
// on, lacks alt text or credit, and when a gallery block's gallery would
// not be visible when the article is: readers would silently miss it.
// With withGalleries, such galleries are published with the article (at
// the same time), their items checked by the same gate first; nothing is
// published unless everything passes. (A failure to save the article
// after its galleries were published leaves them published: they passed
// the gate.) With a version, CONFLICT unless the article is still at that
// version: what the editor reviewed is what goes out.
func (s *Service) PublishArticle(ctx context.Context, id string, at *time.Time, withGalleries bool, version *int) (*core.Article, error) {
	if _, err := require(ctx, core.RoleEditor); err != nil {
		return nil, err
	}
	return s.mutateArticle(ctx, id, version, func(a *core.Article) error {
		now := s.now()
		when := publishAt(core.Publication{}, at, now).PublishAt
		// References to assets or galleries deleted meanwhile are not
		// shown: what the editor saw is what goes out.
		goneAssets, err := s.goneAssets(ctx, a.AssetIDs())
		if err != nil {
			return err
		}
		goneGalleries, err := s.goneGalleries(ctx, a.GalleryIDs())
		if err != nil {
			return err
		}
		dropArticleRefs(a, goneAssets, goneGalleries)
		ps := articlePlacements(a)
		var problems []core.Problem
		var texts []string
		var publish []string
		goneItems := map[string]map[string]bool{} // by gallery to publish
		if ids := a.GalleryIDs(); len(ids) > 0 {
			byID, err := s.galleriesByID(ctx, ids)
			if err != nil {
				return err
			}
			queued := map[string]bool{}
			for i, b := range a.Blocks {
				if b.Kind != core.BlockGallery {
					continue
				}
				g := byID[b.GalleryID]
				switch {
				case g == nil:
					problems = append(problems, core.Problem{Path: []any{"blocks", i}, GalleryID: b.GalleryID, Status: "DELETED"})
					texts = append(texts, fmt.Sprintf("block %d: gallery %s no longer exists", i+1, b.GalleryID))
				case g.Publication.Visible(*when):
				case withGalleries:
					if !queued[g.ID] {
						queued[g.ID] = true
						publish = append(publish, g.ID)
						gone, err := s.goneAssets(ctx, galleryAssetIDs(g))
						if err != nil {
							return err
						}
						dropGalleryAssets(g, gone)
						goneItems[g.ID] = gone
						ps = append(ps, galleryPlacements(g, []any{"blocks", i, "gallery"})...)
					}
				default:
					st := g.Publication.EffectiveStatus(now)
					problems = append(problems, core.Problem{Path: []any{"blocks", i}, GalleryID: g.ID, Status: string(st)})
					texts = append(texts, fmt.Sprintf("block %d: gallery %q is %s (publish it first, or with withGalleries)",
						i+1, g.Title, strings.ToLower(string(st))))
				}
			}
		}
		more, moreTexts, err := s.publishProblems(ctx, ps)
		if err != nil {
			return err
		}
		if err := publishRefusal(append(problems, more...), append(texts, moreTexts...)); err != nil {
			return err
		}
		for _, gid := range publish {
			if _, err := s.mutateGallery(ctx, gid, nil, func(g *core.Gallery) error {
				dropGalleryAssets(g, goneItems[gid])
				if !g.Publication.Visible(*when) {
					g.Publication = publishAt(g.Publication, at, now)
				}
				return nil
			}); err != nil {
				return err
			}
		}
		a.Publication = publishAt(a.Publication, at, now)
		return nil
	})
}

// UnpublishArticle makes an article a DRAFT again. EDITOR; with a
// version, CONFLICT unless the article is still at it.
func (s *Service) UnpublishArticle(ctx context.Context, id string, version *int) (*core.Article, error) {
	if _, err := require(ctx, core.RoleEditor); err != nil {
		return nil, err
	}
	return s.mutateArticle(ctx, id, version, func(a *core.Article) error {
		a.Publication.Status = core.StatusDraft
		a.Publication.PublishAt = nil
		return nil
	})
}

// DeleteArticle removes an article. EDITOR; with a version, CONFLICT
// unless the article is still at it (checked right before the delete).
func (s *Service) DeleteArticle(ctx context.Context, id string, version *int) error {
	if _, err := require(ctx, core.RoleEditor); err != nil {
		return err
	}
	a, err := s.store.ArticleByID(ctx, id)
	if err != nil {
		return err
	}
	if err := checkVersion("article", id, version, a.Version); err != nil {
		return err
	}
	defer s.contentChanged()
	return s.store.DeleteArticle(ctx, id)
}

// Article returns an article by ID or slug; drafts and scheduled ones only
// for editors, else NOT_FOUND.
func (s *Service) Article(ctx context.Context, id, slug string) (*core.Article, error) {
	var a *core.Article
	var err error
	switch {
	case id != "":
		a, err = s.store.ArticleByID(ctx, id)
	case slug != "":
		a, err = s.store.ArticleBySlug(ctx, slug)
	default:
		return nil, core.Errorf(core.CodeBadUserInput, "give id or slug")
	}
	if err != nil {
		return nil, err
	}
	if !CanSeeDrafts(ctx) && !a.Publication.Visible(s.now()) {
		return nil, core.Errorf(core.CodeNotFound, "article not found")
	}
	return a, nil
}

// ArticleFilter narrows ListArticles.
type ArticleFilter struct {
	Status  core.PublishStatus
	Section string
	Tag     string
	Search  []string
	// ImportKey finds the article an importer made (see core.Article).
	ImportKey string
}

// ListArticles lists articles newest first; drafts only for editors.
func (s *Service) ListArticles(ctx context.Context, page core.Page, f ArticleFilter) (core.PageOf[*core.Article], error) {
	pf, err := s.publicationFilter(ctx, f.Status)
	if err != nil {
		return core.PageOf[*core.Article]{}, err
	}
	p, err := s.store.ListArticles(ctx, core.ArticleQuery{Page: page, PublicationFilter: pf,
		Section: strings.TrimSpace(f.Section), Tag: strings.TrimSpace(f.Tag), Search: f.Search,
		ImportKey: strings.TrimSpace(f.ImportKey)})
	RegisterArticles(ctx, p.Items)
	return p, err
}

// VisibleBlocks returns the blocks the caller may see: gallery blocks of
// galleries they may not see are left out.
func (s *Service) VisibleBlocks(ctx context.Context, a *core.Article) ([]core.Block, error) {
	ids := a.GalleryIDs()
	if CanSeeDrafts(ctx) || len(ids) == 0 {
		return a.Blocks, nil
	}
	gals, err := s.GalleriesByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	ok := map[string]bool{}
	for _, g := range gals {
		ok[g.ID] = true
	}
	out := make([]core.Block, 0, len(a.Blocks))
	for _, b := range a.Blocks {
		if b.Kind != core.BlockGallery || ok[b.GalleryID] {
			out = append(out, b)
		}
	}
	return out, nil
}

// User loads a user for display (author, uploadedBy), batched through the
// request's loader.
func (s *Service) User(ctx context.Context, id string) (*core.User, error) {
	return s.loadUser(ctx, id)
}
