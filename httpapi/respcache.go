package httpapi

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/maypok86/otter/v2"
	"golang.org/x/sync/singleflight"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/internal/webapp"
)

// Public read cache: anonymous GraphQL queries sent with GET (plain or as
// persisted queries: extensions={"persistedQuery":…}) are answered from
// memory while nothing changed. An entry is dropped when this process
// changes content (app.ContentGeneration) and after responseCacheTTL in any
// case, so changes made by other processes, and scheduled content coming
// due, show within that time. Shared caches (a CDN) may keep the answer as
// long, and revalidate with the ETag.
const (
	responseCacheTTL = 10 * time.Second
	// DefaultResponseCacheBytes is STILLROOM_RESPONSE_CACHE_BYTES: the
	// most the kept answers (and their keys) may weigh together.
	DefaultResponseCacheBytes = 32 << 20
	responseCacheMaxBytes     = 1 << 20 // larger answers are not kept
	// cachedEntryOverhead is counted for each entry on top of its bytes:
	// the entry itself with its pre-built header values (about 250
	// bytes) and the cache's node.
	cachedEntryOverhead = 384
)

type cachedResponse struct {
	key     string
	body    []byte
	ctype   string
	etag    string
	gen     int64
	expires time.Time
	// The values of its headers, made once with the entry: a hit assigns
	// them (see write).
	ctypeValue, etagValue, lengthValue []string
	// gz is body gzipped, when that saves a tenth or more, with its own
	// ETag (another representation of the same answer) and length; nil
	// otherwise.
	gz                       []byte
	gzEtag                   string
	gzEtagValue, gzLengthVal []string
}

// gzipMinBytes is the smallest answer worth compressing.
const gzipMinBytes = 1 << 10

// newCachedResponse keeps body (a copy) as the answer to key, and a
// gzipped copy for the clients that accept one: compressed once per entry
// at the fastest level, a 20-article list is about an eighth of its size
// (readers on phones pay for every byte).
func newCachedResponse(key string, body []byte, ctype string, gen int64, expires time.Time) *cachedResponse {
	sum := sha256.Sum256(body)
	e := &cachedResponse{key: key, body: bytes.Clone(body), ctype: ctype,
		etag: `"` + hex.EncodeToString(sum[:16]) + `"`, gen: gen, expires: expires}
	e.ctypeValue = []string{e.ctype}
	e.etagValue = []string{e.etag}
	e.lengthValue = []string{strconv.Itoa(len(e.body))}
	if len(body) >= gzipMinBytes {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
		zw.Write(body)
		if zw.Close() == nil && buf.Len() <= len(body)*9/10 {
			e.gz = bytes.Clone(buf.Bytes())
			e.gzEtag = e.etag[:len(e.etag)-1] + `-gzip"`
			e.gzEtagValue = []string{e.gzEtag}
			e.gzLengthVal = []string{strconv.Itoa(len(e.gz))}
		}
	}
	return e
}

// Header values every cached answer carries. They are shared by all
// responses, which is safe because nothing changes a header value in
// place: Header.Set replaces the slice, Header.Add appends to one whose
// capacity is its length (so it copies), net/http writes a clone.
var (
	publicCacheControl = []string{"public, max-age=" + strconv.Itoa(int(responseCacheTTL.Seconds()))}
	cacheHit           = []string{"HIT"}
	cacheMiss          = []string{"MISS"}
	// varyOriginCached is what a cached answer's Vary is on /graphql,
	// where the CORS layer has put Origin (varyOrigin) first.
	varyOriginCached = []string{"Origin", varyCached}
)

// varyCached is what a cached answer depends on besides the URL.
const varyCached = "Accept, Accept-Encoding, Authorization, Cookie"

// responseCache keeps public GraphQL answers in a cache bounded by bytes
// (github.com/maypok86/otter: W-TinyLFU eviction by weight, expiry after
// responseCacheTTL). Expired entries are removed by the cache's own
// maintenance while it is used and by a clean-up timer that runs while it
// holds anything, so their memory is given back even when traffic stops.
type responseCache struct {
	svc     *app.Service
	entries *otter.Cache[string, *cachedResponse]
	now     func() time.Time
	ttl     time.Duration

	cleanMu      sync.Mutex
	cleanPending bool

	flight singleflight.Group
}

func newResponseCache(svc *app.Service, maxBytes int64) *responseCache {
	return newResponseCacheTTL(svc, maxBytes, responseCacheTTL)
}

func newResponseCacheTTL(svc *app.Service, maxBytes int64, ttl time.Duration) *responseCache {
	if maxBytes <= 0 {
		maxBytes = DefaultResponseCacheBytes
	}
	return &responseCache{svc: svc, now: time.Now, ttl: ttl, entries: otter.Must(&otter.Options[string, *cachedResponse]{
		MaximumWeight: uint64(maxBytes),
		Weigher: func(key string, e *cachedResponse) uint32 {
			return uint32(len(key) + len(e.body) + len(e.gz) + len(e.etag) + len(e.ctype) + cachedEntryOverhead)
		},
		ExpiryCalculator: otter.ExpiryWriting[string, *cachedResponse](ttl),
	})}
}

