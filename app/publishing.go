package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/stillroom/stillroom/core"
)

// placement is one use of an asset in content about to be published, with
// the texts it overrides (empty = the asset's own).
type placement struct {
	path    []any // where, 0-based: ["items", 3], ["blocks", 2, "items", 0], ["cover"]
	assetID string
	texts   core.ImageOverride
}

// describe names a path for people, 1-based: "item 4", "block 3, image 1".
func describe(path []any) string {
	var parts []string
	for i := 0; i < len(path); i++ {
		name, _ := path[i].(string)
		if i+1 < len(path) {
			if n, ok := path[i+1].(int); ok {
				parts = append(parts, fmt.Sprintf("%s %d", singular(name), n+1))
				i++
				continue
			}
		}
		parts = append(parts, name)
	}
	return strings.Join(parts, ", ")
}

func singular(name string) string {
	switch name {
	case "items":
		return "item"
	case "blocks":
		return "block"
	}
	return name
}

// prefixed returns path with prefix before it.
func prefixed(prefix []any, path ...any) []any {
	return append(append(make([]any, 0, len(prefix)+len(path)), prefix...), path...)
}

// galleryPlacements lists the assets a gallery shows, under prefix.
func galleryPlacements(g *core.Gallery, prefix []any) []placement {
	ps := make([]placement, 0, len(g.Items)+1)
	for i, it := range g.Items {
		ps = append(ps, placement{path: prefixed(prefix, "items", i), assetID: it.AssetID, texts: it.Override()})
	}
	if g.CoverAssetID != "" {
		ps = append(ps, placement{path: prefixed(prefix, "cover"), assetID: g.CoverAssetID})
	}
	return ps
}

// articlePlacements lists the assets an article shows itself (cover and
// image blocks).
func articlePlacements(a *core.Article) []placement {
	var ps []placement
	if a.CoverAssetID != "" {
		ps = append(ps, placement{path: []any{"cover"}, assetID: a.CoverAssetID})
	}
	for i, b := range a.Blocks {
		for j, id := range b.AssetIDs {
			ps = append(ps, placement{path: []any{"blocks", i, "items", j}, assetID: id, texts: b.Override(j)})
		}
	}
	return ps
}

// publishProblems lists every placement whose asset is missing or not
// READY, and, while the publish gate is on (Config.PublishGate), every one
// whose alt text or credit is empty after falling back from the placement
// to the asset. Each problem comes with a readable sentence.
func (s *Service) publishProblems(ctx context.Context, ps []placement) ([]core.Problem, []string, error) {
	if len(ps) == 0 {
		return nil, nil, nil
	}
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.assetID
	}
	// Straight from the store: a request's loader may hold older copies.
	assets, err := s.store.AssetsByIDs(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	byID := make(map[string]*core.Asset, len(assets))
	for _, a := range assets {
		byID[a.ID] = a
	}
	var problems []core.Problem
	var texts []string
	for _, p := range ps {
		a := byID[p.assetID]
		where := describe(p.path)
		switch {
		case a == nil:
			problems = append(problems, core.Problem{Path: p.path, AssetID: p.assetID, Status: "DELETED"})
			texts = append(texts, where+": asset "+p.assetID+" no longer exists")
			continue
		case a.Status != core.AssetReady:
			problems = append(problems, core.Problem{Path: p.path, AssetID: p.assetID, Status: string(a.Status)})
			texts = append(texts, where+": "+a.Filename+" is "+strings.ToLower(string(a.Status)))
			continue
		}
		if !s.cfg.PublishGate {
			continue
		}
		var missing, lacks []string
		shown := p.texts.Over(a)
		if shown.AltText == "" {
			missing, lacks = append(missing, "altText"), append(lacks, "alt text")
		}
		if shown.Credit == "" {
			missing, lacks = append(missing, "credit"), append(lacks, "credit")
		}
		if len(missing) > 0 {
			problems = append(problems, core.Problem{Path: p.path, AssetID: p.assetID, Missing: missing})
			texts = append(texts, where+": "+a.Filename+" has no "+strings.Join(lacks, " and no "))
		}
	}
	return problems, texts, nil
}

