// Package demo seeds an empty Stillroom with one published article and its
// photo gallery, so a new install has something to show (`stillroom serve
// --demo`). The stills are drawn by the code (a sky, a sun, a skyline and
// riders), so no image files ship with the binary.
package demo

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/core"
)

// readyTimeout bounds how long Seed waits for the stills' renditions:
// publishing needs every still READY.
const readyTimeout = 2 * time.Minute

// readyPoll is how often Seed looks at stills still PROCESSING.
const readyPoll = 200 * time.Millisecond

// Seed creates the demo content when there is no article at all: six
// generated stills uploaded with captions, alt text and credit, a gallery
// of them in timecode order (published), and an article in "Tin tức - Sự
// kiện" with an image block and that gallery (published). With any article
// present, draft or not, it does nothing, so it is safe on every start.
// It returns the new article's slug ("" when it did nothing).
//
// actor does the work and is recorded as author and uploader; it must be an
// EDITOR or ADMIN (else FORBIDDEN, before anything is written). The
// stills need workers processing the queue (app.Service.RunWorkers);
// Seed waits up to two minutes for them. An error part-way leaves what
// was made so far (stills, a draft or published gallery) and is wrapped
// with the step that failed; the next Seed starts over and reuses the
// stills, since the same bytes give the same asset.
func Seed(ctx context.Context, svc *app.Service, actor *core.User) (string, error) {
	if actor == nil || !actor.Role.AtLeast(core.RoleEditor) {
		return "", core.Errorf(core.CodeForbidden, "demo: seeding needs an EDITOR or ADMIN")
	}
	ctx = app.WithUser(ctx, actor, "")
	existing, err := svc.ListArticles(ctx, core.Page{Limit: 1}, app.ArticleFilter{})
	if err != nil {
		return "", fmt.Errorf("demo: list articles: %w", err)
	}
	if len(existing.Items) > 0 {
		return "", nil
	}

	ids := make([]string, len(stills))
	for i, s := range stills {
		data, err := s.scene.render()
		if err != nil {
			return "", fmt.Errorf("demo: draw %s: %w", s.name, err)
		}
		credit := credit
		a, err := svc.UploadAsset(ctx, bytes.NewReader(data), s.name,
			&app.AssetPatch{Caption: &s.caption, AltText: &s.alt, Credit: &credit, Tags: tags})
		if err != nil {
			return "", fmt.Errorf("demo: upload %s: %w", s.name, err)
		}
		ids[i] = a.ID
	}
	if err := waitReady(ctx, svc, ids); err != nil {
		return "", err
	}

	g, err := svc.CreateGallery(ctx, app.GalleryPatch{Title: ptr(galleryTitle), Description: ptr(summary)})
	if err != nil {
		return "", fmt.Errorf("demo: create gallery: %w", err)
	}
	if _, err := svc.AddGalleryItems(ctx, g.ID, ids, nil, nil); err != nil {
		return "", fmt.Errorf("demo: gallery %s: add stills: %w", g.ID, err)
	}
	g, err = svc.SortGalleryItems(ctx, g.ID, app.SortTimecode, nil, false)
	if err != nil {
		return "", fmt.Errorf("demo: gallery %s: sort: %w", g.ID, err)
	}
	if _, err := svc.PublishGallery(ctx, g.ID, nil, nil); err != nil {
		return "", fmt.Errorf("demo: publish gallery %s: %w", g.ID, err)
	}

	a, err := svc.CreateArticle(ctx, app.ArticlePatch{
		Title: ptr(title), Summary: ptr(summary), Section: ptr(section), Tags: tags,
		CoverAssetID: ptr(g.Items[0].AssetID),
		Blocks:       articleBlocks(ids, g.ID), SetBlocks: true,
	})
	if err != nil {
		return "", fmt.Errorf("demo: create article: %w", err)
	}
	if _, err := svc.PublishArticle(ctx, a.ID, nil, false, nil); err != nil {
		return "", fmt.Errorf("demo: publish article %s: %w", a.ID, err)
	}
	return a.Slug, nil
}

// waitReady waits until every asset is READY. FAILED, or still PROCESSING
// after readyTimeout, is an error naming the asset.
func waitReady(ctx context.Context, svc *app.Service, ids []string) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	tick := time.NewTicker(readyPoll)
	defer tick.Stop()
	pending := ids
	for {
		var still []string
		for _, id := range pending {
			a, err := svc.Asset(ctx, id)
			if err != nil {
				return fmt.Errorf("demo: asset %s: %w", id, err)
			}
			switch a.Status {
			case core.AssetFailed:
				return fmt.Errorf("demo: processing %s failed: %s", a.Filename, a.Error)
			case core.AssetProcessing:
				still = append(still, id)
			}
		}
		if pending = still; len(pending) == 0 {
			return nil
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return fmt.Errorf("demo: %d stills still processing (are workers running?): %w", len(pending), ctx.Err())
		}
	}
}

func ptr(s string) *string { return &s }
