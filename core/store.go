package core

import (
	"context"
	"time"
)

// MaxPageSize is the largest page a list may ask for.
const MaxPageSize = 100

// Page asks for one page of a list. By default the list is in creation
// order: IDs are time-ordered (see NewID), so "newest first" is "_id
// descending" and a cursor is the last ID seen: inserting new items never
// shifts a page.
//
// With By set, the list is ordered by that field's sort key (see package
// core/sortkey), which ends with the item's ID, so ties are broken by ID
// and every key is unique; After is then the last key seen. Desc picks the
// key of the descending order (values descending, missing values still
// last); Oldest says the key is scanned ascending. A forward page of an
// ascending order scans its key ascending, a backward page (Relay's
// last/before) of the same order scans the same key descending.
type Page struct {
	After string // exclusive cursor: only items past it in the page's order
	Limit int    // 1..MaxPageSize
	// Oldest scans ascending (IDs, or the key of By; After a lower bound);
	// otherwise descending (After an upper bound).
	Oldest bool
	By     SortBy
	Desc   bool
}

// SortBy names a field a list may be ordered by besides creation.
type SortBy string

// The orders of lists. Title applies to articles and galleries, the others
// to assets; a store answers BAD_USER_INPUT for one its list lacks.
const (
	SortCreated  SortBy = ""
	SortTitle    SortBy = "title"
	SortFilename SortBy = "filename"
	SortTakenAt  SortBy = "takenAt"
	SortTimecode SortBy = "timecode"
)

// PublicationFilter selects by effective publication status at Now.
type PublicationFilter struct {
	Status PublishStatus // "" = any
	Now    time.Time
}

// ArticleQuery filters articles. Search holds folded words (see package fold); every
// word must match a search token, the last as a prefix.
type ArticleQuery struct {
	Page
	PublicationFilter
	Section string
	Tag     string
	Search  []string
	// ImportKey, when set, matches the article an importer made with it.
	ImportKey string
}

// GalleryQuery filters galleries.
type GalleryQuery struct {
	Page
	PublicationFilter
	Search []string
}

// AssetQuery filters assets. IDs, when non-nil, restricts to those IDs.
type AssetQuery struct {
	Page
	Status      AssetStatus
	UploadedBy  string
	IDs         []string
	ExcludeIDs  []string
	TakenAfter  *time.Time
	TakenBefore *time.Time
	Search      []string
	// PipelineBelow, when positive, keeps assets whose renditions were
	// made by an older pipeline version.
	PipelineBelow int
}

// PageOf is one page of a list: the items, whether more follow, and how
// many items match the filter in all.
type PageOf[T any] struct {
	Items   []T
	HasNext bool
	Total   int64
}

// Users persists accounts.
type Users interface {
	// InsertUser stores u; CONFLICT when the email is taken.
	InsertUser(ctx context.Context, u *User) error
	// UserByID and UserByEmail return NOT_FOUND when there is none.
	UserByID(ctx context.Context, id string) (*User, error)
	UserByEmail(ctx context.Context, email string) (*User, error)
	// UsersByIDs returns the users that exist, in any order.
	UsersByIDs(ctx context.Context, ids []string) ([]*User, error)
	CountUsers(ctx context.Context) (int64, error)
	// ListUsers returns every user, by email.
	ListUsers(ctx context.Context) ([]*User, error)
	// UpdateUser replaces the stored user u.ID (email, name, role,
	// password hash, disabled, updated at) if its stored version is still
	// u.Version (a user stored without one is at version 0), then
	// increments u.Version; one single-document conditional write.
	// NOT_FOUND when there is none; CONFLICT when the version is stale (the
	// message says "version") or the email belongs to another user.
	UpdateUser(ctx context.Context, u *User) error
}

// Sessions persists bearer tokens by their hash.
type Sessions interface {
	InsertSession(ctx context.Context, s *Session) error
	// SessionByTokenHash returns NOT_FOUND when there is none.
	SessionByTokenHash(ctx context.Context, hash string) (*Session, error)
	DeleteSession(ctx context.Context, hash string) error
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error)
	// DeleteUserSessions ends every session of the user and returns how
	// many there were.
	DeleteUserSessions(ctx context.Context, userID string) (int64, error)
}

// Assets persists the media library.
type Assets interface {
	// InsertAsset stores a; CONFLICT when an asset with its SHA256 exists.
	InsertAsset(ctx context.Context, a *Asset) error
	// AssetByID and AssetBySHA256 return NOT_FOUND when there is none.
	AssetByID(ctx context.Context, id string) (*Asset, error)
	AssetBySHA256(ctx context.Context, sha256 string) (*Asset, error)
	// AssetsByIDs returns the assets that exist, in any order.
	AssetsByIDs(ctx context.Context, ids []string) ([]*Asset, error)
	// UpdateAsset replaces the stored asset if its version is still
	// a.Version, then increments a.Version. CONFLICT when stale, NOT_FOUND
	// when gone.
	UpdateAsset(ctx context.Context, a *Asset) error
	DeleteAsset(ctx context.Context, id string) error
	ListAssets(ctx context.Context, q AssetQuery) (PageOf[*Asset], error)
	// AssetIDsInUse returns every asset ID a gallery or article uses.
	AssetIDsInUse(ctx context.Context) ([]string, error)
}