func (c *responseCache) get(key string, gen int64) *cachedResponse {
	e, ok := c.entries.GetIfPresent(key)
	if !ok {
		return nil
	}
	if e.gen != gen || c.now().After(e.expires) {
		c.entries.Invalidate(key)
		return nil
	}
	return e
}

func (c *responseCache) put(e *cachedResponse) {
	c.entries.Set(e.key, e)
	c.scheduleCleanUp()
}

// scheduleCleanUp makes sure a clean-up runs after the TTL; it runs again
// as long as entries remain, and stops when the cache is empty.
func (c *responseCache) scheduleCleanUp() {
	c.cleanMu.Lock()
	defer c.cleanMu.Unlock()
	if c.cleanPending {
		return
	}
	c.cleanPending = true
	time.AfterFunc(c.ttl+c.ttl/10, func() {
		c.entries.CleanUp()
		c.cleanMu.Lock()
		c.cleanPending = false
		c.cleanMu.Unlock()
		if c.entries.EstimatedSize() > 0 {
			c.scheduleCleanUp()
		}
	})
}

// wrap serves cacheable requests from the cache and fills it; every other
// request goes straight to next.
func (c *responseCache) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || app.UserFrom(r.Context()) != nil || r.URL.RawQuery == "" {
			next.ServeHTTP(w, r)
			return
		}
		key := r.Header.Get("Accept") + "\n" + r.URL.RawQuery
		gen := c.svc.ContentGeneration()
		if e := c.get(key, gen); e != nil {
			c.write(w, r, e, cacheHit)
			return
		}
		// Concurrent misses of one key run the query once.
		v, _, shared := c.flight.Do(key+"\n"+strconv.FormatInt(gen, 10), func() (any, error) {
			rec := &recorder{header: http.Header{}, status: http.StatusOK}
			next.ServeHTTP(rec, r)
			if rec.status != http.StatusOK || rec.body.Len() > responseCacheMaxBytes || hasErrors(rec.body.Bytes()) {
				return rec, nil
			}
			e := newCachedResponse(key, rec.body.Bytes(), rec.header.Get("Content-Type"), gen, c.now().Add(c.ttl))
			c.put(e)
			return e, nil
		})
		switch v := v.(type) {
		case *cachedResponse:
			c.write(w, r, v, cacheMiss)
		case *recorder:
			if shared {
				// Another request's uncacheable answer: run our own.
				next.ServeHTTP(w, r)
				return
			}
			copyHeader(w.Header(), v.header)
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(v.status)
			w.Write(v.body.Bytes())
		}
	})
}

// write answers from e. The header values are pre-built and assigned under
// their canonical keys (http.CanonicalHeaderKey: "Etag", "X-Cache"): a hit
// allocates nothing here.
func (c *responseCache) write(w http.ResponseWriter, r *http.Request, e *cachedResponse, state []string) {
	h := w.Header()
	h["Content-Type"] = e.ctypeValue
	h["Etag"] = e.etagValue
	h["Cache-Control"] = publicCacheControl
	// Added to what is there: the CORS layer put Origin first.
	switch v := h["Vary"]; {
	case len(v) == 1 && &v[0] == &varyOrigin[0]:
		h["Vary"] = varyOriginCached
	default:
		h["Vary"] = append(v, varyCached)
	}
	h["X-Cache"] = state
	gz := e.gz != nil && webapp.AcceptsGzip(r.Header.Get("Accept-Encoding"))
	if gz {
		h["Etag"] = e.gzEtagValue
		h["Content-Encoding"] = gzipEncoding
	}
	// Either representation's tag: the client holds the same answer.
	if inm := r.Header.Get("If-None-Match"); inm == e.etag || e.gz != nil && inm == e.gzEtag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if gz {
		h["Content-Length"] = e.gzLengthVal
		w.Write(e.gz)
		return
	}
	h["Content-Length"] = e.lengthValue
	w.Write(e.body)
}

var gzipEncoding = []string{"gzip"}

// hasErrors reports whether a GraphQL answer carries errors (never cached).
func hasErrors(body []byte) bool {
	var probe struct {
		Errors json.RawMessage `json:"errors"`
	}
	return json.Unmarshal(body, &probe) != nil || len(probe.Errors) > 0 && string(probe.Errors) != "null"
}

// recorder keeps a handler's answer in memory.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) WriteHeader(status int)      { r.status = status }
func (r *recorder) Write(p []byte) (int, error) { return r.body.Write(p) }

func copyHeader(dst, src http.Header) {
	for k, v := range src {
		dst[k] = v
	}
}
