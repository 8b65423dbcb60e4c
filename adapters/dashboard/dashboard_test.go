package dashboard

import (
	"crypto/tls"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/operator"
	"github.com/allot-io/allot/domain/series"
)

type harness struct {
	f   *fakes
	cfg Config
	h   http.Handler
}

func newHarness(t *testing.T, cfg Config) *harness {
	t.Helper()
	gin.SetMode(gin.TestMode)
	f := newFakes()
	e := gin.New()
	New(cfg, f.services(), nil).Register(e)
	// Tenancy: every call a page makes is for the session's organisation.
	t.Cleanup(func() {
		for _, org := range f.orgsAsked {
			if org != testOrg {
				t.Errorf("a service was asked for organisation %d, not the session's %d", org, testOrg)
			}
		}
	})
	return &harness{f: f, cfg: cfg, h: e}
}

// do sends a request; a non-nil form makes it a POST. signedIn adds the
// session cookie.
func (h *harness) do(t *testing.T, method, target string, form url.Values, signedIn bool, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	t.Helper()
	var req *http.Request
	if form != nil {
		req = httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, target, nil)
	}
	if signedIn {
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: testSession})
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	w := httptest.NewRecorder()
	h.h.ServeHTTP(w, req)
	return w
}

func (h *harness) get(t *testing.T, target string) *httptest.ResponseRecorder {
	t.Helper()
	return h.do(t, http.MethodGet, target, nil, true)
}

func (h *harness) post(t *testing.T, target string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	if form.Get(csrfField) == "" {
		form.Set(csrfField, testCSRF)
	}
	return h.do(t, http.MethodPost, target, form, true)
}

func cookieOf(w *httptest.ResponseRecorder, name string) *http.Cookie {
	for _, c := range w.Result().Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func wantStatus(t *testing.T, w *httptest.ResponseRecorder, status int) {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status %d, want %d; body:\n%s", w.Code, status, w.Body.String())
	}
}

func wantBody(t *testing.T, w *httptest.ResponseRecorder, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(w.Body.String(), p) {
			t.Errorf("body lacks %q:\n%s", p, w.Body.String())
		}
	}
}

var hiddenCSRF = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func TestSignedOutIsSentToSignIn(t *testing.T) {
	h := newHarness(t, Config{})
	for _, path := range []string{"/dashboard", "/dashboard/", "/dashboard/customers", "/dashboard/customers/SL1981/series"} {
		for _, signedIn := range []bool{false, true} {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			if signedIn {
				// An unknown (ended) session is the same as none.
				req.AddCookie(&http.Cookie{Name: sessionCookie, Value: "ended-session"})
			}
			w := httptest.NewRecorder()
			h.h.ServeHTTP(w, req)
			if path == "/dashboard" || path == "/dashboard/" {
				if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/dashboard/customers" {
					t.Errorf("GET %s = %d %s", path, w.Code, w.Header().Get("Location"))
				}
				continue
			}
			if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/dashboard/signin" {
				t.Errorf("GET %s (cookie %v) = %d to %q", path, signedIn, w.Code, w.Header().Get("Location"))
			}
		}
	}
	w := h.do(t, http.MethodPost, "/dashboard/customers/SL1981/series", url.Values{"start": {"V1"}}, false)
	if w.Code != http.StatusSeeOther || len(h.f.specs) != 0 {
		t.Errorf("signed-out POST = %d, specs %v", w.Code, h.f.specs)
	}
	w = h.do(t, http.MethodGet, "/dashboard/count?start=V1&end=V9", nil, false)
	wantStatus(t, w, http.StatusUnauthorized)
}

