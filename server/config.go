package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/event"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/httpapi"
	"github.com/stillroom/stillroom/media"
	"github.com/stillroom/stillroom/media/s3store"
)

// config is every setting. Each has a flag and a STILLROOM_* environment
// variable; the flag wins. The README has the table.
type config struct {
	Addr           string
	DataDir        string
	Env            string
	MongoURI       string
	MongoDatabase  string
	S3             s3store.Config
	AdminEmail     string
	AdminPassword  string
	PublicMediaURL string
	PublicURL      string
	CORSOrigins    []string
	MaxUploadBytes int64
	MaxBodyBytes   int64
	MaxPixels      int64
	Workers        int
	UploadWait     time.Duration
	SessionTTL     time.Duration
	JobLease       time.Duration
	MemoryBudget   int64
	PublishGate    bool
	DebugAddr      string
	// Admission of operations (admission.go) and pacing of bodies (pacing.go).
	OperationSlots     int
	OperationQueue     int
	OperationQueueWait time.Duration
	BodyIdle           time.Duration
	BodyMinRate        int64
	// UploadBytesInFlight bounds the multipart bytes held at once (uploads.go).
	UploadBytesInFlight int64
	// ResponseCacheBytes bounds the public read cache (respcache.go).
	ResponseCacheBytes int64
	// TrustedProxies may set X-Forwarded-For (clientaddr.go).
	TrustedProxies []netip.Prefix
	// UpgradeInterval paces the background regeneration of assets made
	// by an older image pipeline.
	UpgradeInterval time.Duration

	// demo seeds the demo content once the port is bound (serve --demo).
	demo bool
	// tuneRuntime applies the server's garbage collector and memory limit
	// defaults (internal/memtune) to the process: set by the serve
	// command, not by tests, which share one process.
	tuneRuntime bool

	// monitor, when set (by tests), sees every MongoDB command.
	monitor *event.CommandMonitor
	// traceReads, when set (by tests), sees every query of the embedded
	// database's reads.
	traceReads func(query string)
}

// Defaults that live only in the server.
const (
	defaultAddr         = "127.0.0.1:8080"
	defaultDataDir      = "./data"
	defaultDatabase     = "stillroom"
	defaultBucket       = "stillroom"
	defaultMaxBodyBytes = 64 << 20
)

