package httpapi

// The contract check: every request a test of this package sends and every
// response it gets are validated against the OpenAPI documents the API
// serves (openapi/series.json, openapi/bss.json), through kin-openapi, so
// that the documents cannot drift from the code. The harness (fakes_test.go),
// the real-stack client of compat_test.go (ContractClient) and the fuzz
// targets all go through checkExchange.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// requestMode says what a test promises about the request it sends.
type requestMode uint8

const (
	// requestValid: the request must match the documents (the default).
	requestValid requestMode = iota
	// requestInvalid: the test deliberately sends what the documents do
	// not allow (malformed JSON, a wrong method, a field of the wrong
	// type, ...); only the response is validated, and the request must
	// indeed fail validation, so that a stale mark does not hide a check.
	requestInvalid
	// requestAny: fuzzing; the request may be anything, the response is
	// validated.
	requestAny
)

// contractDoc is one loaded document with its router and the schema of the
// envelope an unrouted request (unknown path, wrong method) is answered in.
type contractDoc struct {
	name     string
	doc      *openapi3.T
	router   routers.Router
	fallback *openapi3.Schema
	// statuses an unrouted request may be answered with.
	statuses map[int]bool
}

type contract struct {
	series, bss *contractDoc
}

var loadContract = sync.OnceValues(func() (*contract, error) {
	s, err := loadContractDoc("series.json", SeriesOpenAPI(), "ErrorEnvelope", 400, 401, 403, 404, 405, 413, 429, 500, 503)
	if err != nil {
		return nil, err
	}
	b, err := loadContractDoc("bss.json", BSSOpenAPI(), "Failure", 200, 413, 500, 503)
	if err != nil {
		return nil, err
	}
	return &contract{series: s, bss: b}, nil
})

func loadContractDoc(name string, data []byte, fallback string, statuses ...int) (*contractDoc, error) {
	doc, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("%s: load: %w", name, err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("%s: not a valid OpenAPI 3.0 document: %w", name, err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("%s: router: %w", name, err)
	}
	fb := doc.Components.Schemas[fallback]
	if fb == nil || fb.Value == nil {
		return nil, fmt.Errorf("%s: no schema %s", name, fallback)
	}
	set := map[int]bool{}
	for _, s := range statuses {
		set[s] = true
	}
	return &contractDoc{name: name, doc: doc, router: router, fallback: fb.Value, statuses: set}, nil
}

// exchange is one request, as the client sent it, and its response.
type exchange struct {
	method  string
	target  string // path and query as sent
	header  http.Header
	body    []byte
	status  int
	rheader http.Header
	rbody   []byte
	// noBSS: the server serves no BSS module.
	noBSS bool
}

// checkExchange fails t when x does not match the documents: the request
// (unless mode says otherwise) and always the response, status and
// required headers included.
func checkExchange(t testing.TB, x exchange, mode requestMode) {
	t.Helper()
	c, err := loadContract()
	if err != nil {
		t.Fatalf("OpenAPI documents: %v", err)
	}
	req := contractRequest(x)
	var (
		doc    *contractDoc
		route  *routers.Route
		params map[string]string
	)
	docs := []*contractDoc{c.series, c.bss}
	if x.noBSS {
		docs = docs[:1]
	}
	for _, d := range docs {
		if r, p, err := d.router.FindRoute(req); err == nil {
			doc, route, params = d, r, p
			break
		}
	}
	what := x.method + " " + x.target
	if route == nil {
		// No operation: an unknown path or a wrong method, which only
		// a deliberately invalid request sends.
		if mode == requestValid {
			t.Errorf("OpenAPI: %s is no operation of the documents (mark the request as deliberately invalid if it is)", what)
		}
		checkUnrouted(t, c, req, x, what)
		return
	}
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true, MultiError: true,
		// The failing field and rule are enough; the whole schema is noise.
		SchemaValidationOptions: []openapi3.SchemaValidationOption{openapi3.DisableSchemaErrorDetails()}}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	reqErr := openapi3filter.ValidateRequest(context.Background(), in)
	if len(bytes.TrimSpace(x.body)) > 0 && !json.Valid(x.body) {
		// kin-openapi's decoder reads the first JSON value and ignores
		// what follows; a body with trailing bytes is not JSON all the same.
		reqErr = errors.Join(reqErr, errors.New("request body is not valid JSON"))
	}
	switch {
	case mode == requestValid && reqErr != nil:
		t.Errorf("OpenAPI %s: request %s does not match the document: %v\nbody: %.2000s", doc.name, what, reqErr, x.body)
	case mode == requestInvalid && reqErr == nil:
		t.Errorf("OpenAPI %s: request %s is marked deliberately invalid but matches the document; drop the mark", doc.name, what)
	}
	// A request that failed validation still selects its operation.
	in.Request = contractRequest(x)
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: x.status, Header: x.rheader, Options: opts}
	out.SetBodyBytes(x.rbody)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Errorf("OpenAPI %s: response to %s does not match the document: %v%s\nstatus %d, body: %.2000s",
			doc.name, what, err, branchErrors(route, x), x.status, x.rbody)
	}
}

