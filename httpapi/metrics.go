package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/stillroom/stillroom/core"
)

// Limits of the metrics.
const (
	// maxOperationNames bounds the GraphQL operation names used as label
	// values: clients choose the names, so later ones count as "other".
	maxOperationNames = 200
	// maxOperationNameLen is the longest operation name used as a label.
	maxOperationNameLen = 100
	// queueStatsTimeout bounds the queue query of one scrape.
	queueStatsTimeout = 2 * time.Second
)

// Label values that are not taken from requests.
const (
	opAnonymous = "anonymous" // an operation without a name
	opOther     = "other"     // past maxOperationNames
	opNone      = "none"      // refused before an operation ran (parse, validation)
	routeNone   = "unmatched" // no route: 404 or 405
)

// Buckets of the latency histograms, in seconds.
var (
	requestBuckets   = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}
	renditionBuckets = []float64{.05, .1, .25, .5, 1, 2, 5, 10, 30, 60, 120}
)

// QueueStats reports the processing queue: how many jobs are queued or
// running, and how long the oldest has been due. It is called at every
// scrape of /metrics.
type QueueStats func(ctx context.Context) (depth int64, oldestAge time.Duration, err error)

// metrics is one server's Prometheus instrumentation. Each server has its
// own registry, so servers started by tests in one process never collide.
type metrics struct {
	reg          *prometheus.Registry
	httpRequests *prometheus.CounterVec   // method, route, status
	httpDuration *prometheus.HistogramVec // method, route, status
	httpInFlight prometheus.Gauge
	uploadBytes  prometheus.Counter
	gqlDuration  *prometheus.HistogramVec // operation, type
	gqlErrors    *prometheus.CounterVec   // operation, code
	gqlSubs      prometheus.Gauge
	renditions   *prometheus.HistogramVec // result
	storeErrors  *prometheus.CounterVec   // store
	log          *slog.Logger

	mu      sync.Mutex
	opNames map[string]bool

	// series are the request counter and histogram of each label set
	// seen, resolved once: a request then costs one map lookup, not two
	// label hashes. As bounded as the labels (methodLabel, the mux's
	// patterns, the statuses our handlers send).
	seriesMu sync.RWMutex
	series   map[seriesKey]requestSeries
}

type seriesKey struct {
	method, route string
	status        int
}

type requestSeries struct {
	count    prometheus.Counter
	duration prometheus.Observer
}

// newMetrics registers every series. queue may be nil: the queue gauges are
// then absent.
func newMetrics(log *slog.Logger, queue QueueStats) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stillroom_http_requests_total",
			Help: "HTTP requests answered, by method, route pattern and status.",
		}, []string{"method", "route", "status"}),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "stillroom_http_request_duration_seconds",
			Help:    "Time from a request's arrival to its handler's return, by method, route pattern and status.",
			Buckets: requestBuckets,
		}, []string{"method", "route", "status"}),
		httpInFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "stillroom_http_requests_in_flight",
			Help: "HTTP requests being handled (subscriptions included).",
		}),
		uploadBytes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "stillroom_upload_bytes_total",
			Help: "Bytes of upload request bodies read (multipart GraphQL requests and direct PUT uploads), refused uploads included.",
		}),
		gqlDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "stillroom_graphql_operation_duration_seconds",
			Help:    "Time to execute a GraphQL query or mutation (after the request is read and parsed), by operation name and type.",
			Buckets: requestBuckets,
		}, []string{"operation", "type"}),
		gqlErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stillroom_graphql_errors_total",
			Help: `GraphQL errors returned, by operation name ("none" when refused before running) and extensions.code.`,
		}, []string{"operation", "code"}),
		gqlSubs: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "stillroom_graphql_subscriptions",
			Help: "GraphQL subscriptions open: counted once their resolver has subscribed, until their stream ends.",
		}),
		renditions: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "stillroom_rendition_duration_seconds",
			Help:    `Time to make and store every rendition of one asset, by result ("ok", "interrupted" or the error code).`,
			Buckets: renditionBuckets,
		}, []string{"result"}),
		storeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stillroom_store_errors_total",
			Help: `Failed store checks, by store ("db" or "objects"): /readyz pings and queue queries.`,
		}, []string{"store"}),
		log:     log,
		opNames: map[string]bool{},
		series:  map[seriesKey]requestSeries{},
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewBuildInfoCollector(),
		m.httpRequests, m.httpDuration, m.httpInFlight, m.uploadBytes,
		m.gqlDuration, m.gqlErrors, m.gqlSubs, m.renditions, m.storeErrors,
	)
	// Present from the start, so rate() and alerts see a zero before the
	// first failure.
	for _, s := range []string{storeDB, storeObjects} {
		m.storeErrors.WithLabelValues(s)
	}
	if queue != nil {
		m.reg.MustRegister(&queueCollector{stats: queue, m: m})
	}
	return m
}