func TestSignIn(t *testing.T) {
	h := newHarness(t, Config{})
	w := h.do(t, http.MethodGet, "/dashboard/signin", nil, false)
	wantStatus(t, w, http.StatusOK)
	form := cookieOf(w, signInCookie)
	if form == nil || !form.HttpOnly || form.SameSite != http.SameSiteStrictMode || form.Path != "/dashboard/signin" || form.Secure {
		t.Fatalf("sign-in form cookie = %+v", form)
	}
	m := hiddenCSRF.FindStringSubmatch(w.Body.String())
	if m == nil || m[1] != form.Value {
		t.Fatalf("the form's token %v is not the cookie's %q", m, form.Value)
	}
	wantBody(t, w, `<label for="email">`, `<label for="password">`)

	// Without the form's token (a forged form), the service is not asked.
	for _, c := range []*http.Cookie{nil, {Name: signInCookie, Value: "other"}} {
		cookies := []*http.Cookie{}
		if c != nil {
			cookies = append(cookies, c)
		}
		w = h.do(t, http.MethodPost, "/dashboard/signin", url.Values{csrfField: {form.Value}, "email": {testEmail}, "password": {testPassword}}, false, cookies...)
		wantStatus(t, w, http.StatusForbidden)
	}
	if len(h.f.signIns) != 0 {
		t.Fatalf("a forged sign-in reached the service: %v", h.f.signIns)
	}

	// A wrong password: the email is kept, the password is not.
	w = h.do(t, http.MethodPost, "/dashboard/signin", url.Values{csrfField: {form.Value}, "email": {testEmail}, "password": {"wrong password"}}, false, form)
	wantStatus(t, w, http.StatusUnauthorized)
	wantBody(t, w, operator.MsgCredentials, `value="`+testEmail+`"`)
	if strings.Contains(w.Body.String(), "wrong password") {
		t.Error("the password is echoed")
	}

	// Success: a session cookie for the dashboard only.
	w = h.do(t, http.MethodPost, "/dashboard/signin", url.Values{csrfField: {form.Value}, "email": {testEmail}, "password": {testPassword}}, false, form)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/dashboard/customers" {
		t.Fatalf("sign-in = %d %s", w.Code, w.Header().Get("Location"))
	}
	sess := cookieOf(w, sessionCookie)
	if sess == nil || sess.Value != testSession || !sess.HttpOnly || sess.SameSite != http.SameSiteLaxMode || sess.Path != "/dashboard" || sess.Secure {
		t.Fatalf("session cookie = %+v", sess)
	}
	if c := cookieOf(w, signInCookie); c == nil || c.MaxAge >= 0 {
		t.Errorf("the sign-in form cookie is not cleared: %+v", c)
	}

	// A signed-in operator going to sign in is sent on.
	w = h.do(t, http.MethodGet, "/dashboard/signin", nil, true)
	if w.Code != http.StatusSeeOther {
		t.Errorf("signed in GET signin = %d", w.Code)
	}

	// Locked out: 429 with the service's message.
	t0 := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	h.f.signInErr = operator.LockedError(t0.Add(15*time.Minute), t0)
	w = h.do(t, http.MethodPost, "/dashboard/signin", url.Values{csrfField: {form.Value}, "email": {testEmail}, "password": {testPassword}}, false, form)
	wantStatus(t, w, http.StatusTooManyRequests)
	wantBody(t, w, "Too many failed sign-ins")
}

func TestSecureCookies(t *testing.T) {
	for _, c := range []struct {
		cfg Config
		tls bool
	}{{Config{SecureCookies: true}, false}, {Config{}, true}} {
		h := newHarness(t, c.cfg)
		req := httptest.NewRequest(http.MethodGet, "/dashboard/signin", nil)
		if c.tls {
			req.TLS = &tls.ConnectionState{}
		}
		w := httptest.NewRecorder()
		h.h.ServeHTTP(w, req)
		if k := cookieOf(w, signInCookie); k == nil || !k.Secure {
			t.Errorf("config %+v, TLS %v: cookie %+v is not Secure", c.cfg, c.tls, k)
		}
	}
}

func TestSignOut(t *testing.T) {
	h := newHarness(t, Config{})
	w := h.do(t, http.MethodPost, "/dashboard/signout", url.Values{csrfField: {"forged"}}, true)
	wantStatus(t, w, http.StatusForbidden)
	w = h.post(t, "/dashboard/signout", url.Values{})
	if w.Code != http.StatusSeeOther || !slices.Equal(h.f.signOuts, []string{testSession}) {
		t.Fatalf("sign-out = %d, signed out %v", w.Code, h.f.signOuts)
	}
	if c := cookieOf(w, sessionCookie); c == nil || c.MaxAge >= 0 {
		t.Errorf("session cookie not cleared: %+v", c)
	}
	w = h.do(t, http.MethodGet, w.Header().Get("Location"), nil, false)
	wantBody(t, w, "You have signed out.")
}

