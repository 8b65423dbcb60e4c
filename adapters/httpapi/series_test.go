package httpapi

import (
	"encoding/base64"
	"errors"
	"github.com/allot-io/allot/domain/page"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

const (
	createPath = SeriesPath + "/create"
	// samplePayload is the contract's sample request, byte for byte.
	samplePayload = `{ "start": "V10000071", "end": "V10000080", "client_code": "SL1981", "item_code": "P7WJEJANkt" }`
)

// The contract's sample responses, byte for byte.
const (
	docNoKey   = `{ "error": { "message": "API key should be present", "statusCode": 401, "reason": "NO_API_KEY" } }`
	docNoOwner = `{ "error": { "message": "Either client code or hubCode should be present", "statusCode": 400, "reason": "CLIENT_HUB_CODE_NOT_PRESENT", "code": "WRONG_INPUT" } }`
	docCreated = `{ "status": "OK" }`
	// specWrongKey is the specification's 401 for an unknown key.
	specWrongKey = `{"error":{"message":"Wrong api key","statusCode":401,"reason":"WRONG_API_KEY"}}`
)

func TestCreateSampleIsOK(t *testing.T) {
	h := newHarness(t)
	w := h.authed(http.MethodPost, createPath, samplePayload)
	wantStatus(t, w, http.StatusOK)

	got := decode(t, w.Body.Bytes())
	// Every field of the contract's success sample, with its value; "data"
	// is the extra the specification allows.
	for k, v := range mustJSON(docCreated).(map[string]any) {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	data, _ := got["data"].(map[string]any)
	want := map[string]any{
		"id": 42.0, "client_code": "SL1981", "type": "virtual", "start": "V10000071", "end": "V10000080",
		"count": 10.0, "item_code": "P7WJEJANkt", "service_types": []any{}, "creator_hub": nil,
		"next_available": "V10000071", "drawn": 0.0, "remaining": 10.0, "created_at": "2026-03-04T05:06:07Z",
		// Number-level stock (issue 14); a new series has every number available.
		"check_digit": "none", "used": 0.0, "void": 0.0, "available": 10.0, "low_stock": false,
	}
	if !reflect.DeepEqual(data, want) {
		t.Errorf("data = %v\nwant %v", data, want)
	}

	wantSpec := series.Spec{Start: "V10000071", End: "V10000080", ClientCode: "SL1981", ItemCode: "P7WJEJANkt"}
	if !reflect.DeepEqual(h.series.spec, wantSpec) {
		t.Errorf("spec = %+v, want %+v", h.series.spec, wantSpec)
	}
	if h.series.org != testOrg.ID {
		t.Errorf("org = %d, want %d (from the key)", h.series.org, testOrg.ID)
	}
}

func TestCreateMapsEveryField(t *testing.T) {
	h := newHarness(t)
	body := `{"client_code":"C1","hub_code":"H1","type":"physical","start":"A001","end":"A009",
		"item_code":"IT","creator_hub":"BLR","service_types":["EXP","STD"],"organisation":"GLOBEX"}`
	w := h.authed(http.MethodPost, createPath, body)
	wantStatus(t, w, http.StatusOK)
	want := series.Spec{Start: "A001", End: "A009", ClientCode: "C1", HubCode: "H1", Type: "physical",
		ItemCode: "IT", CreatorHub: "BLR", ServiceTypes: []string{"EXP", "STD"}}
	if !reflect.DeepEqual(h.series.spec, want) {
		t.Errorf("spec = %+v, want %+v", h.series.spec, want)
	}
	// An organisation in the body is ignored: the key decides.
	if h.series.org != testOrg.ID {
		t.Errorf("org = %d, want %d", h.series.org, testOrg.ID)
	}
	data := decode(t, w.Body.Bytes())["data"].(map[string]any)
	if data["creator_hub"] != "BLR" || data["type"] != "physical" {
		t.Errorf("data = %v", data)
	}
}

func TestNoAPIKeyMatchesDocument(t *testing.T) {
	for name, header := range map[string]string{"absent": "", "empty Basic": "Basic ", "bare Basic": "Basic", "Basic of empty user": "Basic " + base64.StdEncoding.EncodeToString([]byte(":"))} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			var w = h.do(http.MethodPost, createPath, samplePayload)
			if header != "" {
				w = h.do(http.MethodPost, createPath, samplePayload, "Authorization", header)
			}
			wantStatus(t, w, http.StatusUnauthorized)
			if got, want := decode(t, w.Body.Bytes()), mustJSON(docNoKey); !reflect.DeepEqual(any(got), want) {
				t.Errorf("body = %s, want the document's %s", w.Body, docNoKey)
			}
			if w.Header().Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
			if h.series.calls != 0 {
				t.Error("the service ran without a key")
			}
		})
	}
}

