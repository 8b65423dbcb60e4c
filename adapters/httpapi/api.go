package httpapi

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/allot-io/allot/ports"
)

// SeriesPath is the prefix of every series route; the contract fixes it.
const SeriesPath = "/api/client/integration/virtualseries"

// DefaultMaxBodyBytes is the request body limit used when Config leaves it
// zero: 1 MiB, as the specification requires.
const DefaultMaxBodyBytes int64 = 1 << 20

// DefaultReadyTimeout bounds a readiness probe when Config leaves it zero.
const DefaultReadyTimeout = 2 * time.Second

// Config tunes the HTTP API. The zero Config is valid.
type Config struct {
	// MaxBodyBytes is the largest request body accepted; a larger one gets
	// 413. Zero or negative means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// ReadyTimeout bounds how long /readyz waits for Health.Ready. Zero or
	// negative means DefaultReadyTimeout.
	ReadyTimeout time.Duration
	// Observe, when not nil, runs first on every request, around all other
	// middleware, dashboard routes included: the hook for request metrics.
	Observe gin.HandlerFunc
	// Metrics counts the authentication failures decided here, before the
	// use cases are reached (a missing key, a scheme other than Basic);
	// nil records nothing.
	Metrics ports.Metrics
}

func (c Config) withDefaults() Config {
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.ReadyTimeout <= 0 {
		c.ReadyTimeout = DefaultReadyTimeout
	}
	if c.Metrics == nil {
		c.Metrics = ports.NopMetrics{}
	}
	return c
}

// API is the HTTP API: a gin engine with the series routes, the BSS
// enrollment routes, health probes and the shared middleware (request log,
// panic recovery, body limit). It is an http.Handler.
type API struct {
	cfg    Config
	svc    ports.Services
	log    *slog.Logger
	engine *gin.Engine
}

var _ http.Handler = (*API)(nil)

// New builds the API over svc. svc.Auth and svc.Series are required;
// svc.Idempotency may be nil (the Idempotency-Key header is then ignored),
// so may svc.Health (the service is then always ready) and so may
// svc.Enrollment (the BSS enrollment API is then not served). A nil log
// discards log output.
//
// New puts gin in release mode, which is process-wide: gin's debug mode
// prints every route and warning to stdout, outside our structured log.
func New(cfg Config, svc ports.Services, log *slog.Logger) *API {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &API{cfg: cfg.withDefaults(), svc: svc, log: log}

	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	// Trusting no proxy makes ClientIP the peer address: by default gin
	// believes any X-Forwarded-For, which lets a client forge its address in
	// our logs. With a nil list this cannot fail; a failure would mean gin
	// changed under us, which must not go unnoticed.
	if err := e.SetTrustedProxies(nil); err != nil {
		panic("httpapi: SetTrustedProxies(nil): " + err.Error())
	}
	// Without this a wrong method is a 404; clients deserve a 405 and Allow.
	e.HandleMethodNotAllowed = true
	// Redirects are answered by gin before any middleware runs, so they
	// would be neither logged nor JSON; an API client gets a JSON 404 instead.
	e.RedirectTrailingSlash = false
	e.RedirectFixedPath = false
	e.ContextWithFallback = true

	if a.cfg.Observe != nil {
		e.Use(a.cfg.Observe)
	}
	e.Use(
		a.logRequests,
		// A nil writer keeps gin from printing its own report (with request
		// headers) to stderr; a.recovered logs through slog instead.
		gin.CustomRecoveryWithWriter(nil, a.recovered),
		a.limitBody,
	)
	e.NoRoute(a.noRoute)
	e.NoMethod(a.noMethod)

	e.GET("/healthz", a.healthz)
	e.GET("/readyz", a.readyz)
	a.openapiRoutes(e)
	a.seriesRoutes(e.Group(SeriesPath))
	if a.servesBSS() {
		a.enrollmentRoutes(e)
	}
	if svc.CarrierCallbacks != nil {
		a.carrierRoutes(e)
	}

	a.engine = e
	return a
}

// Engine returns the underlying gin engine so that the composition root can
// register further route groups (they inherit the request log, recovery and
// body limit). Routes must be added before the API serves its first request.
func (a *API) Engine() *gin.Engine { return a.engine }

// Mount serves h at path and below, for every method, behind the API's
// request log, recovery and body limit: the composition root mounts the
// dashboard so. Like routes, mounts are made before the API serves.
func (a *API) Mount(path string, h http.Handler) {
	wrapped := gin.WrapH(h)
	a.engine.Any(path, wrapped)
	a.engine.Any(path+"/*rest", wrapped)
}

// ServeHTTP implements http.Handler. BSS module and series paths are
// tolerant, as the vendors' live services are: repeated slashes collapse
// and a trailing slash is ignored (a reference BSS client joins its base
// URL with "/", sending POST //authenticate), see tolerantPath.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if p, ok := tolerantPath(r.URL.Path); ok {
		r2 := *r
		u := *r.URL
		u.Path, u.RawPath = p, ""
		r2.URL = &u
		r = &r2
	}
	a.engine.ServeHTTP(w, r)
}

// tolerantPath returns p with runs of slashes collapsed and a trailing
// slash removed, and ok when that changed p and the result is a path of
// the APIs' own: "/", a single segment (a BSS module, known or not, so
// that an unknown one is answered RESTAPI105) or the series prefix and
// below. Other paths (the dashboard's) are left exactly as sent.
func tolerantPath(p string) (string, bool) {
	if !strings.Contains(p, "//") && (len(p) <= 1 || !strings.HasSuffix(p, "/")) {
		return p, false
	}
	b := make([]byte, 0, len(p))
	for i := 0; i < len(p); i++ {
		if p[i] == '/' && len(b) > 0 && b[len(b)-1] == '/' {
			continue
		}
		b = append(b, p[i])
	}
	q := string(b)
	if len(q) > 1 {
		q = strings.TrimSuffix(q, "/")
	}
	if q == p {
		return p, false
	}
	if q == "/" || isSingleSegment(q) || q == SeriesPath || strings.HasPrefix(q, SeriesPath+"/") {
		return q, true
	}
	return p, false
}

// seriesRoutes registers the series API on g. Writes go through the
// idempotency middleware; everything is authenticated first, so that the
// organisation scoping an Idempotency-Key comes from the credential.
func (a *API) seriesRoutes(g *gin.RouterGroup) {
	g.Use(a.checkQuery, a.authenticate)
	// The list answers with and without the trailing slash, since trailing
	// slash redirects are off.
	g.GET("", a.listSeries)
	g.GET("/", a.listSeries)
	g.GET("/lookup", a.lookupSeries)

	w := g.Group("", a.idempotent)
	w.POST("/create", a.createSeries)
	w.POST("/next", a.nextNumbers)
	w.POST("/delete", a.deleteSeriesBulk)
	w.DELETE("/:id", a.deleteSeries)
	a.numberRoutes(g, w)
}
