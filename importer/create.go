package importer

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// createArticle builds the parsed article on the server from the uploaded
// stills: a gallery of all its stills sorted by timecode, then a DRAFT
// article whose image blocks point at the assets and whose last block is
// that gallery. It prints the article's id and slug. It fails, creating
// nothing, when a still of the article was refused; an error from the
// server after the gallery was created leaves that gallery (named in the
// error) for an editor to reuse or delete.
func createArticle(ctx context.Context, c *client, art *Article, results []fileResult, w io.Writer) error {
	ids := map[string]string{}
	for _, r := range results {
		if r.status == uploaded || r.status == skipped {
			ids[r.name] = r.assetID
		}
	}
	stills := art.Stills()
	var missing []string
	for _, s := range stills {
		if ids[s] == "" {
			missing = append(missing, strconv.Quote(s))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("article not created: its stills %s were not uploaded", strings.Join(missing, ", "))
	}

	blocks := []map[string]any{}
	for _, b := range art.Blocks {
		if b.Stills == nil {
			blocks = append(blocks, map[string]any{"paragraph": b.Text})
			continue
		}
		assetIDs := make([]string, len(b.Stills))
		for i, s := range b.Stills {
			assetIDs[i] = ids[s]
		}
		blocks = append(blocks, map[string]any{"image": map[string]any{"assetIds": assetIDs}})
	}
	if len(stills) > 0 {
		galleryID, err := createGallery(ctx, c, art.Title, stills, ids)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "gallery %s: %d stills in timecode order\n", galleryID, len(stills))
		blocks = append(blocks, map[string]any{"gallery": galleryID})
	}

	in := map[string]any{"title": art.Title, "blocks": blocks}
	if art.Section != "" {
		in["section"] = art.Section
	}
	var out struct {
		CreateArticle struct {
			ID     string `json:"id"`
			Slug   string `json:"slug"`
			Status string `json:"status"`
		} `json:"createArticle"`
	}
	_, err := c.do(ctx, `mutation($in: ArticleInput!) { createArticle(input: $in) { id slug status } }`,
		map[string]any{"in": in}, &out)
	if err != nil {
		return fmt.Errorf("create article: %w", err)
	}
	a := out.CreateArticle
	fmt.Fprintf(w, "article %s created as %s: id %s, slug %s\n", strconv.Quote(art.Title), a.Status, a.ID, a.Slug)
	return nil
}

// createGallery makes a gallery titled after the article holding the
// stills in timecode order, and returns its id.
func createGallery(ctx context.Context, c *client, title string, stills []string, ids map[string]string) (string, error) {
	var created struct {
		CreateGallery struct {
			ID string `json:"id"`
		} `json:"createGallery"`
	}
	_, err := c.do(ctx, `mutation($in: GalleryInput!) { createGallery(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"title": title}}, &created)
	if err != nil {
		return "", fmt.Errorf("create gallery: %w", err)
	}
	id := created.CreateGallery.ID
	assetIDs := make([]string, len(stills))
	for i, s := range stills {
		assetIDs[i] = ids[s]
	}
	if _, err := c.do(ctx, `mutation($g: ID!, $a: [ID!]!) { addGalleryItems(galleryId: $g, assetIds: $a) { id } }`,
		map[string]any{"g": id, "a": assetIDs}, nil); err != nil {
		return "", fmt.Errorf("gallery %s: add stills: %w", id, err)
	}
	if _, err := c.do(ctx, `mutation($g: ID!) { sortGalleryItems(galleryId: $g, by: TIMECODE) { id } }`,
		map[string]any{"g": id}, nil); err != nil {
		return "", fmt.Errorf("gallery %s: sort by timecode: %w", id, err)
	}
	return id, nil
}