func TestWrongAPIKeyMatchesSpec(t *testing.T) {
	for name, header := range map[string]string{
		"unknown raw":     "Basic nope",
		"revoked":         "Basic " + revokedKey,
		"unknown base64":  "Basic " + base64.StdEncoding.EncodeToString([]byte("nope:")),
		"other scheme":    "Bearer " + testKey,
		"no scheme, bad":  "garbage",
		"lowercase basic": "basic nope",
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			w := h.do(http.MethodPost, createPath, samplePayload, "Authorization", header)
			wantStatus(t, w, http.StatusUnauthorized)
			if got, want := decode(t, w.Body.Bytes()), mustJSON(specWrongKey); !reflect.DeepEqual(any(got), want) {
				t.Errorf("body = %s, want %s", w.Body, specWrongKey)
			}
			if h.series.calls != 0 {
				t.Error("the service ran with a wrong key")
			}
		})
	}
}

func TestAPIKeyForms(t *testing.T) {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	for name, header := range map[string]string{
		"raw after Basic":      "Basic " + testKey,
		"scheme case":          "BASIC " + testKey,
		"extra spaces":         "Basic   " + testKey + "  ",
		"base64 KEY:":          "Basic " + b64(testKey+":"),
		"base64 KEY:anything":  "Basic " + b64(testKey+":x-secret"),
		"base64 :KEY":          "Basic " + b64(":"+testKey),
		"no scheme, raw key":   testKey,
		"lowercase base64 key": "basic " + b64(testKey+":"),
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			w := h.do(http.MethodPost, createPath, samplePayload, "Authorization", header)
			wantStatus(t, w, http.StatusOK)
			if got := h.auth.last(); got != testKey {
				t.Errorf("service got key %q, want %q", got, testKey)
			}
		})
	}
}

func TestDisabledOrgIs403(t *testing.T) {
	h := newHarness(t)
	w := h.do(http.MethodPost, createPath, samplePayload, "Authorization", "Basic "+disabledKey)
	wantError(t, w, http.StatusForbidden, tenant.ReasonOrgDisabled, "")
}

func TestOwnerMissingMatchesDocument(t *testing.T) {
	h := newHarness(t)
	// The real rule runs, with the service's own first-violation message.
	h.series.createFn = func(spec series.Spec) (series.Series, error) {
		_, err := series.Validate(spec, series.Limits{})
		return series.Series{}, err
	}
	w := h.authed(http.MethodPost, createPath, `{ "start": "V10000071", "end": "V10000080", "item_code": "P7WJEJANkt" }`)
	wantStatus(t, w, http.StatusBadRequest)
	if got, want := decode(t, w.Body.Bytes()), mustJSON(docNoOwner); !reflect.DeepEqual(any(got), want) {
		t.Errorf("body = %s, want the document's %s", w.Body, docNoOwner)
	}
	// Key order is the document's, so that clients comparing text work too.
	want := `{"error":{"message":"Either client code or hubCode should be present","statusCode":400,"reason":"CLIENT_HUB_CODE_NOT_PRESENT","code":"WRONG_INPUT"}}`
	if got := strings.TrimSpace(w.Body.String()); got != want {
		t.Errorf("body = %s\nwant %s", got, want)
	}
}

