package app

import (
	"context"
	"strings"

	"github.com/stillroom/stillroom/core"
)

// placement is one use of an asset in content about to be published, with
// the alt text and credit it overrides (empty = the asset's own).
type placement struct {
	where   string // "item 3", "block 2", "cover"
	assetID string
	altText string
	credit  string
}

// checkPublishable answers BAD_USER_INPUT naming every placement whose
// asset is missing or not READY, and, while the publish gate is on
// (Config.PublishGate), every one whose alt text or credit is empty after
// falling back from the placement to the asset.
func (s *Service) checkPublishable(ctx context.Context, ps []placement) error {
	if len(ps) == 0 {
		return nil
	}
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.assetID
	}
	// Straight from the store: a request's loader may hold older copies.
	assets, err := s.store.AssetsByIDs(ctx, ids)
	if err != nil {
		return err
	}
	byID := make(map[string]*core.Asset, len(assets))
	for _, a := range assets {
		byID[a.ID] = a
	}
	var problems []string
	for _, p := range ps {
		a := byID[p.assetID]
		switch {
		case a == nil:
			problems = append(problems, p.where+": asset "+p.assetID+" no longer exists")
			continue
		case a.Status != core.AssetReady:
			problems = append(problems, p.where+": "+a.Filename+" is "+strings.ToLower(string(a.Status)))
			continue
		}
		if !s.cfg.PublishGate {
			continue
		}
		var lacks []string
		if Fallback(p.altText, a.AltText) == "" {
			lacks = append(lacks, "alt text")
		}
		if Fallback(p.credit, a.Credit) == "" {
			lacks = append(lacks, "credit")
		}
		if len(lacks) > 0 {
			problems = append(problems, p.where+": "+a.Filename+" has no "+strings.Join(lacks, " and no "))
		}
	}
	if len(problems) > 0 {
		return core.Errorf(core.CodeBadUserInput, "cannot publish: %s", strings.Join(problems, "; "))
	}
	return nil
}
