// Package frontpage holds the public list query the read benchmarks
// measure (scripts/bench-reads.sh and server's BenchmarkFrontPage), so
// both measure the same thing.
package frontpage

// Query lists 20 articles with their covers and, for gallery blocks, the
// gallery's items with renditions: a news portal's front page.
const Query = `{ articles(first: 20) { edges { node { title slug
	cover { srcset renditions { name url width height } }
	blocks { ... on ParagraphBlock { text } ... on GalleryBlock { gallery { title items { caption altText credit asset { srcset renditions { name url } } } } } }
} } } }`