func TestCustomerManagement(t *testing.T) {
	h := newHarness(t, Config{PageSize: 1})
	w := h.get(t, "/dashboard/customers?q=+sample+")
	wantStatus(t, w, http.StatusOK)
	wantBody(t, w, "<h1>Customer Management</h1>", "SL1981", "Sample Customer", `href="/dashboard/customers/SL1981/series"`,
		`<label for="q">`, `value="sample"`, "Acme Logistics", testEmail)
	if got := h.f.customerQ[0]; got.Search != "sample" || got.Limit != 2 || got.Offset != 0 {
		t.Errorf("query = %+v", got)
	}
	// Page size 1 and two customers: a next page.
	w = h.get(t, "/dashboard/customers")
	wantBody(t, w, `href="/dashboard/customers?page=2"`)
	w = h.get(t, "/dashboard/customers?page=2")
	wantBody(t, w, "GL438", `href="/dashboard/customers" rel="prev"`)
	if got := h.f.customerQ[2]; got.Offset != 1 {
		t.Errorf("page 2 query = %+v", got)
	}
	w = h.get(t, "/dashboard/customers?q=nobody")
	wantBody(t, w, `id="no-customers"`)
}

func TestAllotmentScreen(t *testing.T) {
	h := newHarness(t, Config{})
	w := h.get(t, "/dashboard/customers/SL1981/series")
	wantStatus(t, w, http.StatusOK)
	wantBody(t, w, "<h1>Virtual Series Allotment</h1>", `<option value="EXPRESS">Express (EXPRESS)</option>`,
		`id="series-1"`, "V10000051", "V10000060", `data-label="Count" class="num count-cell">10<`,
		`data-label="Next available number" class="num">V10000074<`, ">physical<", `id="delete-1"`, "Numbers drawn")
	if strings.Contains(w.Body.String(), `id="delete-2"`) || strings.Contains(w.Body.String(), "G1") {
		t.Error("a drawn series is deletable, or another customer's series is shown")
	}
	w = h.get(t, "/dashboard/customers/NOPE/series")
	wantStatus(t, w, http.StatusNotFound)
}

func TestAddSeries(t *testing.T) {
	h := newHarness(t, Config{})
	w := h.post(t, "/dashboard/customers/SL1981/series", url.Values{
		"start": {" V20000001 "}, "end": {"V20000010"}, "item_code": {"ITEM1"}, "type": {"virtual"},
		"service_types": {"EXPRESS", "ECONOMY"},
	})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/dashboard/customers/SL1981/series?added=101" {
		t.Fatalf("add = %d %s", w.Code, w.Header().Get("Location"))
	}
	want := series.Spec{Start: "V20000001", End: "V20000010", ClientCode: "SL1981", Type: "virtual", ItemCode: "ITEM1", ServiceTypes: []string{"EXPRESS", "ECONOMY"}}
	if got := h.f.specs[0]; got.Start != want.Start || got.End != want.End || got.ClientCode != want.ClientCode ||
		got.ItemCode != want.ItemCode || !slices.Equal(got.ServiceTypes, want.ServiceTypes) || got.HubCode != "" {
		t.Fatalf("spec = %+v, want %+v", got, want)
	}
	w = h.get(t, w.Header().Get("Location"))
	wantBody(t, w, `role="status" id="notice">Series added successfully<`, `<tr id="series-101" class="new">`)

	// Without the session's token nothing is created.
	w = h.do(t, http.MethodPost, "/dashboard/customers/SL1981/series", url.Values{csrfField: {"forged"}, "start": {"V1"}}, true)
	wantStatus(t, w, http.StatusForbidden)
	if len(h.f.specs) != 1 {
		t.Fatalf("a forged form reached the service")
	}
}

