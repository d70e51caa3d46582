// Package model holds the GraphQL-only types: the ones gqlgen generates
// (models_gen.go) and the hand-written ones below that carry IDs for field
// resolvers to load.
package model

import "github.com/stillroom/stillroom/core"

// Node is any object with a global ID: *core.User, *Asset,
// *Gallery or *Article (views.go).
type Node interface{}

// ArticleBlock is one of *ParagraphBlock, *HeadingBlock, *ImageBlock,
// *GalleryBlock.
type ArticleBlock interface{}

// ParagraphBlock is a paragraph of text.
type ParagraphBlock struct{ Text string }

// HeadingBlock is a heading of level 2..4.
type HeadingBlock struct {
	Text  string
	Level int
}

// ImageBlock shows one or more stills side by side.
type ImageBlock struct {
	AssetIDs  []string
	Caption   *string
	Overrides []core.ImageOverride // nil, or one per asset
}

// ImageBlockItem is one still of an image block with its asset and its
// caption, alt text and credit already resolved (the block's own, else the
// asset's).
type ImageBlockItem struct {
	Position int
	Asset    *Asset
	Caption  *string
	AltText  *string
	Credit   *string
}

// GalleryBlock embeds a gallery.
type GalleryBlock struct{ GalleryID string }

// GalleryItem is a gallery placement with its position, its asset and its
// caption, alt text and credit already resolved (item override, else the
// asset's).
type GalleryItem struct {
	ID       string
	Position int
	Asset    *Asset
	Caption  *string
	AltText  *string
	Credit   *string
}

// Rendition is a stored rendition with its URL, which depends on the
// server's media base URL and so is not stored.
type Rendition struct {
	core.Rendition
	URL string
}
