package dashboard

import (
	"bytes"
	"crypto/rand"
	"embed"
	"github.com/allot-io/allot/domain/page"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/text"
	"github.com/allot-io/allot/ports"
)

// Path is where the dashboard is served.
const Path = "/dashboard"

// DefaultPageSize is how many customers or series a page lists when Config
// leaves PageSize zero.
const DefaultPageSize = page.Default

// maxFormBytes bounds a form post: the largest, a bulk delete of a full
// page, is a few kilobytes.
const maxFormBytes = 64 << 10

//go:embed templates/*.html static/*
var files embed.FS

// Config tunes the dashboard. The zero Config is valid.
type Config struct {
	// Limits must be those the series use cases enforce: the count shown
	// while typing applies them, so that it never promises what Add
	// series then refuses.
	Limits series.Limits
	// SecureCookies marks cookies Secure even on plain HTTP, for a server
	// behind a proxy that terminates TLS. Over TLS they always are.
	SecureCookies bool
	// PageSize is how many customers or series a page lists; 0 means
	// DefaultPageSize.
	PageSize int
}

// Dashboard is the operators' dashboard. Register its routes on a gin
// router with Register.
type Dashboard struct {
	cfg    Config
	svc    ports.Services
	log    *slog.Logger
	pages  map[string]*template.Template
	random io.Reader
}

// The pages; each is a template file rendered inside layout.html.
const (
	pageSignIn    = "signin.html"
	pageCustomers = "customers.html"
	pageAllot     = "allot.html"
	pageConfirm   = "confirm.html"
	pageError     = "error.html"
)

// New returns the dashboard over svc, which must provide Operators,
// Customers, ServiceTypes and Series. A nil log discards log output.
func New(cfg Config, svc ports.Services, log *slog.Logger) *Dashboard {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = DefaultPageSize
	}
	funcs := template.FuncMap{
		"pathEscape": url.PathEscape,
		"join":       strings.Join,
	}
	pages := map[string]*template.Template{}
	for _, p := range []string{pageSignIn, pageCustomers, pageAllot, pageConfirm, pageError, pageOrders, pageLines, pageLine} {
		// The templates are compiled into the binary, so a parse error is
		// a programming error that every test run reveals.
		pages[p] = template.Must(template.New(p).Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/"+p))
	}
	return &Dashboard{cfg: cfg, svc: svc, log: log, pages: pages, random: rand.Reader}
}

// Handler returns the dashboard as an http.Handler of its own, serving
// Path and below, to be mounted on a server (the composition root mounts
// it on the API's). Its unknown paths get the dashboard's HTML "not found"
// page, not an API error.
func (d *Dashboard) Handler() http.Handler {
	e := gin.New()
	// ClientIP is the peer address, as on the API's engine: the sign-in
	// lockout counts by it, and a forged X-Forwarded-For must not move it.
	if err := e.SetTrustedProxies(nil); err != nil {
		panic("dashboard: SetTrustedProxies(nil): " + err.Error())
	}
	e.RedirectTrailingSlash = false
	e.RedirectFixedPath = false
	e.ContextWithFallback = true
	e.NoRoute(d.secureHeaders, func(c *gin.Context) {
		d.renderError(c, http.StatusNotFound, "Not found", "There is no dashboard page at this address.")
	})
	d.Register(e)
	return e
}

// Register adds the dashboard's routes under Path to r. They inherit r's
// middleware (mounted on the HTTP API by Handler: the request log, panic
// recovery and body limit).
func (d *Dashboard) Register(r gin.IRouter) {
	g := r.Group(Path, d.secureHeaders, limitForm, d.rejectControl)
	g.GET("", d.home)
	g.GET("/", d.home)
	g.GET("/static/*file", d.asset)
	g.GET("/signin", d.signInPage)
	g.POST("/signin", d.signIn)

	a := g.Group("", d.requireSession)
	a.POST("/signout", d.checkCSRF, d.signOut)
	a.GET("/customers", d.customers)
	a.GET("/customers/:code/series", d.allotment)
	a.POST("/customers/:code/series", d.checkCSRF, d.addSeries)
	a.POST("/customers/:code/series/delete", d.checkCSRF, d.deleteSeries)
	a.POST("/customers/:code/series/numbers", d.checkCSRF, d.markNumbers)
	a.GET("/count", d.count)
	a.GET("/orders", d.orders)
	a.GET("/lines", d.lines)
	a.GET("/lines/:id", d.line)
	a.POST("/lines/:id/retry", d.checkCSRF, d.retryLine)
	a.POST("/lines/:id/cancel", d.checkCSRF, d.cancelLine)
}