func TestAddSeriesErrorsKeepInput(t *testing.T) {
	h := newHarness(t, Config{})
	form := url.Values{"start": {"V30000001"}, "end": {"V30000010"}, "item_code": {""}, "type": {"physical"}, "service_types": {"ECONOMY"}}

	h.f.createErr = (fault.Violations{
		{Field: "item_code", Rule: "required", Reason: series.ReasonItemCodeMissing, Message: "item_code should be present"},
		{Field: "service_types[0]", Rule: "exists", Reason: series.ReasonServiceTypeUnknown, Message: "service type ECONOMY is not in the catalogue"},
	}).Err()
	w := h.post(t, "/dashboard/customers/SL1981/series", form)
	wantStatus(t, w, http.StatusUnprocessableEntity)
	wantBody(t, w, `id="item_code-error">item_code should be present<`, `id="service_types-error">service type ECONOMY`,
		`value="V30000001"`, `value="V30000010"`, `<option value="ECONOMY" selected>`, `<option value="physical" selected>`,
		`aria-invalid="true"`, `id="count" for="start end" aria-live="polite">10<`, "The series was not added")

	h.f.createErr = series.OverlapError(series.MustParseRange("V30000001", "V30000010"), series.MustParseRange("V30000005", "V30000020"))
	w = h.post(t, "/dashboard/customers/SL1981/series", form)
	wantStatus(t, w, http.StatusConflict)
	wantBody(t, w, `id="range-error">series V30000001-V30000010 overlaps existing series V30000005-V30000020<`, `value="V30000001"`)

	h.f.createErr = fault.Wrap(errTest, "boom")
	w = h.post(t, "/dashboard/customers/SL1981/series", form)
	wantStatus(t, w, http.StatusInternalServerError)
	if strings.Contains(w.Body.String(), "boom") {
		t.Error("an internal error's cause is shown")
	}
}

var errTest = &fault.Error{Code: fault.Internal, Message: "boom"}

