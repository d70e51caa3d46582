package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/stillroom/stillroom/core"
)

// Srcset lists the width renditions in format ("jpeg", "png", "webp"; ""
// for the JPEG/PNG set) for <img srcset>, smallest first, without
// repeating a width (small originals cap every size). "" when the asset
// has none in that format.
func (s *Service) Srcset(a *core.Asset, format string) string {
	var parts []string
	seen := map[int]bool{}
	for i := len(a.Renditions) - 1; i >= 0; i-- {
		r := &a.Renditions[i]
		if !strings.HasPrefix(r.Name, "w") || seen[r.Width] || !inFormat(r, format) {
			continue
		}
		seen[r.Width] = true
		parts = append(parts, fmt.Sprintf("%s %dw", s.RenditionURL(a.ID, r), r.Width))
	}
	return strings.Join(parts, ", ")
}

// inFormat reports whether r is in format, "" meaning the JPEG/PNG set.
func inFormat(r *core.Rendition, format string) bool {
	if format == "" {
		return r.Format != core.FormatWebP
	}
	return r.Format == format
}

// RenditionsIn returns the renditions in format ("" for the JPEG/PNG set),
// in the asset's order.
func RenditionsIn(a *core.Asset, format string) []*core.Rendition {
	var out []*core.Rendition
	for i := range a.Renditions {
		if inFormat(&a.Renditions[i], format) {
			out = append(out, &a.Renditions[i])
		}
	}
	return out
}

// ImageSource is one <source> of a <picture>: a media type and its srcset.
type ImageSource struct {
	Type   string
	Srcset string
}

// Sources lists an asset's width renditions by format in the order a
// <picture> wants them: WebP first (when the asset has WebP renditions),
// then its JPEG or PNG set, which every browser reads (the last belongs on
// the <img> itself).
func (s *Service) Sources(a *core.Asset) []ImageSource {
	var out []ImageSource
	if set := s.Srcset(a, core.FormatWebP); set != "" {
		out = append(out, ImageSource{Type: "image/webp", Srcset: set})
	}
	for _, f := range []string{"jpeg", "png"} {
		if set := s.Srcset(a, f); set != "" {
			out = append(out, ImageSource{Type: "image/" + f, Srcset: set})
		}
	}
	return out
}

// SocialRendition is the asset's link-preview image: its social card
// (1200×630 around the focal point), or, for an asset whose card is not
// made yet (made by an older pipeline, being regenerated), its w1024.
// nil when it has neither.
func SocialRendition(a *core.Asset) *core.Rendition {
	if a == nil || a.Status != core.AssetReady {
		return nil
	}
	if r := a.Rendition("social"); r != nil {
		return r
	}
	return a.Rendition("w1024")
}

// Node finds any object by its global ID, as the caller may see it:
// assets, galleries, articles, and users (themselves, or anyone for
// admins). nil when there is none.
func (s *Service) Node(ctx context.Context, id string) (any, error) {
	if a, err := s.Asset(ctx, id); err == nil {
		return a, nil
	} else if !core.IsCode(err, core.CodeNotFound) {
		return nil, err
	}
	if g, err := s.Gallery(ctx, id, ""); err == nil {
		return g, nil
	} else if !core.IsCode(err, core.CodeNotFound) {
		return nil, err
	}
	if a, err := s.Article(ctx, id, ""); err == nil {
		return a, nil
	} else if !core.IsCode(err, core.CodeNotFound) {
		return nil, err
	}
	if me := UserFrom(ctx); me != nil && (me.ID == id || me.Role == core.RoleAdmin) {
		u, err := s.store.UserByID(ctx, id)
		if err == nil {
			return u, nil
		} else if !core.IsCode(err, core.CodeNotFound) {
			return nil, err
		}
	}
	return nil, nil
}