func parseConfig(args []string, getenv func(string) string) (config, error) {
	var c config
	fs := flag.NewFlagSet("stillroom", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	env := func(name, def string) string {
		if v := getenv("STILLROOM_" + name); v != "" {
			return v
		}
		return def
	}
	var errs []error
	envInt := func(name string, def int64) int64 {
		v := env(name, "")
		if v == "" {
			return def
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			errs = append(errs, fmt.Errorf("STILLROOM_%s: %q is not a non-negative integer", name, v))
		}
		return n
	}
	envDur := func(name string, def time.Duration) time.Duration {
		v := env(name, "")
		if v == "" {
			return def
		}
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			errs = append(errs, fmt.Errorf("STILLROOM_%s: %q is not a duration such as 10s", name, v))
		}
		return d
	}
	envBool := func(name string) bool {
		switch v := strings.ToLower(env(name, "")); v {
		case "1", "true", "yes", "on":
			return true
		case "", "0", "false", "no", "off":
			return false
		default:
			errs = append(errs, fmt.Errorf("STILLROOM_%s: %q is neither true nor false (1/0, true/false, yes/no, on/off)", name, v))
			return false
		}
	}
	fs.StringVar(&c.Addr, "addr", env("ADDR", defaultAddr), "listen address")
	fs.StringVar(&c.DataDir, "data-dir", env("DATA_DIR", defaultDataDir), "folder for the embedded database and local objects")
	fs.StringVar(&c.Env, "env", env("ENV", "development"), "development or production")
	fs.StringVar(&c.MongoURI, "mongodb-uri", env("MONGODB_URI", ""), "MongoDB URI; empty = embedded database")
	fs.StringVar(&c.MongoDatabase, "mongodb-database", env("MONGODB_DATABASE", defaultDatabase), "database name")
	fs.StringVar(&c.S3.Endpoint, "s3-endpoint", env("S3_ENDPOINT", ""), "S3/MinIO host:port; empty = local disk")
	fs.StringVar(&c.S3.AccessKey, "s3-access-key", env("S3_ACCESS_KEY", ""), "S3 access key")
	fs.StringVar(&c.S3.SecretKey, "s3-secret-key", env("S3_SECRET_KEY", ""), "S3 secret key")
	fs.StringVar(&c.S3.Bucket, "s3-bucket", env("S3_BUCKET", defaultBucket), "S3 bucket, created if missing")
	fs.StringVar(&c.S3.Region, "s3-region", env("S3_REGION", ""), "S3 region")
	fs.BoolVar(&c.S3.UseTLS, "s3-use-tls", envBool("S3_USE_TLS"), "use https for S3")
	fs.StringVar(&c.AdminEmail, "admin-email", env("ADMIN_EMAIL", ""), "admin created at start if missing")
	fs.StringVar(&c.AdminPassword, "admin-password", env("ADMIN_PASSWORD", ""), "that admin's password")
	fs.StringVar(&c.PublicMediaURL, "public-media-url", env("PUBLIC_MEDIA_URL", ""), "base URL of rendition links (a CDN); default the public URL + /media")
	fs.StringVar(&c.PublicURL, "public-url", env("PUBLIC_URL", ""), "this server's public base URL, for every URL the API hands out; default http:// + the listen address")
	fs.Int64Var(&c.MaxUploadBytes, "max-upload-bytes", envInt("MAX_UPLOAD_BYTES", app.DefaultMaxUploadBytes), "largest file accepted")
	fs.Int64Var(&c.MaxBodyBytes, "max-body-bytes", envInt("MAX_BODY_BYTES", defaultMaxBodyBytes), "largest multipart request accepted")
	fs.Int64Var(&c.MaxPixels, "max-pixels", envInt("MAX_PIXELS", media.DefaultLimits.MaxPixels), "largest image accepted, in pixels")
	fs.Int64Var(&c.MemoryBudget, "memory-budget", envInt("MEMORY_BUDGET", media.DefaultBudgetBytes), "bytes that concurrent image decodes may hold")
	workers := fs.Int("workers", int(envInt("WORKERS", 2)), "processing jobs run at once by this process")
	fs.DurationVar(&c.UploadWait, "upload-wait", envDur("UPLOAD_WAIT", app.DefaultUploadWait), "how long an upload waits for its renditions")
	fs.DurationVar(&c.SessionTTL, "session-ttl", envDur("SESSION_TTL", app.DefaultSessionTTL), "how long a login lasts")
	fs.DurationVar(&c.JobLease, "job-lease", envDur("JOB_LEASE", app.DefaultJobLease), "how long a claimed job is reserved; a crashed process's job is taken again after it")
	fs.DurationVar(&c.UpgradeInterval, "upgrade-interval", envDur("UPGRADE_INTERVAL", app.DefaultUpgradeInterval), "least time between two assets regenerated in the background after a pipeline upgrade")
	fs.StringVar(&c.DebugAddr, "debug-addr", env("DEBUG_ADDR", ""), "address of a listener with Go's profiler (/debug/pprof/); empty = none. Keep it on loopback")
	slots := fs.Int("operation-slots", int(envInt("OPERATION_SLOTS", 0)), "GraphQL operations run at once; 0 = one per core")
	queue := fs.Int("operation-queue", int(envInt("OPERATION_QUEUE", httpapi.DefaultOperationQueue)), "operations that may wait for a slot; more are answered 503")
	fs.DurationVar(&c.OperationQueueWait, "operation-queue-wait", envDur("OPERATION_QUEUE_WAIT", httpapi.DefaultOperationWait), "longest wait for a slot before a 503")
	fs.DurationVar(&c.BodyIdle, "body-idle", envDur("BODY_IDLE", httpapi.DefaultBodyIdle), "a request body that sends nothing for this long is cut")
	fs.Int64Var(&c.BodyMinRate, "body-min-rate", envInt("BODY_MIN_RATE", httpapi.DefaultBodyMinRate), "bytes a second a request body must average after its first body-idle")
	fs.Int64Var(&c.UploadBytesInFlight, "upload-bytes-in-flight", envInt("UPLOAD_BYTES_IN_FLIGHT", httpapi.DefaultUploadBytesInFlight), "multipart bytes all uploads may hold at once; more wait, then 503")
	fs.Int64Var(&c.ResponseCacheBytes, "response-cache-bytes", envInt("RESPONSE_CACHE_BYTES", httpapi.DefaultResponseCacheBytes), "bytes the public read cache may hold")
	corsOrigins := fs.String("cors-origins", env("CORS_ORIGINS", ""), "comma-separated origins (https://www.example.com) whose pages may use the API; development also allows http://localhost:* and http://127.0.0.1:*")
	proxies := fs.String("trusted-proxies", env("TRUSTED_PROXIES", ""), "comma-separated addresses or ranges of proxies whose X-Forwarded-For names the client (for the sign-in limits)")
	gate := fs.String("publish-gate", env("PUBLISH_GATE", "on"), "on: publishing needs alt text and credit on every image; off: it does not")
	noteSettings(fs)
	if err := fs.Parse(args); err != nil {
		return c, fmt.Errorf("flags: %w", err)
	}
	c.Workers = *workers
	c.OperationSlots, c.OperationQueue = *slots, *queue
	if ps, err := httpapi.ParseTrustedProxies(*proxies); err != nil {
		errs = append(errs, err)
	} else {
		c.TrustedProxies = ps
	}
	switch *gate {
	case "on":
		c.PublishGate = true
	case "off":
	default:
		errs = append(errs, fmt.Errorf("STILLROOM_PUBLISH_GATE must be on or off, not %q", *gate))
	}
	if fs.NArg() > 0 {
		errs = append(errs, fmt.Errorf("unexpected arguments: %q", fs.Args()))
	}
	var err error
	if c.CORSOrigins, err = httpapi.ParseOrigins(*corsOrigins); err != nil {
		errs = append(errs, err)
	}
	if c.PublicURL, err = checkPublicURL("PUBLIC_URL", c.PublicURL); err != nil {
		errs = append(errs, err)
	}
	if c.PublicMediaURL, err = checkPublicURL("PUBLIC_MEDIA_URL", c.PublicMediaURL); err != nil {
		errs = append(errs, err)
	}
	if c.Env != "development" && c.Env != "production" {
		errs = append(errs, fmt.Errorf("STILLROOM_ENV must be development or production, not %q", c.Env))
	}
	if c.S3.Endpoint != "" && (c.S3.AccessKey == "" || c.S3.SecretKey == "") {
		errs = append(errs, errors.New("STILLROOM_S3_ENDPOINT needs STILLROOM_S3_ACCESS_KEY and STILLROOM_S3_SECRET_KEY"))
	}
	if c.MaxBodyBytes < c.MaxUploadBytes {
		c.MaxBodyBytes = c.MaxUploadBytes + 1<<20
	}
	return c, errors.Join(errs...)
}

