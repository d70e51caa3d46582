package gqllimits

import (
	"math"

	"github.com/99designs/gqlgen/graphql"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/graph"
	"github.com/stillroom/stillroom/graph/model"
)

// Estimated lengths of the lists that have no `first` argument, used by the
// query cost. They are typical sizes, not maxima: the cost is an estimate of
// the work a query asks for, and what matters is that nested lists multiply.
const (
	costRenditions       = 6  // every READY asset has six in its JPEG/PNG set, five WebP
	costGalleryItems     = 20 // a gallery of event stills
	costArticleBlocks    = 5  // blocks that carry nested lists (images, galleries); paragraphs are cheap
	costArticleGalleries = 3
	costImageBlockAssets = 4 // at most app.MaxImagesPer
	costUsedIn           = 10
)

// ComplexityRoot gives the query cost its per-field functions: a
// connection multiplies what each node costs by `first` (or its default), a
// list by the estimate of its length; every other field costs 1 plus its
// selections (gqlgen's default).
func ComplexityRoot() graph.ComplexityRoot {
	var c graph.ComplexityRoot
	// last, when given, is the page size (it wins over first).
	size := func(first, last *int) *int {
		if last != nil {
			return last
		}
		return first
	}
	c.Query.Articles = func(child int, first *int, _ *string, last *int, _ *string, _ *model.ArticleFilter, _ *model.ListSort) int {
		return connectionCost(child, size(first, last))
	}
	c.Query.Galleries = func(child int, first *int, _ *string, last *int, _ *string, _ *model.GalleryFilter, _ *model.ListSort) int {
		return connectionCost(child, size(first, last))
	}
	c.Query.Assets = func(child int, first *int, _ *string, last *int, _ *string, _ *model.AssetFilter, _ *model.ListSort) int {
		return connectionCost(child, size(first, last))
	}
	c.Article.Blocks = listCost(costArticleBlocks)
	c.Article.Galleries = listCost(costArticleGalleries)
	c.ImageBlock.Assets = listCost(costImageBlockAssets)
	c.ImageBlock.Items = listCost(costImageBlockAssets)
	c.Gallery.Items = listCost(costGalleryItems)
	c.Asset.Renditions = func(child int, _ *model.ImageFormat) int { return listCost(costRenditions)(child) }
	c.Asset.UsedIn = listCost(costUsedIn)
	c.Mutation.UploadAssets = func(child int, files []*graphql.Upload, _ *model.AssetInput) int {
		return addSat(1, mulSat(len(files), child))
	}
	return c
}

// connectionCost is the cost of a connection returning first nodes. The
// schema gives first a default, so it is nil only if that changes; then
// the largest page is assumed. A first over the largest page is costed as
// the largest page, so the resolver's own BAD_USER_INPUT explains it.
func connectionCost(child int, first *int) int {
	n := core.MaxPageSize
	if first != nil {
		n = min(max(*first, 1), core.MaxPageSize)
	}
	return addSat(1, mulSat(n, child))
}

func listCost(n int) func(int) int {
	return func(child int) int { return addSat(1, mulSat(n, child)) }
}

func addSat(a, b int) int {
	if a > math.MaxInt-b {
		return math.MaxInt
	}
	return a + b
}

func mulSat(n, child int) int {
	if n <= 0 || child <= 0 {
		return 0
	}
	if child > math.MaxInt/n {
		return math.MaxInt
	}
	return n * child
}