func TestInvalidInputs(t *testing.T) {
	validate := func(spec series.Spec) (series.Series, error) {
		if _, err := series.Validate(spec, series.Limits{}); err != nil {
			return series.Series{}, err
		}
		return seriesFromSpec(spec), nil
	}
	cases := []struct {
		name, body, reason string
	}{
		{"bad type", `{"client_code":"C","start":"V1","end":"V2","item_code":"I","type":"digital"}`, series.ReasonInvalidType},
		{"start after end", `{"client_code":"C","start":"V9","end":"V2","item_code":"I"}`, series.ReasonStartAfterEnd},
		{"prefix mismatch", `{"client_code":"C","start":"V1","end":"W2","item_code":"I"}`, series.ReasonPrefixMismatch},
		{"no item code", `{"client_code":"C","start":"V1","end":"V2"}`, series.ReasonItemCodeMissing},
		{"bad start", `{"client_code":"C","start":"V-1","end":"V2","item_code":"I"}`, series.ReasonInvalidStart},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.series.createFn = validate
			// A missing item_code is outside the document, which requires it.
			w := h.invalidIf(tc.name == "no item code").authed(http.MethodPost, createPath, tc.body)
			e := wantError(t, w, http.StatusBadRequest, tc.reason, "WRONG_INPUT")
			if len(e) != 4 {
				t.Errorf("single error has fields %v, want exactly message, statusCode, reason, code", e)
			}
		})
	}
}

func TestServiceFaultsThroughTable(t *testing.T) {
	cases := []struct {
		name   string
		err    error
		status int
		reason string
		code   string
	}{
		{"unknown client", fault.New(fault.Invalid, series.ReasonClientNotFound, "client SL1 does not exist"), 400, series.ReasonClientNotFound, "WRONG_INPUT"},
		{"overlap is 400", series.OverlapError(series.MustParseRange("V1", "V5"), series.MustParseRange("V3", "V9")), 400, series.ReasonOverlap, "WRONG_INPUT"},
		{"not found", fault.New(fault.NotFound, series.ReasonNotFound, "series 9 does not exist"), 404, series.ReasonNotFound, ""},
		{"forbidden", fault.New(fault.Forbidden, "NOPE", "not allowed"), 403, "NOPE", ""},
		{"unavailable", fault.Unavailablef(errors.New("dial tcp 10.0.0.5:5432"), "db down at 10.0.0.5"), 503, "UNAVAILABLE", ""},
		{"internal", fault.Wrap(errors.New("pq: relation series_secret does not exist"), "insert"), 500, "INTERNAL", ""},
		{"plain error", errors.New("boom at 10.0.0.5"), 500, "INTERNAL", ""},
		{"unknown code", &fault.Error{Code: "weird", Reason: "X", Message: "leak"}, 500, "INTERNAL", ""},
		{"conflict, no reason", fault.New(fault.Conflict, "", "already"), 400, "CONFLICT", "WRONG_INPUT"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.series.createFn = func(series.Spec) (series.Series, error) { return series.Series{}, tc.err }
			w := h.authed(http.MethodPost, createPath, samplePayload)
			e := wantError(t, w, tc.status, tc.reason, tc.code)
			if tc.status >= 500 {
				for _, secret := range []string{"10.0.0.5", "series_secret", "leak", "boom"} {
					if strings.Contains(w.Body.String(), secret) {
						t.Errorf("5xx body leaks %q: %s", secret, w.Body)
					}
				}
				if tc.status == 500 && e["message"] != messageInternal {
					t.Errorf("message = %v", e["message"])
				}
				if !strings.Contains(h.logs.String(), "request failed") {
					t.Errorf("5xx cause not logged: %s", h.logs)
				}
			}
			if tc.name == "overlap is 400" && !strings.Contains(e["message"].(string), "V3-V9") {
				t.Errorf("overlap message does not name the range: %v", e["message"])
			}
		})
	}
}

func TestMultipleViolationsHaveDetails(t *testing.T) {
	h := newHarness(t)
	h.series.createFn = func(spec series.Spec) (series.Series, error) {
		_, err := series.Validate(spec, series.Limits{})
		return series.Series{}, err
	}
	w := h.invalid().authed(http.MethodPost, createPath, `{"type":"x","start":"V1","end":"V2"}`) // no item_code
	e := wantError(t, w, http.StatusBadRequest, series.ReasonOwnerMissing, "WRONG_INPUT")
	if e["message"] != series.OwnerMissingMessage {
		t.Errorf("message = %v", e["message"])
	}
	details, _ := e["details"].([]any)
	var reasons []string
	for _, d := range details {
		m := d.(map[string]any)
		if len(m) != 3 || m["field"] == "" || m["message"] == "" {
			t.Errorf("detail %v, want field, reason and message", m)
		}
		reasons = append(reasons, m["reason"].(string))
	}
	want := []string{series.ReasonOwnerMissing, series.ReasonItemCodeMissing, series.ReasonInvalidType}
	if !reflect.DeepEqual(reasons, want) {
		t.Errorf("detail reasons = %v, want %v", reasons, want)
	}
}

