package httpapi

import (
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/ports"
)

// validatingCreate makes the fake service judge a spec by the domain's
// rules, as the real one does first.
func validatingCreate(spec series.Spec) (series.Series, error) {
	if _, err := series.Validate(spec, series.Limits{}); err != nil {
		return series.Series{}, err
	}
	return seriesFromSpec(spec), nil
}

// TestDefect2ErrorListsAreBounded sends the probe's 1 MiB body of 349,425
// empty service_types. The old adapter decoded every element and the
// domain reported one violation each: a 42.5 MB 400. Now the array is cut
// off while decoding, the answer is a small 400, and serving it allocates
// a small multiple of the body.
func TestDefect2ErrorListsAreBounded(t *testing.T) {
	h := newHarness(t)
	h.series.createFn = validatingCreate
	var b strings.Builder
	b.WriteString(`{"client_code":"SL1981","start":"V1","end":"V9","item_code":"I","service_types":[`)
	for i := range 349_425 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`""`)
	}
	b.WriteString("]}")
	body := b.String()
	if len(body) > int(DefaultMaxBodyBytes) {
		t.Fatalf("body of %d bytes is over the limit", len(body))
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	// The server alone is measured; the exchange is validated after.
	w, x := h.send(http.MethodPost, createPath, body, "Authorization", "Basic "+testKey)
	runtime.ReadMemStats(&after)
	checkExchange(t, x, h.mode)
	wantStatus(t, w, http.StatusBadRequest)
	if w.Body.Len() > 4096 {
		t.Errorf("the 400 is %d bytes, want a small one", w.Body.Len())
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 6*uint64(len(body)) {
		t.Errorf("serving a %d-byte body allocated %d bytes, over 6 times the body", len(body), alloc)
	}
}

// TestDefect2RenderListsTwentyViolations: a fault with many violations is
// answered with the first fault.MaxListed and a count of the rest, on both
// APIs.
func TestDefect2RenderListsTwentyViolations(t *testing.T) {
	var vs fault.Violations
	for range 500 {
		vs.Add(fault.Violation{Field: "f", Reason: "R", Message: "bad"})
	}
	_, env := render(vs.Err())
	if len(env.Error.Details) != fault.MaxListed || env.Error.DetailsOmitted != 480 {
		t.Errorf("details %d, omitted %d; want %d and 480", len(env.Error.Details), env.Error.DetailsOmitted, fault.MaxListed)
	}
	_, benv, _ := renderBSS(vs.Err())
	if len(benv.Errors) != fault.MaxListed+1 || benv.Errors[fault.MaxListed] != "and 480 more errors" {
		t.Errorf("BSS errors %d, last %q", len(benv.Errors), benv.Errors[len(benv.Errors)-1])
	}
}

// TestDefect3ControlCharactersAreTheFieldsOrdinary400 sends a NUL (and
// other control characters) in every text field of the series API and in
// the list's query filters; before, they reached the database, which
// answered 500. Now each is the field's own 400 before any service runs.
func TestDefect3ControlCharactersAreTheFieldsOrdinary400(t *testing.T) {
	bodies := map[string]struct{ path, body, reason string }{
		"client_code":   {createPath, `{"client_code":"SL\u00001981","start":"V1","end":"V2","item_code":"I"}`, series.ReasonClientNotFound},
		"hub_code":      {createPath, `{"hub_code":"H\u0000","start":"V1","end":"V2","item_code":"I"}`, series.ReasonHubNotFound},
		"creator_hub":   {createPath, `{"client_code":"C","creator_hub":"\u0000","start":"V1","end":"V2","item_code":"I"}`, series.ReasonCreatorHubNotFound},
		"service_types": {createPath, `{"client_code":"C","service_types":["EXP\u0000"],"start":"V1","end":"V2","item_code":"I"}`, series.ReasonInvalidServiceType},
		"start":         {createPath, `{"client_code":"C","start":"V1\u0007","end":"V2","item_code":"I"}`, series.ReasonInvalidStart},
		"item_code":     {createPath, `{"client_code":"C","start":"V1","end":"V2","item_code":"I\u001b"}`, series.ReasonInvalidItemCode},
		"next client":   {SeriesPath + "/next", `{"client_code":"\u0000","item_code":"I"}`, series.ReasonClientNotFound},
		"next item":     {SeriesPath + "/next", `{"client_code":"C","item_code":"I\u0000"}`, series.ReasonInvalidItemCode},
		"next service":  {SeriesPath + "/next", `{"client_code":"C","item_code":"I","service_type":"\u0000"}`, series.ReasonServiceTypeUnknown},
	}
	for name, tc := range bodies {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			w := h.authed(http.MethodPost, tc.path, tc.body)
			e := wantError(t, w, http.StatusBadRequest, tc.reason, "WRONG_INPUT")
			if !strings.Contains(e["message"].(string), "control characters") || h.series.calls != 0 {
				t.Errorf("message %v, service calls %d", e["message"], h.series.calls)
			}
		})
	}
	for _, q := range []string{"client_code=SL%001981", "hub_code=%00", "item_code=I%00", "type=virtual%00", "number=V1%00"} {
		t.Run(q, func(t *testing.T) {
			h := newHarness(t)
			path := SeriesPath + "?" + q
			if strings.HasPrefix(q, "number") {
				path = SeriesPath + "/lookup?" + q
			}
			w := h.authed(http.MethodGet, path, "")
			wantStatus(t, w, http.StatusBadRequest)
			if h.series.calls != 0 {
				t.Error("the service ran")
			}
		})
	}
}