// watchResponseCache adds the public read cache's gauges: what it holds,
// in bytes as it weighs them (bounded by STILLROOM_RESPONSE_CACHE_BYTES)
// and in answers. Read at each scrape; one cache per server.
func (m *metrics) watchResponseCache(c *responseCache) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "stillroom_response_cache_bytes",
			Help: "Bytes the public read cache holds: its answers, their gzipped copies, keys and per-entry overhead (at most STILLROOM_RESPONSE_CACHE_BYTES).",
		}, func() float64 { return float64(c.entries.WeightedSize()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "stillroom_response_cache_entries",
			Help: "Answers the public read cache holds.",
		}, func() float64 { return float64(c.entries.EstimatedSize()) }),
	)
}

// handler serves the registry in the Prometheus text format.
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(m.log.Handler(), slog.LevelWarn),
		ErrorHandling: promhttp.ContinueOnError,
	})
}

// observeRequest records one answered HTTP request.
func (m *metrics) observeRequest(method, route string, status int, elapsed time.Duration) {
	k := seriesKey{methodLabel(method), route, status}
	m.seriesMu.RLock()
	s, ok := m.series[k]
	m.seriesMu.RUnlock()
	if !ok {
		labels := []string{k.method, k.route, strconv.Itoa(k.status)}
		s = requestSeries{m.httpRequests.WithLabelValues(labels...), m.httpDuration.WithLabelValues(labels...)}
		m.seriesMu.Lock()
		m.series[k] = s
		m.seriesMu.Unlock()
	}
	s.count.Inc()
	s.duration.Observe(elapsed.Seconds())
}

// storeFailed counts one failed check of a store.
func (m *metrics) storeFailed(store string) {
	m.storeErrors.WithLabelValues(store).Inc()
}

// RenditionsMade records one asset's processing: reading the original,
// making every rendition and storing them. err is what processing
// returned. The app calls it (app.Config.Observer).
func (m *metrics) RenditionsMade(elapsed time.Duration, err error) {
	result := "ok"
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		result = "interrupted"
	case err != nil:
		result = string(core.ErrorCode(err))
	}
	m.renditions.WithLabelValues(result).Observe(elapsed.Seconds())
}

// operationLabel is the label value for a client-chosen operation name:
// the name itself for the first maxOperationNames names seen, so a client
// cannot grow the series without bound.
func (m *metrics) operationLabel(name string) string {
	if name == "" {
		return opAnonymous
	}
	if len(name) > maxOperationNameLen {
		return opOther
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.opNames[name] {
		return name
	}
	if len(m.opNames) >= maxOperationNames {
		return opOther
	}
	m.opNames[name] = true
	return name
}

// countErrors counts a response's errors by extensions.code.
func (m *metrics) countErrors(op string, resp *graphql.Response) {
	for _, e := range resp.Errors {
		code, _ := e.Extensions["code"].(string)
		if code == "" {
			code = "UNKNOWN"
		}
		m.gqlErrors.WithLabelValues(op, code).Inc()
	}
}

// methodLabel keeps the method label to the methods HTTP defines.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return "OTHER"
}

