package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/stillroom/stillroom/core"
)

// Fallback returns override unless it is empty, else base: a gallery
// item's caption, alt text or credit falls back to its asset's.
func Fallback(override, base string) string {
	if override != "" {
		return override
	}
	return base
}

// Srcset lists the width renditions for <img srcset>, smallest first,
// without repeating a width (small originals cap every size).
func (s *Service) Srcset(a *core.Asset) string {
	var parts []string
	seen := map[int]bool{}
	for i := len(a.Renditions) - 1; i >= 0; i-- {
		r := &a.Renditions[i]
		if !strings.HasPrefix(r.Name, "w") || seen[r.Width] {
			continue
		}
		seen[r.Width] = true
		parts = append(parts, fmt.Sprintf("%s %dw", s.RenditionURL(a.ID, r), r.Width))
	}
	return strings.Join(parts, ", ")
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
