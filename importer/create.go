package importer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// defaultKey is the import key of an article without --key: made from its
// title, so the same article imported again finds its draft.
func defaultKey(title string) string {
	sum := sha256.Sum256([]byte(strings.Join(strings.Fields(title), " ")))
	return "import:" + hex.EncodeToString(sum[:12])
}

// importedArticle is what a earlier run of the same import made.
type importedArticle struct {
	ID     string `json:"id"`
	Slug   string `json:"slug"`
	Status string `json:"status"`
	Blocks []struct {
		Gallery *struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"gallery"`
	} `json:"blocks"`
}

// findImported returns the article made with key, or nil.
func findImported(ctx context.Context, c *client, key string) (*importedArticle, error) {
	var out struct {
		Articles struct {
			Edges []struct {
				Node importedArticle `json:"node"`
			} `json:"edges"`
		} `json:"articles"`
	}
	_, err := c.do(ctx, `query($k: String!) { articles(first: 1, filter: {importKey: $k}) { edges { node {
		id slug status blocks { ... on GalleryBlock { gallery { id status } } } } } } }`, map[string]any{"k": key}, &out)
	if err != nil {
		return nil, fmt.Errorf("look for an earlier import: %w", err)
	}
	if len(out.Articles.Edges) == 0 {
		return nil, nil
	}
	return &out.Articles.Edges[0].Node, nil
}

// upsertArticle builds the parsed article on the server from the uploaded
// stills: a gallery of all its stills sorted by timecode, then a DRAFT
// article whose image blocks point at the assets and whose last block is
// that gallery, marked with key. When an earlier run made the article (the
// same key) and it is still a draft, it and its gallery (if still a draft)
// are updated in place; when it is no longer a draft it is left alone and
// the run says so. It prints the article's id and slug. It fails, changing
// nothing, when a still of the article was refused; an error from the
// server after the gallery was made leaves that gallery (named in the
// error) for an editor to reuse or delete.
func upsertArticle(ctx context.Context, c *client, art *Article, key string, results []fileResult, w io.Writer) error {
	ids := map[string]string{}
	for _, r := range results {
		if r.status == uploaded || r.status == skipped {
			ids[nameKey(r.name)] = r.assetID
		}
	}
	stills := art.Stills()
	var missing []string
	for _, s := range stills {
		if ids[nameKey(s)] == "" {
			missing = append(missing, strconv.Quote(s))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("article not made: its stills %s were not uploaded", strings.Join(missing, ", "))
	}
	prev, err := findImported(ctx, c, key)
	if err != nil {
		return err
	}
	if prev != nil && prev.Status != "DRAFT" {
		fmt.Fprintf(w, "article %s (id %s, slug %s) is %s: left as it is; unpublish it to import it again\n",
			strconv.Quote(art.Title), prev.ID, prev.Slug, prev.Status)
		return nil
	}

	blocks := []map[string]any{}
	for _, b := range art.Blocks {
		if b.Stills == nil {
			blocks = append(blocks, map[string]any{"paragraph": b.Text})
			continue
		}
		assetIDs := make([]string, len(b.Stills))
		for i, s := range b.Stills {
			assetIDs[i] = ids[nameKey(s)]
		}
		blocks = append(blocks, map[string]any{"image": map[string]any{"assetIds": assetIDs}})
	}
	// made is the gallery this run created, removed again when the
	// article is refused: no run leaves a gallery nothing uses.
	made := ""
	if len(stills) > 0 {
		galleryID := ""
		if prev != nil {
			for _, b := range prev.Blocks {
				if b.Gallery != nil && b.Gallery.Status == "DRAFT" {
					galleryID = b.Gallery.ID
				}
			}
		}
		if galleryID != "" {
			if err := refillGallery(ctx, c, galleryID, art.Title, stills, ids); err != nil {
				return err
			}
			fmt.Fprintf(w, "gallery %s updated: %d stills in timecode order\n", galleryID, len(stills))
		} else {
			if galleryID, err = createGallery(ctx, c, art.Title, stills, ids); err != nil {
				return err
			}
			made = galleryID
			fmt.Fprintf(w, "gallery %s: %d stills in timecode order\n", galleryID, len(stills))
		}
		blocks = append(blocks, map[string]any{"gallery": galleryID})
	}

	in := map[string]any{"title": art.Title, "blocks": blocks, "importKey": key}
	if art.Section != "" {
		in["section"] = art.Section
	}
	var out struct {
		A struct {
			ID     string `json:"id"`
			Slug   string `json:"slug"`
			Status string `json:"status"`
		} `json:"a"`
	}
	if prev != nil {
		_, err = c.do(ctx, `mutation($id: ID!, $in: ArticleInput!) { a: updateArticle(id: $id, input: $in) { id slug status } }`,
			map[string]any{"id": prev.ID, "in": in}, &out)
		if err != nil {
			return fmt.Errorf("update article %s: %w", prev.ID, err)
		}
		fmt.Fprintf(w, "article %s updated in place (still %s): id %s, slug %s\n", strconv.Quote(art.Title), out.A.Status, out.A.ID, out.A.Slug)
		return nil
	}
	_, err = c.do(ctx, `mutation($in: ArticleInput!) { a: createArticle(input: $in) { id slug status } }`,
		map[string]any{"in": in}, &out)
	if err != nil {
		if made != "" {
			// Detached from ctx: an interrupted run removes it too.
			dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			if _, derr := c.do(dctx, `mutation($g: ID!) { deleteGallery(id: $g) }`, map[string]any{"g": made}, nil); derr != nil {
				fmt.Fprintf(w, "gallery %s made for the article could not be removed again (%v); delete it in the desk\n", made, derr)
			} else {
				fmt.Fprintf(w, "gallery %s removed again: the article was not created\n", made)
			}
		}
		return fmt.Errorf("create article: %w", err)
	}
	fmt.Fprintf(w, "article %s created as %s: id %s, slug %s\n", strconv.Quote(art.Title), out.A.Status, out.A.ID, out.A.Slug)
	return nil
}

// refillGallery makes an earlier import's draft gallery hold exactly the
// stills, in timecode order, under the article's title.
func refillGallery(ctx context.Context, c *client, id, title string, stills []string, ids map[string]string) error {
	var g struct {
		Gallery struct {
			Items []struct {
				ID    string `json:"id"`
				Asset struct {
					ID string `json:"id"`
				} `json:"asset"`
			} `json:"items"`
		} `json:"gallery"`
	}
	if _, err := c.do(ctx, `query($g: ID!) { gallery(id: $g) { items { id asset { id } } } }`, map[string]any{"g": id}, &g); err != nil {
		return fmt.Errorf("gallery %s: %w", id, err)
	}
	want := map[string]bool{}
	assetIDs := make([]string, len(stills))
	for i, s := range stills {
		assetIDs[i] = ids[nameKey(s)]
		want[ids[nameKey(s)]] = true
	}
	var stale []string
	for _, it := range g.Gallery.Items {
		if !want[it.Asset.ID] {
			stale = append(stale, it.ID)
		}
	}
	if len(stale) > 0 {
		if _, err := c.do(ctx, `mutation($g: ID!, $i: [ID!]!) { removeGalleryItems(galleryId: $g, itemIds: $i) { id } }`,
			map[string]any{"g": id, "i": stale}, nil); err != nil {
			return fmt.Errorf("gallery %s: remove stills: %w", id, err)
		}
	}
	// addGalleryItems skips the stills already there.
	if _, err := c.do(ctx, `mutation($g: ID!, $a: [ID!]!, $t: String!) { addGalleryItems(galleryId: $g, assetIds: $a) { id }
		updateGallery(id: $g, input: {title: $t}) { id } }`, map[string]any{"g": id, "a": assetIDs, "t": title}, nil); err != nil {
		return fmt.Errorf("gallery %s: add stills: %w", id, err)
	}
	if _, err := c.do(ctx, `mutation($g: ID!) { sortGalleryItems(galleryId: $g, by: TIMECODE) { id } }`,
		map[string]any{"g": id}, nil); err != nil {
		return fmt.Errorf("gallery %s: sort by timecode: %w", id, err)
	}
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
		assetIDs[i] = ids[nameKey(s)]
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
