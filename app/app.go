// Package app holds Stillroom's use cases: accounts, the media library,
// galleries and articles. Every exported method checks the caller's
// permission (see actor.go) and returns *core.Error codes; the GraphQL and
// HTTP layers only translate.
package app

import (
	"context"
	"log/slog"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/media"
)

// Config holds the limits and knobs of the use cases. Zero values take the
// defaults below.
type Config struct {
	// SessionTTL is how long a login token is valid.
	SessionTTL time.Duration
	// MaxUploadBytes is the largest original accepted.
	MaxUploadBytes int64
	// ImageLimits bound the pixels of an accepted image.
	ImageLimits media.Limits
	// UploadWait is how long an upload waits for processing before it
	// answers with status PROCESSING.
	UploadWait time.Duration
	// Workers is how many processing jobs this process runs at once.
	Workers int
	// JobLease is how long a claimed job is reserved for its worker.
	JobLease time.Duration
	// MaxJobAttempts is how many times a job is tried before the asset
	// is FAILED.
	MaxJobAttempts int
	// PublishGate refuses to publish images without alt text or credit.
	PublishGate bool
	// MaintenanceInterval is how often this process reconciles objects
	// and records; OrphanGrace how old an unreferenced object must be
	// before it is removed.
	MaintenanceInterval time.Duration
	OrphanGrace         time.Duration
	// UpgradeInterval is the least time between two assets regenerated in
	// the background because an older pipeline made them (runUpgrades).
	UpgradeInterval time.Duration
	// UploadTicketTTL is how long a direct-upload ticket is valid (at
	// most MaxUploadTicketTTL); OriginalURLTTL how long a link to an
	// original is.
	UploadTicketTTL time.Duration
	OriginalURLTTL  time.Duration
	// Observer, when set, is told how each processing run went.
	Observer Observer
	// MemoryBudget bounds the bytes that concurrent image decodes of this
	// process may hold (media.Budget); 0 = media.DefaultBudgetBytes.
	MemoryBudget int64
	// PublicURL is this server's public base URL ("https://api.example.com",
	// no trailing slash): it prefixes every URL of the server's own that
	// the API hands out (signed links to originals, upload targets, and
	// renditions unless MediaBaseURL says otherwise). Empty =
	// root-relative URLs. It is configuration, never taken from a request.
	PublicURL string
	// MediaBaseURL prefixes rendition URLs: PublicURL + "/media" by
	// default, or a CDN origin that forwards to this server's /media.
	MediaBaseURL string
}

// Defaults for Config.
const (
	DefaultSessionTTL      = 7 * 24 * time.Hour
	DefaultMaxUploadBytes  = 50 << 20
	DefaultUploadWait      = 10 * time.Second
	DefaultJobLease        = 2 * time.Minute
	DefaultMaxJobAttempts  = 5
	DefaultMediaBaseURL    = "/media"
	DefaultOriginalURLTTL  = 10 * time.Minute
	DefaultUpgradeInterval = 2 * time.Second
)

func (c Config) withDefaults() Config {
	if c.SessionTTL <= 0 {
		c.SessionTTL = DefaultSessionTTL
	}
	if c.MaxUploadBytes <= 0 {
		c.MaxUploadBytes = DefaultMaxUploadBytes
	}
	if c.ImageLimits == (media.Limits{}) {
		c.ImageLimits = media.DefaultLimits
	}
	if c.UploadWait < 0 {
		c.UploadWait = 0
	} else if c.UploadWait == 0 {
		c.UploadWait = DefaultUploadWait
	}
	if c.Workers <= 0 {
		c.Workers = 2
	}
	if c.JobLease <= 0 {
		c.JobLease = DefaultJobLease
	}
	if c.MaxJobAttempts <= 0 {
		c.MaxJobAttempts = DefaultMaxJobAttempts
	}
	if c.MaintenanceInterval <= 0 {
		c.MaintenanceInterval = DefaultMaintenanceInterval
	}
	if c.OrphanGrace <= 0 {
		c.OrphanGrace = DefaultOrphanGrace
	}
	if c.UpgradeInterval <= 0 {
		c.UpgradeInterval = DefaultUpgradeInterval
	}
	if c.UploadTicketTTL <= 0 || c.UploadTicketTTL > MaxUploadTicketTTL {
		c.UploadTicketTTL = MaxUploadTicketTTL
	}
	if c.OriginalURLTTL <= 0 {
		c.OriginalURLTTL = DefaultOriginalURLTTL
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if c.MediaBaseURL == "" {
		c.MediaBaseURL = c.PublicURL + DefaultMediaBaseURL
	}
	return c
}

// Observer is told how processing went (the server's metrics).
type Observer interface {
	RenditionsMade(elapsed time.Duration, err error)
}

// Service is the application: every use case hangs off it.
type Service struct {
	store   core.Store
	objects media.ObjectStore
	log     *slog.Logger
	cfg     Config
	events  *broker
	wake    chan struct{}
	owner   string // this process's name in job leases
	signer  signer

	contentGen atomic.Int64
	budget     *media.Budget

	signIns *signInLimiter
	tickets ticketCounter
	// sessionWatch holds the contexts bound to sessions (BindSession).
	sessionWatch sessionWatchers
	// hashSlots runs bcrypt at most once per core at a time.
	hashSlots chan struct{}
	now       func() time.Time
}

// New returns a Service over the given stores.
func New(store core.Store, objects media.ObjectStore, log *slog.Logger, cfg Config) *Service {
	return &Service{
		store:   store,
		objects: objects,
		log:     log,
		cfg:     cfg.withDefaults(),
		events:  newBroker(),
		wake:    make(chan struct{}, 1),
		owner:   "worker-" + core.NewID(),

		budget:    media.NewBudget(cfg.MemoryBudget),
		signIns:   newSignInLimiter(),
		hashSlots: make(chan struct{}, runtime.GOMAXPROCS(0)),
		now:       func() time.Time { return time.Now().UTC().Truncate(time.Millisecond) },
	}
}

// Config returns the effective configuration.
func (s *Service) Config() Config { return s.cfg }

// Ready checks the database and the object store are reachable.
func (s *Service) Ready(ctx context.Context) error {
	if err := s.store.Ping(ctx); err != nil {
		return err
	}
	return s.objects.Ping(ctx)
}

// contentChanged notes that something readers may see changed, so cached
// public responses of this process are stale.
func (s *Service) contentChanged() { s.contentGen.Add(1) }

// ContentGeneration counts changes this process made to galleries,
// articles and assets; a response cached at one generation is stale at
// another.
func (s *Service) ContentGeneration() int64 { return s.contentGen.Load() }