// contentSecurityPolicy allows this origin's scripts, styles and requests
// only: no inline code, no other origin, no framing.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// secureHeaders sets the headers every dashboard response carries. Pages
// show an organisation's data, so no cache may keep them.
func (d *Dashboard) secureHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	c.Next()
}

// limitForm caps a request body at maxFormBytes, below any limit of the
// engine the dashboard is registered on.
func limitForm(c *gin.Context) {
	if c.Request.Body != nil && c.Request.Body != http.NoBody {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxFormBytes)
	}
	c.Next()
}

// rejectControl is the one place where every input of the dashboard is
// checked for control characters (U+0000 included), before any page
// runs: path parameters, query values and form fields. None can be part of
// a code, a name, a number or a password, and PostgreSQL refuses U+0000 in
// text outright; the answer is an ordinary 400 page naming the field.
func (d *Dashboard) rejectControl(c *gin.Context) {
	bad := func(field string) {
		d.renderError(c, http.StatusBadRequest, "Invalid input", clipField(field)+" must not contain control characters")
	}
	for _, p := range c.Params {
		if text.HasControl(p.Value) {
			bad(p.Key)
			return
		}
	}
	// ParseForm reads the query and, for a POST form, the body (within
	// limitForm's cap); the handlers read the same parsed values.
	if err := c.Request.ParseForm(); err != nil {
		d.renderError(c, http.StatusBadRequest, "Invalid input", "The form could not be read.")
		return
	}
	for name, values := range c.Request.Form {
		if text.HasControl(name) {
			bad("a field name")
			return
		}
		for _, v := range values {
			if name == multiLineField {
				// Line breaks and tabs separate the numbers pasted or
				// scanned into the number form's text area.
				v = strings.Map(func(r rune) rune {
					if r == '\n' || r == '\r' || r == '\t' {
						return ' '
					}
					return r
				}, v)
			}
			if text.HasControl(v) {
				bad(name)
				return
			}
		}
	}
	c.Next()
}

// clipField shortens a field name shown back on a page.
func clipField(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// home sends the operator to Customer Management, or to sign in first.
func (d *Dashboard) home(c *gin.Context) {
	c.Redirect(http.StatusSeeOther, Path+"/customers")
}

// asset serves an embedded file of static/.
func (d *Dashboard) asset(c *gin.Context) {
	name := strings.TrimPrefix(c.Param("file"), "/")
	b, err := fs.ReadFile(files, "static/"+name)
	if err != nil || name == "" {
		c.String(http.StatusNotFound, "not found")
		return
	}
	c.Header("Cache-Control", "public, max-age=300")
	c.Data(http.StatusOK, mime.TypeByExtension(path.Ext(name)), b)
}

// view is what every page template receives.
type view struct {
	Base  string
	Title string
	// Session is the signed-in operator; nil on the sign-in page.
	Session *ports.OperatorSession
	// Notice reports a success; Alert a failure.
	Notice string
	Alert  string
	// Data is the page's own data.
	Data any
}

// render writes page with v and status. The page is rendered into a
// buffer first, so that a template failure never sends half a page.
func (d *Dashboard) render(c *gin.Context, status int, page string, v view) {
	v.Base = Path
	if v.Session == nil {
		if s, ok := sessionOf(c); ok {
			v.Session = &s
		}
	}
	var buf bytes.Buffer
	if err := d.pages[page].ExecuteTemplate(&buf, "layout", v); err != nil {
		d.log.ErrorContext(c.Request.Context(), "dashboard template failed", "page", page, "error", err)
		c.String(http.StatusInternalServerError, "internal error")
		return
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// pageNumber reads the 1-based ?page= of a listing.
func pageNumber(c *gin.Context) int {
	n, err := strconv.Atoi(c.Query("page"))
	if err != nil || n < 1 || n > 1_000_000 {
		return 1
	}
	return n
}

// pager links the neighbours of page n of a listing at base (a path with
// its query), hasNext telling whether there is a page after n.
type pager struct {
	Prev, Next string
	Page       int
}

func newPager(base url.Values, at string, n int, hasNext bool) pager {
	link := func(page int) string {
		q := url.Values{}
		for k, v := range base {
			q[k] = v
		}
		if page > 1 {
			q.Set("page", strconv.Itoa(page))
		}
		if len(q) == 0 {
			return at
		}
		return at + "?" + q.Encode()
	}
	p := pager{Page: n}
	if n > 1 {
		p.Prev = link(n - 1)
	}
	if hasNext {
		p.Next = link(n + 1)
	}
	return p
}

// dateOfIssue formats a series' creation time as the table shows it.
func dateOfIssue(t time.Time) string { return t.UTC().Format("2006-01-02") }
