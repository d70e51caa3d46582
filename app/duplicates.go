package app

import (
	"context"
	"sync"

	"github.com/stillroom/stillroom/core"
)

// Duplicate reports an upload whose bytes were already in the library:
// the existing asset was returned instead of a new one, and Filled names
// the fields of it that were empty and were set from the upload's input
// (nothing is ever overwritten).
type Duplicate struct {
	AssetID  string   `json:"assetId"`
	Filename string   `json:"filename"`
	Filled   []string `json:"filled"`
}

type duplicatesKey struct{}

// Duplicates collects the duplicates of one request's uploads.
type Duplicates struct {
	mu   sync.Mutex
	list []Duplicate
}

// List returns the duplicates noted so far.
func (d *Duplicates) List() []Duplicate {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]Duplicate(nil), d.list...)
}

// WithDuplicates returns ctx whose uploads note their duplicates in d.
func WithDuplicates(ctx context.Context, d *Duplicates) context.Context {
	return context.WithValue(ctx, duplicatesKey{}, d)
}

func noteDuplicate(ctx context.Context, dup Duplicate) {
	if d, ok := ctx.Value(duplicatesKey{}).(*Duplicates); ok {
		d.mu.Lock()
		d.list = append(d.list, dup)
		d.mu.Unlock()
	}
}

// duplicateOf answers an upload of bytes that asset a already has: the
// fields of a that are empty are filled from patch when the uploader may
// edit a (its photographer, or an editor), and the upload is noted as a
// duplicate (WithDuplicates).
func (s *Service) duplicateOf(ctx context.Context, u *core.User, a *core.Asset, filename string, patch *AssetPatch) (*core.Asset, error) {
	var filled []string
	if patch != nil && (u.Role.AtLeast(core.RoleEditor) || a.UploadedBy == u.ID) && len(emptyFilled(a, *patch)) > 0 {
		var refocus bool
		updated, err := s.mutateAsset(context.WithoutCancel(ctx), a.ID, func(x *core.Asset) error {
			filled = emptyFilled(x, *patch)
			if len(filled) == 0 {
				return nil
			}
			p := onlyEmpty(x, *patch)
			refocus = p.FocalPoint != nil
			if err := applyAssetPatch(x, p); err != nil {
				return err
			}
			x.EditVersion++
			x.SearchTokens = assetTokens(x)
			return nil
		})
		if err != nil {
			return nil, err
		}
		a = updated
		if refocus {
			if err := s.enqueueProcessing(ctx, a.ID); err != nil {
				return nil, err
			}
		}
	}
	if filled == nil {
		filled = []string{}
	}
	noteDuplicate(ctx, Duplicate{AssetID: a.ID, Filename: sanitizeFilename(filename), Filled: filled})
	return a, nil
}

// onlyEmpty is patch without the fields a has already.
func onlyEmpty(a *core.Asset, p AssetPatch) AssetPatch {
	var out AssetPatch
	for _, f := range assetTextFields {
		if v := *f.patch(&p); *f.asset(a) == "" && v != nil && *v != "" {
			*f.patch(&out) = v
		}
	}
	if len(a.Tags) == 0 && len(p.Tags) > 0 {
		out.Tags = p.Tags
	}
	if a.FocalPoint == nil && p.FocalPoint != nil {
		out.FocalPoint = p.FocalPoint
	}
	return out
}

// emptyFilled names the fields onlyEmpty would set, as the API calls them.
func emptyFilled(a *core.Asset, p AssetPatch) []string {
	o := onlyEmpty(a, p)
	var names []string
	for _, f := range assetTextFields {
		if *f.patch(&o) != nil {
			names = append(names, f.name)
		}
	}
	if o.Tags != nil {
		names = append(names, "tags")
	}
	if o.FocalPoint != nil {
		names = append(names, "focalPoint")
	}
	return names
}
