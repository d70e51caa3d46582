package app

import (
	"context"
	"strings"

	"github.com/stillroom/stillroom/core"
)

// MaxBulkAssets bounds the assets of one UpdateAssets call.
const MaxBulkAssets = 500

// UpdateAssets applies one patch to many assets (set the credit of a whole
// shoot), all or nothing, with UpdateAsset's permissions for each asset.
//
// FerretDB has no transactions, so all-or-nothing holds this way: every
// asset is loaded, permission-checked and patched in memory before the
// first write, so every refusal (NOT_FOUND, FORBIDDEN, BAD_USER_INPUT)
// comes before anything changed. Then the assets are written one by one,
// detached from the request (a client going away does not stop it
// half-way). Should a write still fail (the database went away), the
// fields the patch set are put back on the assets already written,
// leaving other concurrent changes (processing finishing) alone, and the
// error is returned.
func (s *Service) UpdateAssets(ctx context.Context, ids []string, patch AssetPatch) ([]*core.Asset, error) {
	u, err := require(ctx, core.RolePhotographer)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 || len(ids) > MaxBulkAssets {
		return nil, core.Errorf(core.CodeBadUserInput, "give 1 to %d asset ids", MaxBulkAssets)
	}
	uniq := make([]string, 0, len(ids))
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			uniq = append(uniq, id)
		}
	}
	found, err := s.store.AssetsByIDs(ctx, uniq)
	if err != nil {
		return nil, err
	}
	before := make(map[string]*core.Asset, len(found))
	for _, a := range found {
		before[a.ID] = a
	}
	var missing, foreign []string
	for _, id := range uniq {
		a := before[id]
		switch {
		case a == nil:
			missing = append(missing, id)
		case !u.Role.AtLeast(core.RoleEditor) && a.UploadedBy != u.ID:
			foreign = append(foreign, id)
		}
	}
	if len(missing) > 0 {
		return nil, core.Errorf(core.CodeNotFound, "assets not found: %s; nothing was changed", strings.Join(missing, ", "))
	}
	if len(foreign) > 0 {
		return nil, core.Errorf(core.CodeForbidden, "photographers may edit only their own assets: %s; nothing was changed", strings.Join(foreign, ", "))
	}
	for _, id := range uniq {
		c := *before[id]
		if err := applyAssetPatch(&c, patch); err != nil {
			return nil, err
		}
		if err := s.keepAssetPublishable(ctx, before[id], &c); err != nil {
			return nil, err
		}
	}

	ctx = context.WithoutCancel(ctx)
	after := make(map[string]*core.Asset, len(uniq))
	var refocus []string
	for i, id := range uniq {
		var moved bool
		a, err := s.mutateAsset(ctx, id, func(a *core.Asset) error {
			a.EditVersion++
			old := a.FocalPoint
			if err := applyAssetPatch(a, patch); err != nil {
				return err
			}
			moved = patch.FocalPoint != nil && (old == nil || *old != *patch.FocalPoint)
			a.SearchTokens = assetTokens(a)
			return nil
		})
		if err != nil {
			s.restorePatched(ctx, uniq[:i], before, patch)
			return nil, err
		}
		after[id] = a
		if moved {
			refocus = append(refocus, id)
		}
	}
	for _, id := range refocus {
		if err := s.enqueueProcessing(ctx, id); err != nil {
			return nil, err
		}
	}
	out := make([]*core.Asset, len(ids))
	for i, id := range ids {
		out[i] = after[id]
	}
	return out, nil
}

// restorePatched puts back, on each of ids, the fields patch set, from
// the copies in before. Failures are logged: there is nothing else left
// to do with them.
func (s *Service) restorePatched(ctx context.Context, ids []string, before map[string]*core.Asset, patch AssetPatch) {
	for _, id := range ids {
		old := before[id]
		_, err := s.mutateAsset(ctx, id, func(a *core.Asset) error {
			a.EditVersion++
			for _, f := range assetTextFields {
				if *f.patch(&patch) != nil {
					*f.asset(a) = *f.asset(old)
				}
			}
			if patch.Tags != nil {
				a.Tags = old.Tags
			}
			if patch.FocalPoint != nil {
				a.FocalPoint = old.FocalPoint
			}
			a.SearchTokens = assetTokens(a)
			return nil
		})
		if err != nil {
			s.log.Error("updateAssets: could not undo a change", "asset", id, "err", err)
		}
	}
}
