package core

import "time"

// PublishStatus is the stored publication state. SCHEDULED is never stored:
// it is PUBLISHED with PublishAt in the future, so content becomes visible by
// itself when the time comes.
type PublishStatus string

// Publication states.
const (
	StatusDraft     PublishStatus = "DRAFT"
	StatusScheduled PublishStatus = "SCHEDULED"
	StatusPublished PublishStatus = "PUBLISHED"
)

// Publication is the publishing state shared by galleries and articles.
type Publication struct {
	Status      PublishStatus // DRAFT or PUBLISHED
	PublishAt   *time.Time    // when it becomes visible
	PublishedAt *time.Time    // when it was first made visible
}

// EffectiveStatus is the status a client sees at now.
func (p Publication) EffectiveStatus(now time.Time) PublishStatus {
	if p.Status != StatusPublished {
		return StatusDraft
	}
	if p.PublishAt != nil && p.PublishAt.After(now) {
		return StatusScheduled
	}
	return StatusPublished
}

// Visible reports whether anonymous readers may see it at now.
func (p Publication) Visible(now time.Time) bool {
	return p.EffectiveStatus(now) == StatusPublished
}

// GalleryItem is one placement of an asset in a gallery. Empty overrides
// fall back to the asset's own caption, alt text and credit.
type GalleryItem struct {
	ID      string
	AssetID string
	Caption string
	AltText string
	Credit  string
}

// Gallery is an ordered set of assets. Items are embedded, so every change
// is a single-document update; an item's position is its index.
type Gallery struct {
	ID           string
	Slug         string
	Title        string
	Description  string
	Publication  Publication
	CoverAssetID string
	Items        []GalleryItem
	CreatedBy    string
	SearchTokens []string
	Version      int
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// BlockKind names the kind of an article block.
type BlockKind string

// Block kinds.
const (
	BlockParagraph BlockKind = "paragraph"
	BlockHeading   BlockKind = "heading"
	BlockImage     BlockKind = "image"
	BlockGallery   BlockKind = "gallery"
)

// Block is one piece of an article body. Which fields are set depends on
// Kind: Text (paragraph, heading), Level (heading), AssetIDs, Caption and
// Overrides (image), GalleryID (gallery).
type Block struct {
	Kind     BlockKind
	Text     string
	Level    int
	AssetIDs []string
	Caption  string
	// Overrides are the image block's own texts for each of AssetIDs (same
	// length), or nil when it has none.
	Overrides []ImageOverride
	GalleryID string
}

// ImageOverride is the caption, alt text and credit an image block shows
// for one image; empty ones fall back to the asset's own, as a gallery
// item's do.
type ImageOverride struct {
	Caption string
	AltText string
	Credit  string
}

// Over returns the texts a placement of a shows: each of o's, or a's own
// where o's is empty. It is the one rule for gallery items, image blocks
// and the publish gate.
func (o ImageOverride) Over(a *Asset) ImageOverride {
	if o.Caption == "" {
		o.Caption = a.Caption
	}
	if o.AltText == "" {
		o.AltText = a.AltText
	}
	if o.Credit == "" {
		o.Credit = a.Credit
	}
	return o
}

// Override returns the item's own texts (empty ones fall back to the
// asset's: ImageOverride.Over).
func (it GalleryItem) Override() ImageOverride {
	return ImageOverride{Caption: it.Caption, AltText: it.AltText, Credit: it.Credit}
}

// Override returns the texts of the block's i-th image (zero when none).
func (b Block) Override(i int) ImageOverride {
	if i < len(b.Overrides) {
		return b.Overrides[i]
	}
	return ImageOverride{}
}

// Article is a story made of blocks.
type Article struct {
	ID           string
	Slug         string
	Title        string
	Summary      string
	Section      string
	Tags         []string
	Publication  Publication
	AuthorID     string
	CoverAssetID string
	Blocks       []Block
	// ImportKey names the source an importer built the article from
	// (`stillroom import --article`), so running it again finds it.
	ImportKey    string
	SearchTokens []string
	Version      int
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// GalleryIDs lists the galleries the blocks reference, first use first.
func (a *Article) GalleryIDs() []string {
	var ids []string
	seen := map[string]bool{}
	for _, b := range a.Blocks {
		if b.Kind == BlockGallery && !seen[b.GalleryID] {
			seen[b.GalleryID] = true
			ids = append(ids, b.GalleryID)
		}
	}
	return ids
}

// AssetIDs lists every asset the article references directly (cover and
// image blocks), first use first.
func (a *Article) AssetIDs() []string {
	var ids []string
	seen := map[string]bool{}
	add := func(id string) {
		if id != "" && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	add(a.CoverAssetID)
	for _, b := range a.Blocks {
		for _, id := range b.AssetIDs {
			add(id)
		}
	}
	return ids
}