// routeLabel turns a ServeMux pattern ("GET /media/{asset}/{rendition}")
// into the route label ("/media/{asset}/{rendition}"); the method has its
// own label.
func routeLabel(pattern string) string {
	if pattern == "" {
		return routeNone
	}
	if i := strings.IndexByte(pattern, ' '); i >= 0 {
		pattern = strings.TrimLeft(pattern[i+1:], " \t")
	}
	return pattern
}

// queueCollector reads the queue gauges at scrape time.
type queueCollector struct {
	stats QueueStats
	m     *metrics
}

var (
	queueDepthDesc = prometheus.NewDesc("stillroom_queue_depth",
		"Processing jobs queued or running, all processes together.", nil, nil)
	queueAgeDesc = prometheus.NewDesc("stillroom_queue_oldest_job_age_seconds",
		"How long the oldest due processing job has waited (0 when the queue is empty).", nil, nil)
)

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- queueDepthDesc
	ch <- queueAgeDesc
}

// Collect leaves the gauges out of a scrape when the queue cannot be
// read, and counts a database error.
func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), queueStatsTimeout)
	defer cancel()
	depth, age, err := c.stats(ctx)
	if err != nil {
		c.m.storeFailed(storeDB)
		c.m.log.Warn("metrics: queue stats", "err", err)
		return
	}
	ch <- prometheus.MustNewConstMetric(queueDepthDesc, prometheus.GaugeValue, float64(depth))
	ch <- prometheus.MustNewConstMetric(queueAgeDesc, prometheus.GaugeValue, age.Seconds())
}

// graphqlMetrics is the gqlgen extension that times operations and counts
// their errors by extensions.code. It holds nothing: it reports to the
// metrics of the request it runs in (see observability.middleware), so
// newGraphQL adds it with srv.Use(graphqlMetrics{}). Without that
// middleware it does nothing.
type graphqlMetrics struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
	graphql.ResponseInterceptor
} = graphqlMetrics{}

// inOperation marks the context of responses of an operation that
// InterceptOperation already counts.
type inOperation struct{}

func (graphqlMetrics) ExtensionName() string                   { return "StillroomMetrics" }
func (graphqlMetrics) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptOperation times queries and mutations from the start of their
// execution to their response, counts the errors of every response (each
// event of a subscription), and counts open subscriptions: next has run
// the subscription's resolver (gqlgen's executor calls it to get its
// channel), so a subscription is counted once it listens.
func (graphqlMetrics) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	rec := recordFrom(ctx)
	if rec == nil || !graphql.HasOperationContext(ctx) || graphql.GetOperationContext(ctx).Operation == nil {
		return next(ctx)
	}
	oc := graphql.GetOperationContext(ctx)
	rec.setOperation(oc.Operation.Name)
	m := rec.metrics
	op, kind := m.operationLabel(oc.Operation.Name), string(oc.Operation.Operation)
	start := time.Now()
	h := next(ctx)
	subscription := oc.Operation.Operation == ast.Subscription
	if subscription {
		m.gqlSubs.Inc()
	}
	timed := subscription // subscriptions are not timed
	return func(ctx context.Context) *graphql.Response {
		resp := h(context.WithValue(ctx, inOperation{}, true))
		if resp == nil {
			if subscription {
				subscription = false // the stream ended: counted down once
				m.gqlSubs.Dec()
			}
			return nil
		}
		if !timed {
			timed = true
			m.gqlDuration.WithLabelValues(op, kind).Observe(time.Since(start).Seconds())
		}
		m.countErrors(op, resp)
		return resp
	}
}

// InterceptResponse counts the errors of requests refused before an
// operation ran: parse and validation errors, unknown persisted queries.
func (graphqlMetrics) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	rec := recordFrom(ctx)
	if resp == nil || rec == nil || ctx.Value(inOperation{}) != nil {
		return resp
	}
	op := opNone
	if graphql.HasOperationContext(ctx) {
		if oc := graphql.GetOperationContext(ctx); oc.Operation != nil {
			op = rec.metrics.operationLabel(oc.Operation.Name)
		}
	}
	rec.metrics.countErrors(op, resp)
	return resp
}
