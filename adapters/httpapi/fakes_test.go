package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// Test credentials. The keys look like real ones (random-ish, no ':'), so
// that the log test can search the output for them.
const (
	testKey     = "ak_live_9fQ2xWm7Lp3sT8vZ"
	otherKey    = "ak_live_OtherOrgKey12345"
	revokedKey  = "ak_live_RevokedKey000000"
	disabledKey = "ak_live_DisabledOrgKey999"
)

var (
	testOrg  = tenant.Organisation{ID: 7, Code: "ACME"}
	otherOrg = tenant.Organisation{ID: 8, Code: "GLOBEX"}
)

// fakeAuth knows a few keys. Its messages deliberately differ from the
// contract's, to prove the adapter pins the contract's wording.
type fakeAuth struct {
	mu   sync.Mutex
	seen []string
}

var _ ports.AuthService = (*fakeAuth)(nil)

func (f *fakeAuth) APIKey(_ context.Context, raw string) (ports.Principal, error) {
	f.mu.Lock()
	f.seen = append(f.seen, raw)
	f.mu.Unlock()
	switch raw {
	case "":
		return ports.Principal{}, fault.New(fault.Unauthorized, tenant.ReasonNoAPIKey, "empty key")
	case testKey:
		return ports.Principal{Org: testOrg, KeyPrefix: "ak_live_9fQ"}, nil
	case otherKey:
		return ports.Principal{Org: otherOrg, KeyPrefix: "ak_live_Oth"}, nil
	case disabledKey:
		return ports.Principal{}, fault.New(fault.Forbidden, tenant.ReasonOrgDisabled, "the organisation is disabled")
	}
	return ports.Principal{}, fault.New(fault.Unauthorized, tenant.ReasonWrongAPIKey, "unknown or revoked key")
}

func (f *fakeAuth) last() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.seen) == 0 {
		return ""
	}
	return f.seen[len(f.seen)-1]
}

// fakeSeries records calls and answers with the functions a test sets.
type fakeSeries struct {
	mu       sync.Mutex
	calls    int
	org      tenant.OrgID
	spec     series.Spec
	query    ports.SeriesQuery
	number   string
	next     ports.NextRequest
	deleted  []int64
	createFn func(series.Spec) (series.Series, error)
	listFn   func(ports.SeriesQuery) (ports.SeriesPage, error)
	lookupFn func(string) (series.Series, error)
	nextFn   func(ports.NextRequest) ([]series.Drawn, error)
	deleteFn func([]int64) error
}

var _ ports.SeriesService = (*fakeSeries)(nil)

func (f *fakeSeries) record(org tenant.OrgID) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	f.org = org
}

func (f *fakeSeries) Create(_ context.Context, org tenant.OrgID, spec series.Spec) (series.Series, error) {
	f.record(org)
	f.spec = spec
	if f.createFn != nil {
		return f.createFn(spec)
	}
	return seriesFromSpec(spec), nil
}

func (f *fakeSeries) List(_ context.Context, org tenant.OrgID, q ports.SeriesQuery) (ports.SeriesPage, error) {
	f.record(org)
	f.query = q
	if f.listFn != nil {
		return f.listFn(q)
	}
	return ports.SeriesPage{}, nil
}

func (f *fakeSeries) Lookup(_ context.Context, org tenant.OrgID, number string) (series.Series, error) {
	f.record(org)
	f.number = number
	if f.lookupFn != nil {
		return f.lookupFn(number)
	}
	return series.Series{}, fault.New(fault.NotFound, series.ReasonNumberFree, "number "+number+" is not allotted")
}

func (f *fakeSeries) Next(_ context.Context, org tenant.OrgID, r ports.NextRequest) ([]series.Drawn, error) {
	f.record(org)
	f.next = r
	if f.nextFn != nil {
		return f.nextFn(r)
	}
	return nil, nil
}

func (f *fakeSeries) Delete(_ context.Context, org tenant.OrgID, ids []int64) error {
	f.record(org)
	f.deleted = ids
	if f.deleteFn != nil {
		return f.deleteFn(ids)
	}
	return nil
}

var createdAt = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// seriesFromSpec is what a successful Create of a valid spec returns.
func seriesFromSpec(spec series.Spec) series.Series {
	d, err := series.Validate(spec, series.Limits{})
	if err != nil {
		panic(err)
	}
	return series.Series{ID: 42, Owner: d.Owner, Type: d.Type, Range: d.Range, ItemCode: d.ItemCode,
		ServiceTypes: d.ServiceTypes, CreatorHub: d.CreatorHub, CreatedAt: createdAt}
}

// fakeIdempotency is an in-memory IdempotencyService with the contract's
// semantics.
type fakeIdempotency struct {
	mu        sync.Mutex
	recs      map[string]*idemRec
	finished  int
	abandoned int
}

type idemRec struct {
	fp     []byte
	done   bool
	status int
	body   []byte
}

var _ ports.IdempotencyService = (*fakeIdempotency)(nil)

func idemKey(org tenant.OrgID, key string) string { return fmt.Sprintf("%d/%s", org, key) }

func (f *fakeIdempotency) Begin(_ context.Context, org tenant.OrgID, key string, fp []byte) (*ports.Replay, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.recs == nil {
		f.recs = map[string]*idemRec{}
	}
	r, ok := f.recs[idemKey(org, key)]
	switch {
	case !ok:
		f.recs[idemKey(org, key)] = &idemRec{fp: fp}
		return nil, nil
	case !bytes.Equal(r.fp, fp):
		return nil, fault.New(fault.Invalid, reasonIdemReused, "this Idempotency-Key was already used with a different request")
	case !r.done:
		return nil, fault.New(fault.Conflict, reasonIdemInProgress, "a request with this Idempotency-Key is still in progress; retry later")
	}
	return &ports.Replay{Status: r.status, Body: r.body}, nil
}