// Galleries persists galleries.
type Galleries interface {
	// InsertGallery stores g; CONFLICT when the slug is taken.
	InsertGallery(ctx context.Context, g *Gallery) error
	GalleryByID(ctx context.Context, id string) (*Gallery, error)
	GalleryBySlug(ctx context.Context, slug string) (*Gallery, error)
	GalleriesByIDs(ctx context.Context, ids []string) ([]*Gallery, error)
	// UpdateGallery replaces g if its stored version is g.Version, then
	// increments g.Version. CONFLICT when stale or the slug is taken.
	UpdateGallery(ctx context.Context, g *Gallery) error
	DeleteGallery(ctx context.Context, id string) error
	ListGalleries(ctx context.Context, q GalleryQuery) (PageOf[*Gallery], error)
	// GalleriesWithAsset returns galleries having an item with the asset or
	// the asset as explicit cover.
	GalleriesWithAsset(ctx context.Context, assetID string) ([]*Gallery, error)
}

// Articles persists articles.
type Articles interface {
	// InsertArticle stores a; CONFLICT when the slug is taken.
	InsertArticle(ctx context.Context, a *Article) error
	ArticleByID(ctx context.Context, id string) (*Article, error)
	ArticleBySlug(ctx context.Context, slug string) (*Article, error)
	// UpdateArticle: as UpdateGallery.
	UpdateArticle(ctx context.Context, a *Article) error
	DeleteArticle(ctx context.Context, id string) error
	ListArticles(ctx context.Context, q ArticleQuery) (PageOf[*Article], error)
	// ArticlesWithAsset returns articles whose cover or image blocks use
	// the asset; ArticlesWithGallery those with a block of the gallery.
	ArticlesWithAsset(ctx context.Context, assetID string) ([]*Article, error)
	ArticlesWithGallery(ctx context.Context, galleryID string) ([]*Article, error)
}

// Job is a unit of background work on an asset, claimed with a lease so a
// crashed worker's job is picked up again.
type Job struct {
	ID         string
	Kind       string // e.g. "process"
	AssetID    string
	Attempts   int // claims so far
	RunAt      time.Time
	LeaseOwner string
	LeaseUntil time.Time
	LastError  string
	CreatedAt  time.Time
}

// Jobs is the processing queue.
type Jobs interface {
	// EnqueueJob adds j unless a job of the same kind for the same asset
	// is already queued; then nil is returned and that job runs again: if
	// no worker holds it (queued, or waiting to retry after a failure),
	// it is made due no later than j.RunAt with its attempts restarted
	// and its error cleared; if a worker holds it, it keeps its lease and
	// is asked to run again when that worker gives it back (see
	// CompleteJob and RetryJob).
	EnqueueJob(ctx context.Context, j *Job) error
	// ClaimJob atomically takes the oldest due job whose lease is free or
	// expired, leasing it to owner until now+lease and counting the
	// attempt. It returns NOT_FOUND when no job is due.
	ClaimJob(ctx context.Context, owner string, now time.Time, lease time.Duration) (*Job, error)
	// CompleteJob removes a job still leased by owner; if EnqueueJob asked
	// for it again since it was claimed, it releases it instead, due at
	// once with no attempts counted, so that what changed during the run
	// is processed too.
	CompleteJob(ctx context.Context, id, owner string) error
	// RetryJob releases a job leased by owner to run again at runAt,
	// recording lastErr; if EnqueueJob asked for it again since it was
	// claimed, it is due at once instead, with no attempts counted.
	RetryJob(ctx context.Context, id, owner string, runAt time.Time, lastErr string) error
	// RenewJob extends the lease owner holds on a job to until, so a job
	// that runs longer than its lease is not taken by another worker.
	// CONFLICT when another worker has claimed it, NOT_FOUND when it is
	// gone.
	RenewJob(ctx context.Context, id, owner string, until time.Time) error
	// ReleaseJob gives a job leased by owner back at once, not counting
	// the attempt (its worker is stopping).
	ReleaseJob(ctx context.Context, id, owner string) error
	CountJobs(ctx context.Context) (int64, error)
	// QueueStats returns the number of jobs and the runAt of the oldest
	// job due at now (nil when none is due).
	QueueStats(ctx context.Context, now time.Time) (int64, *time.Time, error)
}

// Uploads persists direct-upload tickets.
type Uploads interface {
	InsertTicket(ctx context.Context, t *UploadTicket) error
	// TicketByID returns NOT_FOUND when there is none.
	TicketByID(ctx context.Context, id string) (*UploadTicket, error)
	// UseTicket atomically marks an unused ticket used at now: CONFLICT
	// when it was used already, NOT_FOUND when there is none.
	UseTicket(ctx context.Context, id string, now time.Time) error
	// DeleteTicketsExpiredBefore removes tickets that expired before t.
	DeleteTicketsExpiredBefore(ctx context.Context, t time.Time) (int64, error)
}

// Settings persists process-wide values shared by every server process.
type Settings interface {
	// SettingOrInit returns the value stored under name, storing init
	// first when there is none. Concurrent callers all get the one value
	// that was stored first.
	SettingOrInit(ctx context.Context, name, init string) (string, error)
}

// Store is the whole metadata store.
type Store interface {
	Users
	Sessions
	Assets
	Galleries
	Articles
	Jobs
	Uploads
	Settings
	// Ping checks the database is reachable (for /readyz).
	Ping(ctx context.Context) error
	Close(ctx context.Context) error
}