func TestMalformedJSON(t *testing.T) {
	cases := map[string]struct{ body, inMessage string }{
		"syntax":             {`{"client_code": "SL1981",`, "not valid JSON"},
		"trailing garbage":   {`{"client_code":"SL1981"} x`, "not valid JSON"},
		"array":              {`[1,2]`, "JSON object"},
		"string":             {`"hello"`, "JSON object"},
		"null":               {`null`, "JSON object"},
		"empty":              {` `, "empty"},
		"fraction for start": {`{"start": 10000071.5, "end": "V2", "client_code": "C", "item_code": "I"}`, "start must be a series number as a string"},
		"object for start":   {`{"start": {}, "end": "V2", "client_code": "C", "item_code": "I"}`, "start must be a string"},
		"string for types":   {`{"service_types": "EXP"}`, "service_types must be an array of strings"},
		"number in types":    {`{"service_types": ["EXP", 3]}`, "service_types must be an array of strings, but it contains a JSON number"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			w := h.invalid().authed(http.MethodPost, createPath, tc.body)
			e := wantError(t, w, http.StatusBadRequest, reasonInvalidJSON, "WRONG_INPUT")
			if msg := e["message"].(string); !strings.Contains(msg, tc.inMessage) {
				t.Errorf("message %q does not contain %q", msg, tc.inMessage)
			}
			if h.series.calls != 0 {
				t.Error("the service ran on a malformed body")
			}
		})
	}
}

func TestBodyOverLimitIs413(t *testing.T) {
	h := newHarness(t)
	big := `{"client_code":"` + strings.Repeat("x", int(DefaultMaxBodyBytes)) + `"}`
	w := h.invalid().authed(http.MethodPost, createPath, big) // oversized
	wantError(t, w, http.StatusRequestEntityTooLarge, reasonPayloadTooLarge, "WRONG_INPUT")
	if h.series.calls != 0 {
		t.Error("the service ran on an oversized body")
	}

	// Exactly at the limit is accepted (and then judged on content).
	pad := int(DefaultMaxBodyBytes) - len(samplePayload)
	w = h.authed(http.MethodPost, createPath, samplePayload+strings.Repeat(" ", pad))
	wantStatus(t, w, http.StatusOK)
}

func TestBodyLimitConfigurable(t *testing.T) {
	h := newHarness(t, func(c *Config, _ *ports.Services) { c.MaxBodyBytes = 16 })
	w := h.authed(http.MethodPost, createPath, samplePayload)
	wantError(t, w, http.StatusRequestEntityTooLarge, reasonPayloadTooLarge, "WRONG_INPUT")
}

func TestNoRouteAndNoMethod(t *testing.T) {
	h := newHarness(t)

	w := h.invalid().do(http.MethodGet, "/nope", "")
	e := wantError(t, w, http.StatusNotFound, "NOT_FOUND", "")
	if len(e) != 3 {
		t.Errorf("404 fields = %v, want message, statusCode, reason", e)
	}

	// PUT: GET /create is GET /:id since number-level inventory (issue
	// 14), authenticated and answered INVALID_ID as DELETE /create is.
	w = h.invalid().do(http.MethodPut, createPath, "")
	e = wantError(t, w, http.StatusMethodNotAllowed, reasonMethodNotAllowed, "")
	if len(e) != 3 {
		t.Errorf("405 fields = %v", e)
	}
	// DELETE is listed too: DELETE /:id matches "create" (and answers
	// INVALID_ID), which gin reports faithfully.
	if allow := w.Header().Get("Allow"); !strings.Contains(allow, http.MethodPost) {
		t.Errorf("Allow = %q, want POST among them", allow)
	}

	w = h.invalid().do(http.MethodPut, "/healthz", "")
	wantError(t, w, http.StatusMethodNotAllowed, reasonMethodNotAllowed, "")
	if allow := w.Header().Get("Allow"); allow != http.MethodGet {
		t.Errorf("Allow = %q, want GET", allow)
	}
}

