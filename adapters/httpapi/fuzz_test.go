package httpapi

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// The decoders of both APIs, fuzzed through the whole handler (with the
// fake services; the series create checks the domain's rules too). Their
// property: whatever the bytes, the answer is a client error or a success,
// never a 5xx, and nothing panics (a panic would be a 500 from the
// recovery middleware). The seeds under testdata/fuzz run with every
// `go test`; `make fuzz` explores from them.

// noServerError fails t when w is a server error.
func noServerError(t *testing.T, status int, body string, input []byte) {
	t.Helper()
	if status >= 500 {
		t.Fatalf("HTTP %d for %q: %s", status, input, body)
	}
}

func fuzzSeriesBody(f *testing.F, path string, seeds ...string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		h := newHarness(t)
		h.mode = requestAny // fuzzed input; the response is validated
		h.series.createFn = validatingCreate
		w := h.authed(http.MethodPost, path, string(body))
		noServerError(t, w.Code, w.Body.String(), body)
	})
}

func FuzzSeriesCreate(f *testing.F) {
	fuzzSeriesBody(f, createPath,
		samplePayload,
		`{"client_code":"SL1981","start":10001101,"end":10001200,"item_code":"I","service_types":["EXP"]}`,
		`{"client_code":"BOGUS","client_code":"SL1981"}`,
		`{"START":"V1","type":"virtual ","service_types":[""]}`,
		`{"start":"\u0000","end":[1,{"a":null}],"note":{"x":[[[]]]}}`)
}

func FuzzSeriesNext(f *testing.F) {
	fuzzSeriesBody(f, SeriesPath+"/next",
		`{"client_code":"SL1981","item_code":"P7","count":3}`,
		`{"hub_code":"H","item_code":"P7","count":0}`,
		`{"client_code":"SL1981","item_code":"P7","count":1e400}`,
		`{"client_code":"\u0000","count":-9223372036854775808}`)
}

func FuzzSeriesDelete(f *testing.F) {
	fuzzSeriesBody(f, SeriesPath+"/delete",
		`{"ids":[1,2,3]}`, `{"ids":[]}`, `{"ids":[9223372036854775807,-1,0]}`, `{"ids":"1"}`, `{"ids":[1.5]}`)
}

func FuzzSeriesListQuery(f *testing.F) {
	for _, s := range []string{
		"client_code=SL1981&limit=10&offset=0", "type=physical", "limit=1001", "offset=-1",
		"client_code=%00", "api_key=ak_x", "number=V10000075", "a=%zz&&==&limit=%20",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, query string) {
		h := newHarness(t)
		for _, path := range []string{SeriesPath, SeriesPath + "/lookup"} {
			// The raw query as the server would receive it, control
			// bytes included (net/http reads a request line's query as
			// sent).
			req := httptest.NewRequest(http.MethodGet, path, nil)
			req.URL.RawQuery = query
			req.Header.Set("Authorization", "Basic "+testKey)
			sent := req.Header.Clone()
			w := httptest.NewRecorder()
			h.api.ServeHTTP(w, req)
			noServerError(t, w.Code, w.Body.String(), []byte(query))
			checkExchange(t, exchange{method: http.MethodGet, target: path + "?" + query, header: sent,
				status: w.Code, rheader: w.Header(), rbody: w.Body.Bytes()}, requestAny)
		}
	})
}

func fuzzBSS(f *testing.F, path string, seeds ...string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		h := newHarness(t)
		h.mode = requestAny // fuzzed input; the response is validated
		w := h.bss(path, string(body), h.enr.token())
		noServerError(t, w.Code, w.Body.String(), body)
	})
}

// FuzzBSSEnvelope fuzzes the envelope every module call is read through
// (object, action, the common fields), on the module that takes none of
// its own.
func FuzzBSSEnvelope(f *testing.F) {
	fuzzBSS(f, "/",
		planBody, `[]`, `{"action":null}`, `{"action":{"a":1},"external_transaction_id":"TX1"}`,
		`{"agent_id":"a\u0000","source":"API","action":"plan_list"}`)
}

func FuzzBSSAuthenticate(f *testing.F) {
	fuzzBSS(f, AuthenticatePath,
		authBody, `{"vendor_id":"V\u0000","username":"u","password":"p","pin":1}`, `{"vendor_id":["x"]}`, `{}`)
}

func FuzzBSSCheckAvailability(f *testing.F) {
	fuzzBSS(f, EnrollmentPath,
		availBody, `{"action":"check_service_availability","zip_code":98103,"is_enrollment":true}`,
		`{"action":"CHECK_SERVICE_AVAILABILITY","zip_code":{"a":1}}`)
}

func FuzzBSSPlanList(f *testing.F) {
	fuzzBSS(f, PlanPath, planBody, `{"action":"plan_list","plan_id":1828}`, `{"action":"plan_list","plan_id":[1]}`)
}

func FuzzBSSCreateCustomer(f *testing.F) {
	fuzzBSS(f, CustomerPath,
		createBody(""), docSampleRequest, `{"action":"create_customer_prepaid_multiline","lines":[null,1,"x",{}]}`,
		`{"action":"add_line_nonlifeline_customer","lines":[{"first_name":"\u0000"}]}`,
		`{"action":"create_customer_prepaid_multiline","lines":{}}`)
}