func TestDeleteSeries(t *testing.T) {
	h := newHarness(t, Config{})
	// One row's Delete button wins over ticked boxes.
	w := h.post(t, "/dashboard/customers/SL1981/series/delete", url.Values{"one": {"1"}, "selected": {"2"}})
	wantStatus(t, w, http.StatusOK)
	wantBody(t, w, "<h1>Delete series?</h1>", "V10000051 – V10000060", `name="selected" value="1"`, `name="confirm" value="yes"`)
	if len(h.f.deleted) != 0 {
		t.Fatal("deleted before confirmation")
	}
	w = h.post(t, "/dashboard/customers/SL1981/series/delete", url.Values{"selected": {"1"}, "confirm": {"yes"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/dashboard/customers/SL1981/series?deleted=1" {
		t.Fatalf("confirm = %d %s", w.Code, w.Header().Get("Location"))
	}
	if len(h.f.deleted) != 1 || !slices.Equal(h.f.deleted[0], []int64{1}) {
		t.Fatalf("deleted %v", h.f.deleted)
	}
	wantBody(t, h.get(t, w.Header().Get("Location")), "Series deleted successfully")

	// Bulk, with a duplicate.
	w = h.post(t, "/dashboard/customers/SL1981/series/delete", url.Values{"selected": {"1", "2", "1"}, "bulk": {"1"}})
	wantStatus(t, w, http.StatusOK)
	wantBody(t, w, "delete 2 series")

	// Another customer's series, or none at all, is refused here.
	for _, form := range []url.Values{{"selected": {"9"}, "confirm": {"yes"}}, {"confirm": {"yes"}}, {"one": {"x"}}} {
		w = h.post(t, "/dashboard/customers/SL1981/series/delete", form)
		if w.Code < 400 || len(h.f.deleted) != 1 {
			t.Errorf("%v: %d, deleted %v", form, w.Code, h.f.deleted)
		}
	}
	// The use case's refusal is shown.
	h.f.deleteErr = fault.New(fault.Conflict, series.ReasonHasDrawn, "series V10000071-V10000080 has numbers drawn")
	w = h.post(t, "/dashboard/customers/SL1981/series/delete", url.Values{"selected": {"2"}, "confirm": {"yes"}})
	wantStatus(t, w, http.StatusConflict)
	wantBody(t, w, `role="alert" id="alert">series V10000071-V10000080 has numbers drawn<`)
}

func TestCount(t *testing.T) {
	h := newHarness(t, Config{Limits: series.Limits{MaxSize: 100}})
	var got countJSON
	w := h.get(t, "/dashboard/count?start=V10000051&end=V10000060")
	wantStatus(t, w, http.StatusOK)
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || !got.Valid || got.Count != "10" {
		t.Fatalf("count = %s", w.Body.String())
	}
	for q, field := range map[string]string{
		"start=V20&end=V10": "end", "start=X&end=V10": "start", "start=V1&end=V500": "end", "start=&end=V1": "start",
	} {
		got = countJSON{}
		w = h.get(t, "/dashboard/count?"+q)
		wantStatus(t, w, http.StatusUnprocessableEntity)
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || got.Valid || got.Field != field || got.Message == "" {
			t.Errorf("%s: %s", q, w.Body.String())
		}
	}
}

func TestHeadersAndAssets(t *testing.T) {
	h := newHarness(t, Config{})
	w := h.get(t, "/dashboard/customers")
	for k, want := range map[string]string{
		"Content-Security-Policy": contentSecurityPolicy, "Cache-Control": "no-store", "X-Frame-Options": "DENY",
		"Content-Type": "text/html; charset=utf-8",
	} {
		if got := w.Header().Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	for path, ctype := range map[string]string{"/dashboard/static/app.css": "text/css", "/dashboard/static/app.js": "javascript"} {
		w = h.do(t, http.MethodGet, path, nil, false)
		if w.Code != http.StatusOK || !strings.Contains(w.Header().Get("Content-Type"), ctype) {
			t.Errorf("GET %s = %d %s", path, w.Code, w.Header().Get("Content-Type"))
		}
	}
	w = h.do(t, http.MethodGet, "/dashboard/static/../dashboard.go", nil, false)
	if w.Code != http.StatusNotFound {
		t.Errorf("path escape = %d", w.Code)
	}
}

// TestNoExternalAssets keeps the dashboard self-contained: no embedded
// file names another origin (a CDN, a font service).
func TestNoExternalAssets(t *testing.T) {
	err := fs.WalkDir(files, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(files, path)
		if err != nil {
			return err
		}
		for _, bad := range []string{"http://", "https://", "//cdn", "@import", "url("} {
			if strings.Contains(string(b), bad) {
				t.Errorf("%s contains %q", path, bad)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

var (
	controlRE = regexp.MustCompile(`<(input|select|textarea)\b[^>]*>`)
	idRE      = regexp.MustCompile(`\bid="([^"]+)"`)
	typeRE    = regexp.MustCompile(`\btype="([^"]+)"`)
)

// TestEveryFieldHasALabel checks each page's form controls: every one but
// the hidden ones has an id that a <label for> names.
func TestEveryFieldHasALabel(t *testing.T) {
	h := newHarness(t, Config{})
	h.f.createErr = series.OverlapError(series.MustParseRange("V1", "V9"), series.MustParseRange("V5", "V7"))
	pages := map[string]*httptest.ResponseRecorder{
		"signin":    h.do(t, http.MethodGet, "/dashboard/signin", nil, false),
		"customers": h.get(t, "/dashboard/customers"),
		"allot":     h.get(t, "/dashboard/customers/SL1981/series"),
		"errors":    h.post(t, "/dashboard/customers/SL1981/series", url.Values{"start": {"V1"}, "end": {"V9"}}),
		"confirm":   h.post(t, "/dashboard/customers/SL1981/series/delete", url.Values{"one": {"1"}}),
	}
	for name, w := range pages {
		body := w.Body.String()
		for _, ctl := range controlRE.FindAllString(body, -1) {
			if m := typeRE.FindStringSubmatch(ctl); m != nil && m[1] == "hidden" {
				continue
			}
			id := idRE.FindStringSubmatch(ctl)
			if id == nil || !strings.Contains(body, `<label for="`+id[1]+`"`) {
				t.Errorf("%s: %s has no label", name, ctl)
			}
		}
	}
}

// TestAllotmentStock shows each series' used, void and available numbers,
// and offers no delete for a series with consumed numbers.
func TestAllotmentStock(t *testing.T) {
	h := newHarness(t, Config{})
	h.f.series[0].Stock = &series.Stock{Used: 2, Void: 1, Available: 7, NextFree: 1}
	w := h.get(t, "/dashboard/customers/SL1981/series")
	wantStatus(t, w, http.StatusOK)
	wantBody(t, w, `data-label="Used" class="num">2<`, `data-label="Void" class="num">1<`, `data-label="Available" class="num">7<`,
		`data-label="Next available number" class="num">V10000052<`, `data-label="Used" class="num">—<`)
	if strings.Contains(w.Body.String(), `id="delete-1"`) {
		t.Error("a series with consumed numbers is offered for deletion")
	}
}