// TestDefect8StrictJSON: duplicate keys, keys in another case and values
// with surrounding spaces were accepted (the last duplicate won, "START"
// was start, " V100" was V100); each is now a 400 naming the key.
func TestDefect8StrictJSON(t *testing.T) {
	cases := map[string]struct{ body, reason, inMessage string }{
		"duplicate key": {`{"client_code":"BOGUS","client_code":"SL1981","start":"V1","end":"V2","item_code":"I"}`, reasonDuplicateKey, `"client_code"`},
		"wrong case":    {`{"client_code":"SL1981","START":"V1","end":"V2","item_code":"I"}`, reasonKeyCase, `"START"`},
		"spaced type":   {`{"client_code":"SL1981","type":"virtual ","start":"V1","end":"V2","item_code":"I"}`, series.ReasonInvalidType, "type must not begin or end with spaces"},
		"spaced start":  {`{"client_code":"SL1981","start":" V100","end":"V200","item_code":"I"}`, series.ReasonInvalidStart, "start must not begin or end with spaces"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			// "START" leaves start out, which the document requires.
			w := h.invalidIf(name == "wrong case").authed(http.MethodPost, createPath, tc.body)
			e := wantError(t, w, http.StatusBadRequest, tc.reason, "WRONG_INPUT")
			if !strings.Contains(e["message"].(string), tc.inMessage) || h.series.calls != 0 {
				t.Errorf("message %v does not contain %s (service calls %d)", e["message"], tc.inMessage, h.series.calls)
			}
		})
	}
	// Unknown keys an integrator adds are still ignored.
	h := newHarness(t)
	wantStatus(t, h.authed(http.MethodPost, createPath, `{"client_code":"SL1981","start":"V1","end":"V2","item_code":"I","note":{"a":[1,2]}}`), http.StatusOK)
}

// TestDefect9NextCountZero: "count":0 drew one number (the service's
// default); it is now a 400 INVALID_COUNT, as is anything outside 1 to
// 10,000, and the service never runs.
func TestDefect9NextCountZero(t *testing.T) {
	for _, n := range []string{"0", "-1", "10001"} {
		h := newHarness(t)
		w := h.authed(http.MethodPost, SeriesPath+"/next", `{"client_code":"SL1981","item_code":"P7","count":`+n+`}`)
		wantError(t, w, http.StatusBadRequest, series.ReasonInvalidCount, "WRONG_INPUT")
		if h.series.calls != 0 {
			t.Errorf("count %s reached the service", n)
		}
	}
}

