package graph

import (
	"sort"

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

func nonZero[T int | float64](v T) *T {
	if v == 0 {
		return nil
	}
	return &v
}

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
		Tags: in.Tags, CoverAssetID: in.CoverAssetID}
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
		return &model.ImageBlock{AssetIDs: b.AssetIDs, Caption: nonEmpty(b.Caption)}
	case core.BlockGallery:
		return &model.GalleryBlock{GalleryID: b.GalleryID}
	}
	return nil
}

func pageInfo[T any](p core.PageOf[T], lastID string) *model.PageInfo {
	pi := &model.PageInfo{HasNextPage: p.HasNext}
	if lastID != "" {
		c := app.Cursor(lastID)
		pi.EndCursor = &c
	}
	return pi
}

func articleConnection(p core.PageOf[*core.Article]) *model.ArticleConnection {
	c := &model.ArticleConnection{Edges: make([]*model.ArticleEdge, 0, len(p.Items)), TotalCount: int(p.Total)}
	last := ""
	for _, a := range p.Items {
		c.Edges = append(c.Edges, &model.ArticleEdge{Cursor: app.Cursor(a.ID), Node: a})
		last = a.ID
	}
	c.PageInfo = pageInfo(p, last)
	return c
}

func galleryConnection(p core.PageOf[*core.Gallery]) *model.GalleryConnection {
	c := &model.GalleryConnection{Edges: make([]*model.GalleryEdge, 0, len(p.Items)), TotalCount: int(p.Total)}
	last := ""
	for _, g := range p.Items {
		c.Edges = append(c.Edges, &model.GalleryEdge{Cursor: app.Cursor(g.ID), Node: g})
		last = g.ID
	}
	c.PageInfo = pageInfo(p, last)
	return c
}

func assetConnection(p core.PageOf[*core.Asset]) *model.AssetConnection {
	c := &model.AssetConnection{Edges: make([]*model.AssetEdge, 0, len(p.Items)), TotalCount: int(p.Total)}
	last := ""
	for _, a := range p.Items {
		c.Edges = append(c.Edges, &model.AssetEdge{Cursor: app.Cursor(a.ID), Node: a})
		last = a.ID
	}
	c.PageInfo = pageInfo(p, last)
	return c
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
