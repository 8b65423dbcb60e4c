package metrics

import (
	"database/sql"
	"log/slog"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// Namespace prefixes every metric of Allot's own.
const Namespace = "allot"

// Metrics implements ports.Metrics on a Prometheus registry and serves it.
type Metrics struct {
	reg             *prometheus.Registry
	seriesCreated   *prometheus.CounterVec
	numbersDrawn    *prometheus.CounterVec
	numbersConsumed *prometheus.CounterVec
	tokensIssued    prometheus.Counter
	tokensConsumed  prometheus.Counter
	authFailures    *prometheus.CounterVec
	enrollmentLines *prometheus.CounterVec
	storeErrors     *prometheus.CounterVec
	httpRequests    *prometheus.CounterVec
	httpDuration    *prometheus.HistogramVec
}

var _ ports.Metrics = (*Metrics)(nil)

// New registers Allot's metrics, and the Go runtime and process
// collectors, on reg.
func New(reg *prometheus.Registry) *Metrics {
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Name: name, Help: help}, labels)
	}
	m := &Metrics{
		reg:             reg,
		seriesCreated:   counter("series_created_total", "Series stored, by organisation id.", "org_id"),
		numbersDrawn:    counter("numbers_drawn_total", "Numbers handed out by draws, by organisation id.", "org_id"),
		numbersConsumed: counter("numbers_consumed_total", "Drawn numbers marked consumed, by organisation id.", "org_id"),
		tokensIssued: prometheus.NewCounter(prometheus.CounterOpts{Namespace: Namespace, Name: "bss_tokens_issued_total",
			Help: "BSS API tokens issued (by authenticate and by every call that spent one)."}),
		tokensConsumed: prometheus.NewCounter(prometheus.CounterOpts{Namespace: Namespace, Name: "bss_tokens_consumed_total",
			Help: "BSS API tokens presented and spent."}),
		authFailures:    counter("auth_failures_total", "Refused authentications and authorisations, by API (series, bss, dashboard) and fault reason.", "api", "reason"),
		enrollmentLines: counter("enrollment_lines_created_total", "Enrollment lines stored, by the status they start in.", "status"),
		storeErrors:     counter("store_errors_total", "Database failures the store returned, by fault code.", "code"),
		httpRequests:    counter("http_requests_total", "HTTP requests answered, by route template, method and status.", "route", "method", "status"),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace, Name: "http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route template, method and status.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "method", "status"}),
	}
	reg.MustRegister(
		m.seriesCreated, m.numbersDrawn, m.numbersConsumed, m.tokensIssued, m.tokensConsumed,
		m.authFailures, m.enrollmentLines, m.storeErrors, m.httpRequests, m.httpDuration,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	// The series of a closed label set start at zero, so that a rate or an
	// alert on them has a baseline before the first event.
	for _, s := range []enrollment.LineStatus{enrollment.StatusQueued, enrollment.StatusAttached} {
		m.enrollmentLines.WithLabelValues(string(s))
	}
	for _, c := range []fault.Code{fault.Unavailable, fault.Internal} {
		m.storeErrors.WithLabelValues(string(c))
	}
	return m
}

// WatchPools exports the statistics of each pool (database/sql DBStats) as
// the go_sql_* metrics, labelled db_name with the pool's name.
func (m *Metrics) WatchPools(pools map[string]*sql.DB) error {
	names := make([]string, 0, len(pools))
	for name := range pools {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := m.reg.Register(collectors.NewDBStatsCollector(pools[name], name)); err != nil {
			return err
		}
	}
	return nil
}

// WatchStock exports, at every scrape, the limit owner and item pairs with
// the least stock left that r reports (see StockCollector).
func (m *Metrics) WatchStock(r ports.StockReader, limit int) error {
	return m.reg.Register(NewStockCollector(r, limit, DefaultStockTimeout))
}

// WatchQueue exports, at every scrape, the provisioning queue's depth and
// the age of its oldest job that r reports (see QueueCollector).
func (m *Metrics) WatchQueue(r ports.QueueReader) error {
	return m.reg.Register(NewQueueCollector(r, DefaultStockTimeout))
}

// Handler serves the registry in the Prometheus text (or OpenMetrics)
// format. A collector that fails (the stock query while the database is
// down) leaves its metrics out of that scrape and the rest is still
// served, so that the pool and error metrics stay visible when they matter
// most. Such failures are logged on log at warn level; a nil log discards
// them.
func (m *Metrics) Handler(log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorHandling:     promhttp.ContinueOnError,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		Registry:          m.reg,
		EnableOpenMetrics: true,
		Timeout:           DefaultStockTimeout + 5*time.Second,
	}))
	return mux
}

func orgLabel(org tenant.OrgID) string { return strconv.FormatInt(int64(org), 10) }

// SeriesCreated implements ports.Metrics.
func (m *Metrics) SeriesCreated(org tenant.OrgID) {
	m.seriesCreated.WithLabelValues(orgLabel(org)).Inc()
}

// NumbersDrawn implements ports.Metrics.
func (m *Metrics) NumbersDrawn(org tenant.OrgID, n uint64) {
	m.numbersDrawn.WithLabelValues(orgLabel(org)).Add(float64(n))
}

// NumbersConsumed implements ports.Metrics.
func (m *Metrics) NumbersConsumed(org tenant.OrgID, n uint64) {
	m.numbersConsumed.WithLabelValues(orgLabel(org)).Add(float64(n))
}

// TokenIssued implements ports.Metrics.
func (m *Metrics) TokenIssued() { m.tokensIssued.Inc() }

// TokenConsumed implements ports.Metrics.
func (m *Metrics) TokenConsumed() { m.tokensConsumed.Inc() }

// AuthFailed implements ports.Metrics.
func (m *Metrics) AuthFailed(api ports.AuthAPI, reason string) {
	if reason == "" {
		reason = "UNSPECIFIED"
	}
	m.authFailures.WithLabelValues(string(api), reason).Inc()
}

// EnrollmentLineCreated implements ports.Metrics.
func (m *Metrics) EnrollmentLineCreated(status enrollment.LineStatus) {
	m.enrollmentLines.WithLabelValues(string(status)).Inc()
}

// StoreError implements ports.Metrics.
func (m *Metrics) StoreError(code fault.Code) { m.storeErrors.WithLabelValues(string(code)).Inc() }