// TestIssue10NumbersAsJSONIntegers: digits-only series numbers sent as JSON
// integers were a 400; they are taken exactly, digit for digit, even 20
// digits that a float64 would round.
func TestIssue10NumbersAsJSONIntegers(t *testing.T) {
	h := newHarness(t)
	w := h.authed(http.MethodPost, createPath, `{"client_code":"SL1981","start":10001101,"end":89012601234567890123,"item_code":"I"}`)
	_ = w
	if h.series.spec.Start != "10001101" || h.series.spec.End != "89012601234567890123" {
		t.Errorf("spec start %q end %q", h.series.spec.Start, h.series.spec.End)
	}
	for _, bad := range []string{`-5`, `1e5`, `10.0`} {
		h := newHarness(t)
		w := h.authed(http.MethodPost, createPath, `{"client_code":"SL1981","start":`+bad+`,"end":"2","item_code":"I"}`)
		wantStatus(t, w, http.StatusBadRequest)
	}
}

// TestDefect6NoQueryValuesLogged: the query string was logged whole at
// INFO, so ?api_key=ak_... put a key in the log. Now only parameter names
// are logged, on every route, and a credential in the query is a 400
// telling the client to use the header.
func TestDefect6NoQueryValuesLogged(t *testing.T) {
	h := newHarness(t)
	w := h.authed(http.MethodGet, SeriesPath+"?api_key=ak_secretvalue&item_code=PRIVATE1", "")
	e := wantError(t, w, http.StatusBadRequest, reasonCredentialsInQuery, "WRONG_INPUT")
	if !strings.Contains(e["message"].(string), "Authorization header") || h.series.calls != 0 {
		t.Errorf("message %v, service calls %d", e["message"], h.series.calls)
	}
	h.authed(http.MethodGet, SeriesPath+"?item_code=PRIVATE2", "")
	h.invalid().do(http.MethodPost, "/authenticate?token=tok_secret", `{}`)
	logs := h.logs.String()
	for _, secret := range []string{"ak_secretvalue", "PRIVATE1", "PRIVATE2", "tok_secret"} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds %q:\n%s", secret, logs)
		}
	}
	if !strings.Contains(logs, `"query_params":"api_key,item_code"`) {
		t.Errorf("the log does not name the parameters:\n%s", logs)
	}
}

// TestDefect3ControlCharactersOnTheBSSAPI: a NUL in /authenticate's
// vendor_id reached the store (HTTP 500 on PostgreSQL); it is now the
// ordinary HTTP 200 "Invalid credentials!!" without a look-up, and a NUL
// in any field of a module call is RESTAPI110 naming the field, before the
// action runs.
func TestDefect3ControlCharactersOnTheBSSAPI(t *testing.T) {
	h := newHarness(t)
	w := h.bss(AuthenticatePath, `{"vendor_id":"V\u0000","username":"u","password":"p","pin":"1"}`, "")
	wantBSS(t, w, http.StatusOK, bssBody("Invalid credentials!!", "RESTAPI001", ""))
	if h.enr.creds != (ports.Credentials{}) {
		t.Errorf("the service was asked with %+v", h.enr.creds)
	}
	for _, body := range []string{
		`{"action":"check_service_availability","zip_code":"981\u000003","enrollment_type":"NON_LIFELINE","is_enrollment":"N","agent_id":"a","source":"API"}`,
		`{"action":"check_service_availability","zip_code":"98103","enrollment_type":"NON_LIFELINE","is_enrollment":"N","agent_id":"a\u0000","source":"API"}`,
	} {
		h := newHarness(t)
		w := h.bss(EnrollmentPath, body, h.enr.token())
		m := decode(t, w.Body.Bytes())
		errs, _ := m["errors"].([]any)
		if w.Code != http.StatusOK || m["msg_code"] != "RESTAPI110" || len(errs) != 1 ||
			!strings.Contains(errs[0].(string), "must not contain control characters") || h.enr.calls != 0 {
			t.Errorf("body %s (action calls %d)", w.Body, h.enr.calls)
		}
	}
}