// branchErrors explains a response that matches no branch of its anyOf
// (every BSS answer is success-of-an-action or failure): why each branch
// refused it, which "doesn't match any schema" does not say.
func branchErrors(route *routers.Route, x exchange) string {
	r := route.Operation.Responses.Status(x.status)
	if r == nil || r.Value == nil {
		return ""
	}
	mt := r.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil || len(mt.Schema.Value.AnyOf) == 0 {
		return ""
	}
	var v any
	if json.Unmarshal(x.rbody, &v) != nil {
		return ""
	}
	var b strings.Builder
	for _, s := range mt.Schema.Value.AnyOf {
		if err := s.Value.VisitJSON(v, openapi3.MultiErrors(), openapi3.DisableSchemaErrorDetails()); err != nil {
			fmt.Fprintf(&b, "\n  not %s: %v", strings.TrimPrefix(s.Ref, "#/components/schemas/"), err)
		}
	}
	return b.String()
}

// checkUnrouted validates the answer to a request no operation describes:
// the envelope of the API whose path it is, with one of its statuses.
func checkUnrouted(t testing.TB, c *contract, req *http.Request, x exchange, what string) {
	t.Helper()
	d := c.series
	if p := req.URL.Path; !x.noBSS && (isBSSPath(p) || (x.method == http.MethodPost && isSingleSegment(p) && !strings.HasPrefix(p, "/healthz") && !strings.HasPrefix(p, "/readyz"))) {
		d = c.bss
	}
	if !d.statuses[x.status] {
		t.Errorf("OpenAPI %s: %s answered %d, not a status of the API's envelope", d.name, what, x.status)
	}
	if ct := x.rheader.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("OpenAPI %s: %s answered Content-Type %q, want JSON", d.name, what, ct)
	}
	var v any
	if err := json.Unmarshal(x.rbody, &v); err != nil {
		t.Errorf("OpenAPI %s: %s answered a body that is not JSON: %v", d.name, what, err)
		return
	}
	if err := d.fallback.VisitJSON(v, openapi3.MultiErrors(), openapi3.DisableSchemaErrorDetails()); err != nil {
		t.Errorf("OpenAPI %s: answer to %s does not match the envelope: %v\nbody: %.2000s", d.name, what, err, x.rbody)
	}
	if (x.status == http.StatusServiceUnavailable || x.status == http.StatusTooManyRequests) && x.rheader.Get("Retry-After") == "" {
		t.Errorf("OpenAPI %s: %s answered %d without Retry-After", d.name, what, x.status)
	}
}

// contractRequest rebuilds the request as the server routes it: its path
// made canonical as ServeHTTP does (tolerantPath), so that "//authenticate"
// is /authenticate.
// The URL is assembled, not parsed, so that a fuzzed query reaches the
// validator exactly as the server received it.
func contractRequest(x exchange) *http.Request {
	path, query, _ := strings.Cut(x.target, "?")
	if p, err := url.PathUnescape(path); err == nil {
		path = p
	}
	if p, ok := tolerantPath(path); ok {
		path = p
	}
	h := x.header.Clone()
	if h == nil {
		h = http.Header{}
	}
	u := &url.URL{Scheme: "http", Host: "allot.test", Path: path, RawQuery: query}
	r := &http.Request{Method: x.method, URL: u, Host: u.Host, Header: h, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Body: io.NopCloser(bytes.NewReader(x.body)), ContentLength: int64(len(x.body))}
	return r.WithContext(context.Background())
}

// ContractClient returns an HTTP client whose every exchange is validated
// against the documents, for tests that talk to a real server
// (compat_test.go, serve_test.go).
func ContractClient(t testing.TB) *http.Client {
	return &http.Client{Transport: &contractTransport{t: t, base: http.DefaultTransport}}
}

// ContractClientInvalid is ContractClient for requests a test sends
// deliberately outside the documents.
func ContractClientInvalid(t testing.TB) *http.Client {
	return &http.Client{Transport: &contractTransport{t: t, base: http.DefaultTransport, mode: requestInvalid}}
}

type contractTransport struct {
	t    testing.TB
	base http.RoundTripper
	mode requestMode
}

func (c *contractTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		b, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
		r = r.Clone(r.Context())
		r.Body = io.NopCloser(bytes.NewReader(b))
	}
	resp, err := c.base.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	rb, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, errors.Join(errors.New("contract check: read response"), err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(rb))
	checkExchange(c.t, exchange{method: r.Method, target: r.URL.RequestURI(), header: r.Header, body: body,
		status: resp.StatusCode, rheader: resp.Header, rbody: rb}, c.mode)
	return resp, nil
}