// publishRefusal is the BAD_USER_INPUT error naming every problem, or nil.
func publishRefusal(problems []core.Problem, texts []string) error {
	if len(problems) == 0 {
		return nil
	}
	return &core.Error{Code: core.CodeBadUserInput, Problems: problems,
		Message: "cannot publish: " + strings.Join(texts, "; ")}
}

// checkPublishable answers publishProblems as one error (nil when none).
func (s *Service) checkPublishable(ctx context.Context, ps []placement) error {
	problems, texts, err := s.publishProblems(ctx, ps)
	if err != nil {
		return err
	}
	return publishRefusal(problems, texts)
}

// keepPublishable is the publish gate for changes to content readers can
// see or soon will (PUBLISHED or SCHEDULED): a change may not bring in a
// problem the content did not have (an image without alt text or credit,
// an asset that is not READY). Problems the content already had do not
// block other changes, so they can be fixed one at a time. Problems are
// compared by asset and kind, not position, so moving an item is no new
// problem. Unpublishing is never blocked (the content is a draft after).
func (s *Service) keepPublishable(ctx context.Context, before, after []placement, live bool) error {
	if !live {
		return nil
	}
	had, _, err := s.publishProblems(ctx, before)
	if err != nil {
		return err
	}
	now, texts, err := s.publishProblems(ctx, after)
	if err != nil {
		return err
	}
	old := map[string]bool{}
	for _, p := range had {
		old[problemKey(p)] = true
	}
	var fresh []core.Problem
	var freshTexts []string
	for i, p := range now {
		if !old[problemKey(p)] {
			fresh, freshTexts = append(fresh, p), append(freshTexts, texts[i])
		}
	}
	return liveRefusal(fresh, freshTexts)
}

// liveRefusal is publishRefusal for a change to live content: nil when
// there are no problems.
func liveRefusal(problems []core.Problem, texts []string) error {
	if len(problems) == 0 {
		return nil
	}
	err := publishRefusal(problems, texts)
	var ce *core.Error
	if errors.As(err, &ce) {
		ce.Message = "published content must stay publishable: " + strings.TrimPrefix(ce.Message, "cannot publish: ")
	}
	return err
}

func problemKey(p core.Problem) string {
	return p.AssetID + "|" + p.Status + "|" + strings.Join(p.Missing, ",")
}

// keepAssetPublishable is keepPublishable for an edit of the asset itself
// (updateAsset, updateAssets), while the publish gate is on: an edit may
// not take away the alt text or credit that content readers can see (or
// soon will) shows for it. A placement with a text of its own keeps
// showing that, so it is not affected; content in draft is not checked.
// The refusal names each place, as publishing does.
func (s *Service) keepAssetPublishable(ctx context.Context, before, after *core.Asset) error {
	if !s.cfg.PublishGate || (before.AltText == "" || after.AltText != "") && (before.Credit == "" || after.Credit != "") {
		return nil
	}
	gals, err := s.store.GalleriesWithAsset(ctx, after.ID)
	if err != nil {
		return err
	}
	arts, err := s.store.ArticlesWithAsset(ctx, after.ID)
	if err != nil {
		return err
	}
	var problems []core.Problem
	var texts []string
	check := func(content string, galleryID string, ps []placement) {
		for _, p := range ps {
			if p.assetID != after.ID {
				continue
			}
			was, now := p.texts.Over(before), p.texts.Over(after)
			var missing, lacks []string
			if was.AltText != "" && now.AltText == "" {
				missing, lacks = append(missing, "altText"), append(lacks, "alt text")
			}
			if was.Credit != "" && now.Credit == "" {
				missing, lacks = append(missing, "credit"), append(lacks, "credit")
			}
			if len(missing) > 0 {
				problems = append(problems, core.Problem{Path: p.path, AssetID: after.ID, GalleryID: galleryID, Missing: missing})
				texts = append(texts, content+", "+describe(p.path)+": "+after.Filename+" would have no "+strings.Join(lacks, " and no "))
			}
		}
	}
	for _, g := range gals {
		if g.Publication.Status != core.StatusDraft {
			check(fmt.Sprintf("gallery %q", g.Title), g.ID, galleryPlacements(g, nil))
		}
	}
	for _, a := range arts {
		if a.Publication.Status != core.StatusDraft {
			check(fmt.Sprintf("article %q", a.Title), "", articlePlacements(a))
		}
	}
	return liveRefusal(problems, texts)
}