// TestDefect10TokenConsumedWhateverTheOutcome: a body that is not a JSON
// object, or an unknown module, sent with a valid token left the token
// unused and answered "token":"". Per the convention the call consumes it
// and carries a fresh one, so the client's chain goes on.
func TestDefect10TokenConsumedWhateverTheOutcome(t *testing.T) {
	for name, call := range map[string][2]string{
		"not an object":  {PlanPath, `["plan_list"]`},
		"malformed":      {CustomerPath, `{"action":`},
		"unknown module": {"/plans", planBody},
		"no module":      {"/", planBody},
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			tok := h.enr.token()
			first := decode(t, h.invalidIf(name != "no module").bss(call[0], call[1], tok).Body.Bytes())
			next, _ := first["token"].(string)
			if next == "" || next == tok {
				t.Fatalf("answer %v carries no fresh token", first)
			}
			if again := decode(t, h.bss(PlanPath, planBody, tok).Body.Bytes()); again["msg"] != "Token already used" {
				t.Errorf("the presented token was not consumed: %v", again)
			}
			if chained := decode(t, h.bss(PlanPath, planBody, next).Body.Bytes()); chained["msg_code"] != "RESTAPI000" {
				t.Errorf("the fresh token does not chain: %v", chained)
			}
		})
	}
}

// TestDefect11RetryAfterOnEvery503: during a database outage the 503s of
// both APIs carried no Retry-After; each now says how many seconds to wait.
func TestDefect11RetryAfterOnEvery503(t *testing.T) {
	outage := fault.Unavailablef(nil, "the database is unavailable, try again later")
	h := newHarness(t)
	h.series.createFn = func(series.Spec) (series.Series, error) { return series.Series{}, outage }
	w := h.authed(http.MethodPost, createPath, samplePayload)
	wantStatus(t, w, http.StatusServiceUnavailable)
	if w.Header().Get("Retry-After") != "5" {
		t.Errorf("series 503 Retry-After = %q", w.Header().Get("Retry-After"))
	}
	h.enr.plansFn = func(ports.CallContext, string) ([]enrollment.Plan, error) { return nil, outage }
	w = h.bss(PlanPath, planBody, h.enr.token())
	wantStatus(t, w, http.StatusServiceUnavailable)
	if w.Header().Get("Retry-After") != "5" {
		t.Errorf("BSS 503 Retry-After = %q", w.Header().Get("Retry-After"))
	}
	h = newHarness(t, func(_ *Config, s *ports.Services) { s.Health = outdatedHealth{} })
	w = h.do(http.MethodGet, "/readyz", "")
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
		t.Errorf("/readyz %d, Retry-After %q", w.Code, w.Header().Get("Retry-After"))
	}
}

// TestIssue10APIKeyHeaders: connectors written for the platform's sibling
// APIs send the key as api-key or x-api-key and got 401 NO_API_KEY; both
// are accepted with Authorization's rules.
func TestIssue10APIKeyHeaders(t *testing.T) {
	for _, hdr := range []string{"api-key", "x-api-key", "X-API-KEY"} {
		h := newHarness(t)
		w := h.do(http.MethodGet, SeriesPath, "", hdr, testKey)
		wantStatus(t, w, http.StatusOK)
		w = h.do(http.MethodGet, SeriesPath, "", hdr, "ak_live_nope")
		wantError(t, w, http.StatusUnauthorized, "WRONG_API_KEY", "")
	}
	// The same key twice is one credential.
	h := newHarness(t)
	wantStatus(t, h.do(http.MethodGet, SeriesPath, "", "Authorization", "Basic "+testKey, "x-api-key", testKey), http.StatusOK)
}

// TestDefect12SeveralCredentialHeaders: with two Authorization headers the
// first was used; different credentials in one request, in any of the key
// headers, are now refused with 401 before any look-up.
func TestDefect12SeveralCredentialHeaders(t *testing.T) {
	for name, headers := range map[string][]string{
		"two Authorization":         {"Authorization", "Basic " + testKey, "Authorization", "Basic " + otherKey},
		"Authorization and api-key": {"Authorization", "Basic " + testKey, "api-key", otherKey},
		"api-key and x-api-key":     {"api-key", testKey, "x-api-key", otherKey},
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			w := h.do(http.MethodGet, SeriesPath, "", headers...)
			wantError(t, w, http.StatusUnauthorized, reasonSeveralKeys, "")
			if len(h.auth.seen) != 0 {
				t.Errorf("a key was looked up: %v", h.auth.seen)
			}
		})
	}
}