func TestPanicIs500WithoutStack(t *testing.T) {
	h := newHarness(t)
	h.series.createFn = func(series.Spec) (series.Series, error) { panic("kaboom: secret detail") }
	w := h.authed(http.MethodPost, createPath, samplePayload)
	e := wantError(t, w, http.StatusInternalServerError, "INTERNAL", "")
	if e["message"] != messageInternal {
		t.Errorf("message = %v", e["message"])
	}
	for _, s := range []string{"kaboom", "goroutine", ".go:", "panic"} {
		if strings.Contains(w.Body.String(), s) {
			t.Errorf("body contains %q: %s", s, w.Body)
		}
	}
	logs := h.logs.String()
	if !strings.Contains(logs, "kaboom: secret detail") || !strings.Contains(logs, "goroutine") || !strings.Contains(logs, `"level":"ERROR"`) {
		t.Errorf("panic value and stack not logged at error level: %s", logs)
	}
	// The server keeps serving.
	h.series.createFn = nil
	wantStatus(t, h.authed(http.MethodPost, createPath, samplePayload), http.StatusOK)
}

func TestHealthAndReadiness(t *testing.T) {
	h := newHarness(t, func(_ *Config, s *ports.Services) {
		s.Health = fakeHealth{err: fault.Unavailablef(errors.New("dial tcp: refused"), "database unavailable")}
	})
	w := h.do(http.MethodGet, "/healthz", "")
	wantStatus(t, w, http.StatusOK)
	if got := strings.TrimSpace(w.Body.String()); got != `{"status":"OK"}` {
		t.Errorf("healthz body = %s", got)
	}
	w = h.do(http.MethodGet, "/readyz", "")
	wantError(t, w, http.StatusServiceUnavailable, reasonNotReady, "")
	if strings.Contains(w.Body.String(), "refused") {
		t.Errorf("readyz leaks the cause: %s", w.Body)
	}

	ready := newHarness(t)
	w = ready.do(http.MethodGet, "/readyz", "")
	wantStatus(t, w, http.StatusOK)
	if got := strings.TrimSpace(w.Body.String()); got != `{"status":"OK"}` {
		t.Errorf("readyz body = %s", got)
	}
}

func TestListSeries(t *testing.T) {
	h := newHarness(t)
	exhausted := seriesFromSpec(series.Spec{Start: "V1", End: "V2", HubCode: "BF074", ItemCode: "I", Type: "physical", ServiceTypes: []string{"EXP"}})
	exhausted.ID, exhausted.Drawn = 5, 2
	h.series.listFn = func(ports.SeriesQuery) (ports.SeriesPage, error) {
		return ports.SeriesPage{Items: []series.Series{seriesFromSpec(series.Spec{Start: "V10", End: "V19", ClientCode: "SL1981", ItemCode: "I"}), exhausted}, Total: 12}, nil
	}
	w := h.authed(http.MethodGet, SeriesPath+"?client_code=SL1981&item_code=I&type=Physical&limit=2&offset=4", "")
	wantStatus(t, w, http.StatusOK)
	want := ports.SeriesQuery{Query: ports.Query{Limit: 2, Offset: 4}, ClientCode: "SL1981", ItemCode: "I", Type: series.Physical}
	if h.series.query != want {
		t.Errorf("query = %+v, want %+v", h.series.query, want)
	}
	data := decode(t, w.Body.Bytes())["data"].(map[string]any)
	if data["total"] != 12.0 || data["limit"] != 2.0 || data["offset"] != 4.0 {
		t.Errorf("paging = %v", data)
	}
	items := data["series"].([]any)
	if len(items) != 2 {
		t.Fatalf("series = %v", items)
	}
	hub := items[1].(map[string]any)
	if hub["hub_code"] != "BF074" || hub["next_available"] != nil || hub["remaining"] != 0.0 || hub["drawn"] != 2.0 {
		t.Errorf("exhausted hub series = %v", hub)
	}
	if _, has := hub["client_code"]; has {
		t.Errorf("hub series has a client_code: %v", hub)
	}
	if items[0].(map[string]any)["next_available"] != "V10" {
		t.Errorf("next_available = %v", items[0])
	}

	// The trailing slash form and the defaults.
	w = h.authed(http.MethodGet, SeriesPath+"/", "")
	wantStatus(t, w, http.StatusOK)
	if q := h.series.query; q.Limit != page.Default || q.Offset != 0 || q.Type != "" {
		t.Errorf("default query = %+v", q)
	}
}