func (f *fakeIdempotency) Finish(_ context.Context, org tenant.OrgID, key string, status int, body []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.recs[idemKey(org, key)]
	r.done, r.status, r.body = true, status, bytes.Clone(body)
	f.finished++
	return nil
}

func (f *fakeIdempotency) Abandon(_ context.Context, org tenant.OrgID, key string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.recs, idemKey(org, key))
	f.abandoned++
	return nil
}

type fakeHealth struct{ err error }

func (f fakeHealth) Ready(context.Context) error { return f.err }

// harness is an API over fakes with its log captured.
type harness struct {
	t      *testing.T
	api    *API
	auth   *fakeAuth
	series *fakeSeries
	idem   *fakeIdempotency
	enr    *fakeEnrollment
	// numbers and lines are served as the server serves them.
	numbers *fakeNumbers
	lines   *fakeLines
	logs    *syncBuffer
	// mode is what the next requests promise about the API documents;
	// see invalid.
	mode requestMode
	// noBSS: the API serves no BSS module, so only the series document
	// describes it.
	noBSS bool
}

// invalid returns h for requests a test sends deliberately outside the
// API documents (malformed JSON, NUL bytes, oversized bodies, wrong
// methods, fields of the wrong type): their responses are still validated.
func (h *harness) invalid() *harness { return h.invalidIf(true) }

// invalidIf is invalid when bad holds and h otherwise, for tables that mix
// valid and deliberately invalid requests.
func (h *harness) invalidIf(bad bool) *harness {
	if !bad {
		return h
	}
	c := *h
	c.mode = requestInvalid
	return &c
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a server.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newHarness(t *testing.T, opts ...func(*Config, *ports.Services)) *harness {
	t.Helper()
	h := &harness{t: t, auth: &fakeAuth{}, series: &fakeSeries{}, idem: &fakeIdempotency{}, enr: &fakeEnrollment{}, lines: &fakeLines{}, logs: &syncBuffer{}}
	h.numbers = &fakeNumbers{series: h.series}
	svc := ports.Services{Auth: h.auth, Series: h.series, Numbers: h.numbers, Idempotency: h.idem, Health: fakeHealth{}, Enrollment: h.enr, Lines: h.lines}
	var cfg Config
	for _, o := range opts {
		o(&cfg, &svc)
	}
	log := slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h.api = New(cfg, svc, log)
	h.noBSS = svc.Enrollment == nil
	return h
}

// do sends a request, headers as name, value pairs, and validates the
// exchange against the API documents.
func (h *harness) do(method, path, body string, headers ...string) *httptest.ResponseRecorder {
	h.t.Helper()
	w, x := h.send(method, path, body, headers...)
	checkExchange(h.t, x, h.mode)
	return w
}

// send is do without the validation, for a test that measures the
// server alone; it must pass the exchange to checkExchange itself.
func (h *harness) send(method, path, body string, headers ...string) (*httptest.ResponseRecorder, exchange) {
	h.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	sent := req.Header.Clone()
	w := httptest.NewRecorder()
	h.api.ServeHTTP(w, req)
	return w, exchange{method: method, target: path, header: sent, body: []byte(body),
		status: w.Code, rheader: w.Header(), rbody: w.Body.Bytes(), noBSS: h.noBSS}
}

// authed sends a request with the test key in the contract's raw form.
func (h *harness) authed(method, path, body string, headers ...string) *httptest.ResponseRecorder {
	h.t.Helper()
	return h.do(method, path, body, append([]string{"Authorization", "Basic " + testKey}, headers...)...)
}

// decode parses a JSON body into a generic value, for exact comparisons.
func decode(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, body)
	}
	return m
}

// errorOf returns the "error" object of an envelope.
func errorOf(t *testing.T, body []byte) map[string]any {
	t.Helper()
	e, ok := decode(t, body)["error"].(map[string]any)
	if !ok {
		t.Fatalf("no error object in %s", body)
	}
	return e
}

func wantStatus(t *testing.T, w *httptest.ResponseRecorder, status int) {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status = %d, want %d; body %s", w.Code, status, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type = %q, want JSON", ct)
	}
}

// wantError checks status, reason and code ("" = absent) of an envelope and
// that statusCode repeats the status.
func wantError(t *testing.T, w *httptest.ResponseRecorder, status int, reason, code string) map[string]any {
	t.Helper()
	wantStatus(t, w, status)
	e := errorOf(t, w.Body.Bytes())
	if e["reason"] != reason {
		t.Errorf("reason = %v, want %s; body %s", e["reason"], reason, w.Body)
	}
	if sc, _ := e["statusCode"].(float64); int(sc) != status {
		t.Errorf("statusCode = %v, want %d", e["statusCode"], status)
	}
	gotCode, has := e["code"]
	switch {
	case code == "" && has:
		t.Errorf("code = %v, want none", gotCode)
	case code != "" && gotCode != code:
		t.Errorf("code = %v, want %s", gotCode, code)
	}
	if m, _ := e["message"].(string); m == "" {
		t.Errorf("empty message in %s", w.Body)
	}
	return e
}

func mustJSON(s string) any {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		panic(err)
	}
	return v
}