func (c config) appConfig() app.Config {
	limits := media.DefaultLimits
	limits.MaxPixels = c.MaxPixels
	// One image may hold at most three halves of the decode budget (an
	// image over the budget runs alone), as the defaults are set: a lower
	// budget lowers it too.
	if c.MemoryBudget > 0 {
		limits.MaxDecodeBytes = c.MemoryBudget * 3 / 2
	}
	base := strings.TrimRight(c.PublicMediaURL, "/")
	wait := c.UploadWait
	if wait == 0 {
		wait = -1 // 0 means "do not wait"; app's zero is its default
	}
	return app.Config{
		PublicURL:       c.publicURL(c.Addr),
		SessionTTL:      c.SessionTTL,
		MaxUploadBytes:  c.MaxUploadBytes,
		ImageLimits:     limits,
		UploadWait:      wait,
		JobLease:        c.JobLease,
		UpgradeInterval: c.UpgradeInterval,
		MemoryBudget:    c.MemoryBudget,
		Workers:         c.Workers,
		MediaBaseURL:    base,
		PublishGate:     c.PublishGate,
	}
}

// httpConfig is what the HTTP edge takes of c, once the public URL is
// known (serve sets it from the bound address).
func (c config) httpConfig() httpapi.Config {
	h := httpapi.Config{
		Production:          c.Env == "production",
		PublicURL:           c.publicURL(c.Addr),
		PublicMediaURL:      c.PublicMediaURL,
		CORSOrigins:         c.CORSOrigins,
		MaxUploadBytes:      c.MaxUploadBytes,
		MaxBodyBytes:        c.MaxBodyBytes,
		OperationSlots:      c.OperationSlots,
		OperationQueue:      c.OperationQueue,
		OperationQueueWait:  c.OperationQueueWait,
		BodyIdle:            c.BodyIdle,
		BodyMinRate:         c.BodyMinRate,
		UploadBytesInFlight: c.UploadBytesInFlight,
		ResponseCacheBytes:  c.ResponseCacheBytes,
		TrustedProxies:      c.TrustedProxies,
	}
	if c.S3.Endpoint != "" {
		scheme := "http://"
		if c.S3.UseTLS {
			scheme = "https://"
		}
		h.ObjectStoreOrigin = scheme + c.S3.Endpoint
	}
	return h
}