func TestListEmptyIsArray(t *testing.T) {
	h := newHarness(t)
	w := h.authed(http.MethodGet, SeriesPath, "")
	wantStatus(t, w, http.StatusOK)
	if !strings.Contains(w.Body.String(), `"series":[]`) {
		t.Errorf("empty list body = %s", w.Body)
	}
}

func TestListBadParameters(t *testing.T) {
	cases := map[string]struct {
		query, reason string
		details       int
	}{
		"limit letters":  {"limit=ten", reasonInvalidLimit, 0},
		"limit zero":     {"limit=0", reasonInvalidLimit, 0},
		"limit too big":  {"limit=1001", reasonInvalidLimit, 0},
		"negative off":   {"offset=-1", reasonInvalidOffset, 0},
		"bad type":       {"type=digital", series.ReasonInvalidType, 0},
		"limit + offset": {"limit=x&offset=y", reasonInvalidLimit, 2},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			// A type outside the enumeration is a rule of the server (any
			// letter case is accepted), not of the document.
			w := h.invalidIf(name != "bad type").authed(http.MethodGet, SeriesPath+"?"+tc.query, "")
			e := wantError(t, w, http.StatusBadRequest, tc.reason, "WRONG_INPUT")
			d, _ := e["details"].([]any)
			if len(d) != tc.details {
				t.Errorf("details = %v, want %d", d, tc.details)
			}
			if h.series.calls != 0 {
				t.Error("service called")
			}
		})
	}
}

func TestLookup(t *testing.T) {
	h := newHarness(t)
	w := h.authed(http.MethodGet, SeriesPath+"/lookup?number=V10000075", "")
	e := wantError(t, w, http.StatusNotFound, series.ReasonNumberFree, "")
	if !strings.Contains(e["message"].(string), "V10000075") {
		t.Errorf("message = %v", e["message"])
	}

	h.series.lookupFn = func(string) (series.Series, error) {
		return seriesFromSpec(series.Spec{Start: "V10000071", End: "V10000080", ClientCode: "SL1981", ItemCode: "P7WJEJANkt"}), nil
	}
	w = h.authed(http.MethodGet, SeriesPath+"/lookup?number=v10000075", "")
	wantStatus(t, w, http.StatusOK)
	data := decode(t, w.Body.Bytes())["data"].(map[string]any)
	if data["number"] != "V10000075" || !reflect.DeepEqual(data["owner"], map[string]any{"kind": "customer", "code": "SL1981"}) {
		t.Errorf("lookup data = %v", data)
	}
	if s := data["series"].(map[string]any); s["start"] != "V10000071" {
		t.Errorf("series = %v", s)
	}

	w = h.invalid().authed(http.MethodGet, SeriesPath+"/lookup", "")
	wantError(t, w, http.StatusBadRequest, series.ReasonInvalidNumber, "WRONG_INPUT")
}

func TestNext(t *testing.T) {
	h := newHarness(t)
	h.series.nextFn = func(r ports.NextRequest) ([]series.Drawn, error) {
		return []series.Drawn{
			{SeriesID: 1, Range: series.MustParseRange("V10000079", "V10000080")},
			{SeriesID: 2, Range: series.MustParseRange("V20000001", "V20000001")},
		}, nil
	}
	w := h.authed(http.MethodPost, SeriesPath+"/next", `{"client_code":"SL1981","item_code":"P7","service_type":"EXP","count":3}`)
	wantStatus(t, w, http.StatusOK)
	want := mustJSON(`{"status":"OK","data":{"numbers":["V10000079","V10000080","V20000001"],"runs":[
		{"series_id":1,"start":"V10000079","end":"V10000080","count":2},
		{"series_id":2,"start":"V20000001","end":"V20000001","count":1}]}}`)
	if got := decode(t, w.Body.Bytes()); !reflect.DeepEqual(any(got), want) {
		t.Errorf("body = %s", w.Body)
	}
	// The draw is recorded in history under the key that made it.
	wantReq := ports.NextRequest{ClientCode: "SL1981", ItemCode: "P7", ServiceType: "EXP", Count: 3, Actor: "api-key:ak_live_9fQ"}
	if h.series.next != wantReq {
		t.Errorf("request = %+v, want %+v", h.series.next, wantReq)
	}

	// count defaults to 1.
	h.authed(http.MethodPost, SeriesPath+"/next", `{"hub_code":"H","item_code":"P7"}`)
	if h.series.next.Count != 1 {
		t.Errorf("default count = %d", h.series.next.Count)
	}

	h.series.nextFn = func(ports.NextRequest) ([]series.Drawn, error) {
		return nil, fault.New(fault.Conflict, series.ReasonExhausted, "only 2 numbers are left")
	}
	w = h.authed(http.MethodPost, SeriesPath+"/next", `{"client_code":"SL1981","item_code":"P7","count":3}`)
	wantError(t, w, http.StatusBadRequest, series.ReasonExhausted, "WRONG_INPUT")

	w = h.invalid().authed(http.MethodPost, SeriesPath+"/next", `{"client_code":"SL1981","item_code":"P7","count":1.5}`)
	e := wantError(t, w, http.StatusBadRequest, reasonInvalidJSON, "WRONG_INPUT")
	if !strings.Contains(e["message"].(string), "count must be an integer") {
		t.Errorf("message = %v", e["message"])
	}
}

