package graph

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/graph/model"
)

// nonEmpty maps "" to null for optional text fields.
func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// The API's views of what the app answers (graph/model/views.go), with
// its error.

func viewAsset(a *core.Asset, err error) (*model.Asset, error) { return model.NewAsset(a), err }

func viewAssets(l []*core.Asset, err error) ([]*model.Asset, error) { return model.Assets(l), err }

func viewGallery(g *core.Gallery, err error) (*model.Gallery, error) { return model.NewGallery(g), err }

func viewGalleries(l []*core.Gallery, err error) ([]*model.Gallery, error) {
	return model.Galleries(l), err
}

func viewArticle(a *core.Article, err error) (*model.Article, error) { return model.NewArticle(a), err }

func viewArticles(l []*core.Article, err error) ([]*model.Article, error) {
	return model.Articles(l), err
}

// nodeView is the view of what app's Node found.
func nodeView(n any, err error) (model.Node, error) {
	switch v := n.(type) {
	case *core.Asset:
		return model.NewAsset(v), err
	case *core.Gallery:
		return model.NewGallery(v), err
	case *core.Article:
		return model.NewArticle(v), err
	}
	return n, err
}

// forward subscribes with arg and passes on the views of what the
// subscription sends, until it closes or ctx ends. It holds at most one
// value: a subscriber too slow for the app's channel still misses values
// there rather than blocking the sender.
func forward[A, T, V any](ctx context.Context, subscribe func(context.Context, A) (<-chan T, error), arg A, view func(T) V) (<-chan V, error) {
	in, err := subscribe(ctx, arg)
	if err != nil {
		return nil, err
	}
	out := make(chan V)
	go func() {
		defer close(out)
		for {
			select {
			case <-ctx.Done():
				return
			case x, ok := <-in:
				if !ok {
					return
				}
				select {
				case out <- view(x):
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out, nil
}

// publishedAt is when p was first made visible, null while it is not.
func publishedAt(p core.Publication) *time.Time {
	if !p.Visible(time.Now()) {
		return nil
	}
	return p.PublishedAt
}

// ok is a mutation's Boolean answer.
func ok(err error) (bool, error) { return err == nil, err }

func assetPatch(in *model.AssetInput) *app.AssetPatch {
	if in == nil {
		return nil
	}
	p := &app.AssetPatch{Caption: in.Caption, AltText: in.AltText, Credit: in.Credit,
		Copyright: in.Copyright, Tags: in.Tags}
	if in.FocalPoint != nil {
		p.FocalPoint = &core.FocalPoint{X: in.FocalPoint.X, Y: in.FocalPoint.Y}
	}
	return p
}

func galleryPatch(in model.GalleryInput) app.GalleryPatch {
	return app.GalleryPatch{Title: in.Title, Slug: in.Slug, Description: in.Description, CoverAssetID: in.CoverAssetID}
}

func articlePatch(in model.ArticleInput) app.ArticlePatch {
	p := app.ArticlePatch{Title: in.Title, Slug: in.Slug, Summary: in.Summary, Section: in.Section,
		Tags: in.Tags, CoverAssetID: in.CoverAssetID, ImportKey: in.ImportKey}
	if in.Blocks != nil {
		p.SetBlocks = true
		p.Blocks = make([]core.Block, 0, len(in.Blocks))
		for _, b := range in.Blocks {
			p.Blocks = append(p.Blocks, blockFromInput(b))
		}
	}
	return p
}

// blockFromInput maps a @oneOf BlockInput (exactly one field set, which
// the executor enforces) to a block.
func blockFromInput(b *model.BlockInput) core.Block {
	switch {
	case b.Paragraph != nil:
		return core.Block{Kind: core.BlockParagraph, Text: *b.Paragraph}
	case b.Heading != nil:
		return core.Block{Kind: core.BlockHeading, Text: b.Heading.Text, Level: b.Heading.Level}
	case b.Image != nil:
		blk := core.Block{Kind: core.BlockImage, AssetIDs: b.Image.AssetIds}
		if b.Image.Caption != nil {
			blk.Caption = *b.Image.Caption
		}
		if b.Image.Items != nil {
			// Items after assetIds when both are given; the app checks
			// the count (1..12) either way.
			for _, it := range b.Image.Items {
				blk.AssetIDs = append(blk.AssetIDs, it.AssetID)
			}
			blk.Overrides = make([]core.ImageOverride, len(blk.AssetIDs))
			off := len(blk.AssetIDs) - len(b.Image.Items)
			for i, it := range b.Image.Items {
				blk.Overrides[off+i] = core.ImageOverride{Caption: deref(it.Caption), AltText: deref(it.AltText), Credit: deref(it.Credit)}
			}
		}
		return blk
	case b.Gallery != nil:
		return core.Block{Kind: core.BlockGallery, GalleryID: *b.Gallery}
	}
	return core.Block{}
}

func blockToModel(b core.Block) model.ArticleBlock {
	switch b.Kind {
	case core.BlockParagraph:
		return &model.ParagraphBlock{Text: b.Text}
	case core.BlockHeading:
		return &model.HeadingBlock{Text: b.Text, Level: b.Level}
	case core.BlockImage:
		return &model.ImageBlock{AssetIDs: b.AssetIDs, Caption: nonEmpty(b.Caption), Overrides: b.Overrides}
	case core.BlockGallery:
		return &model.GalleryBlock{GalleryID: b.GalleryID}
	}
	return nil
}

// edges builds a connection's edges and page info from a page of items
// read through window w (a backward page was read in reverse); edge makes
// the edge of p.Items[i].
func edges[T, E any](p core.PageOf[T], w app.Window, cursor func(T) string, edge func(i int, cursor string) E) ([]E, *model.PageInfo) {
	out := make([]E, 0, len(p.Items))
	pi := &model.PageInfo{HasNextPage: p.HasNext, HasPreviousPage: w.HasCursor}
	if w.Backward {
		pi.HasNextPage, pi.HasPreviousPage = w.HasCursor, p.HasNext
	}
	for i := range p.Items {
		j := i
		if w.Backward {
			j = len(p.Items) - 1 - i
		}
		c := cursor(p.Items[j])
		out = append(out, edge(j, c))
		if pi.StartCursor == nil {
			pi.StartCursor = &c
		}
		pi.EndCursor = &c
	}
	return out, pi
}

func articleConnection(p core.PageOf[*core.Article], w app.Window) *model.ArticleConnection {
	views := model.Articles(p.Items)
	es, pi := edges(p, w, w.ArticleCursor,
		func(i int, c string) *model.ArticleEdge { return &model.ArticleEdge{Cursor: c, Node: views[i]} })
	return &model.ArticleConnection{Edges: es, PageInfo: pi, TotalCount: int(p.Total)}
}

func galleryConnection(p core.PageOf[*core.Gallery], w app.Window) *model.GalleryConnection {
	views := model.Galleries(p.Items)
	es, pi := edges(p, w, w.GalleryCursor,
		func(i int, c string) *model.GalleryEdge { return &model.GalleryEdge{Cursor: c, Node: views[i]} })
	return &model.GalleryConnection{Edges: es, PageInfo: pi, TotalCount: int(p.Total)}
}

func assetConnection(p core.PageOf[*core.Asset], w app.Window) *model.AssetConnection {
	views := model.Assets(p.Items)
	es, pi := edges(p, w, w.AssetCursor,
		func(i int, c string) *model.AssetEdge { return &model.AssetEdge{Cursor: c, Node: views[i]} })
	return &model.AssetConnection{Edges: es, PageInfo: pi, TotalCount: int(p.Total)}
}

// listSorts maps each ListSort to its order.
var listSorts = map[model.ListSort]struct {
	by   core.SortBy
	desc bool
}{
	model.ListSortTitle: {core.SortTitle, false}, model.ListSortTitleDesc: {core.SortTitle, true},
	model.ListSortFilename: {core.SortFilename, false}, model.ListSortFilenameDesc: {core.SortFilename, true},
	model.ListSortTakenAt: {core.SortTakenAt, false}, model.ListSortTakenAtDesc: {core.SortTakenAt, true},
	model.ListSortTimecode: {core.SortTimecode, false}, model.ListSortTimecodeDesc: {core.SortTimecode, true},
}

// listWindow checks a list's Relay arguments and sort (see ListSort):
// BAD_USER_INPUT for a sort the list lacks, naming those it has.
func listWindow(list string, first *int, after *string, last *int, before *string, ls *model.ListSort, def int) (app.Window, error) {
	a := app.ListArgs{First: first, After: after, Last: last, Before: before}
	switch s := deref(ls); s {
	case "", model.ListSortNewest:
	case model.ListSortOldest:
		a.Oldest = true
	default:
		o, ok := listSorts[s]
		if !ok || !app.SortApplies(list, o.by) {
			return app.Window{}, core.Errorf(core.CodeBadUserInput, "%s cannot be sorted %s: use %s", list, s, listSortNames(list))
		}
		a.By, a.Desc = o.by, o.desc
	}
	return app.PageWindow(a, def)
}

// listSortNames are the sorts list takes, for error messages.
func listSortNames(list string) string {
	names := []string{string(model.ListSortNewest), string(model.ListSortOldest)}
	for _, s := range model.AllListSort {
		if o, ok := listSorts[s]; ok && app.SortApplies(list, o.by) {
			names = append(names, string(s))
		}
	}
	return strings.Join(names, ", ")
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// nullIfNotFound turns NOT_FOUND into a null result for nullable lookups.
func nullIfNotFound[T any](v *T, err error) (*T, error) {
	if core.IsCode(err, core.CodeNotFound) {
		return nil, nil
	}
	return v, err
}

func uploadTicket(t *app.Ticket) *model.UploadTicket {
	out := &model.UploadTicket{ID: t.ID, URL: t.URL, Method: t.Method, ExpiresAt: t.ExpiresAt, Fields: []*model.FormField{}}
	names := make([]string, 0, len(t.Fields))
	for k := range t.Fields {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		out.Fields = append(out.Fields, &model.FormField{Name: k, Value: t.Fields[k]})
	}
	return out
}