func TestNextRefusesUnboundedRuns(t *testing.T) {
	h := newHarness(t)
	h.series.nextFn = func(ports.NextRequest) ([]series.Drawn, error) {
		return []series.Drawn{{SeriesID: 1, Range: series.MustParseRange("V0", "V99999999999")}}, nil
	}
	w := h.authed(http.MethodPost, SeriesPath+"/next", `{"client_code":"SL1981","item_code":"P7","count":3}`)
	wantError(t, w, http.StatusInternalServerError, "INTERNAL", "")
}

func TestDelete(t *testing.T) {
	h := newHarness(t)
	w := h.authed(http.MethodPost, SeriesPath+"/delete", `{"ids":[3,1,3]}`)
	wantStatus(t, w, http.StatusOK)
	if got := strings.TrimSpace(w.Body.String()); got != `{"status":"OK","data":{"deleted":[3,1]}}` {
		t.Errorf("body = %s", got)
	}
	if !reflect.DeepEqual(h.series.deleted, []int64{3, 1}) {
		t.Errorf("deleted = %v", h.series.deleted)
	}

	w = h.authed(http.MethodDelete, SeriesPath+"/9", "")
	wantStatus(t, w, http.StatusOK)
	if got := strings.TrimSpace(w.Body.String()); got != `{"status":"OK","data":{"deleted":[9]}}` {
		t.Errorf("body = %s", got)
	}

	w = h.invalid().authed(http.MethodDelete, SeriesPath+"/abc", "")
	wantError(t, w, http.StatusBadRequest, reasonInvalidID, "WRONG_INPUT")

	h.series.deleteFn = func([]int64) error {
		return fault.New(fault.Conflict, series.ReasonHasDrawn, "series 9 has numbers drawn")
	}
	w = h.authed(http.MethodDelete, SeriesPath+"/9", "")
	wantError(t, w, http.StatusBadRequest, series.ReasonHasDrawn, "WRONG_INPUT")

	h.series.deleteFn = func([]int64) error {
		return fault.New(fault.NotFound, series.ReasonNotFound, "series 9 does not exist")
	}
	w = h.authed(http.MethodPost, SeriesPath+"/delete", `{"ids":[9]}`)
	wantError(t, w, http.StatusNotFound, series.ReasonNotFound, "")

	w = h.invalid().authed(http.MethodPost, SeriesPath+"/delete", `{"ids":["9"]}`)
	wantError(t, w, http.StatusBadRequest, reasonInvalidJSON, "WRONG_INPUT")
}

func TestEveryRouteIsAuthenticated(t *testing.T) {
	h := newHarness(t)
	for _, r := range []struct{ method, path, body string }{
		{http.MethodGet, SeriesPath, ""},
		{http.MethodGet, SeriesPath + "/", ""},
		{http.MethodGet, SeriesPath + "/lookup?number=V1", ""},
		{http.MethodPost, SeriesPath + "/create", samplePayload},
		{http.MethodPost, SeriesPath + "/next", `{"client_code":"SL1981","item_code":"P7"}`},
		{http.MethodPost, SeriesPath + "/delete", `{"ids":[1]}`},
		{http.MethodDelete, SeriesPath + "/1", ""},
	} {
		w := h.do(r.method, r.path, r.body)
		if w.Code != http.StatusUnauthorized {
			t.Errorf("%s %s without key = %d", r.method, r.path, w.Code)
		}
	}
	if h.series.calls != 0 {
		t.Error("service called without a key")
	}
}
