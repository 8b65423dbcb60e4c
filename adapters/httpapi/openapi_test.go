package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"os/exec"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/ports"
)

// TestOpenAPIDocumentsServed fetches both documents from the handler,
// without credentials, and checks that they load and validate as OpenAPI 3.0
// documents, are the embedded ones, and are cacheable.
func TestOpenAPIDocumentsServed(t *testing.T) {
	h := newHarness(t)
	for path, embedded := range map[string][]byte{SeriesOpenAPIPath: SeriesOpenAPI(), BSSOpenAPIPath: BSSOpenAPI()} {
		w := h.do(http.MethodGet, path, "")
		wantStatus(t, w, http.StatusOK)
		if w.Body.String() != string(embedded) {
			t.Errorf("%s is not the embedded document", path)
		}
		if cc := w.Header().Get("Cache-Control"); !strings.Contains(cc, "max-age=") {
			t.Errorf("%s Cache-Control = %q", path, cc)
		}
		doc, err := openapi3.NewLoader().LoadFromData(w.Body.Bytes())
		if err != nil {
			t.Fatalf("%s does not load: %v", path, err)
		}
		if err := doc.Validate(context.Background()); err != nil {
			t.Errorf("%s is not a valid OpenAPI document: %v", path, err)
		}
		if !strings.HasPrefix(doc.OpenAPI, "3.0.") {
			t.Errorf("%s is OpenAPI %q, want 3.0", path, doc.OpenAPI)
		}
		etag := w.Header().Get("ETag")
		if etag == "" {
			t.Fatalf("%s has no ETag", path)
		}
		if w := h.do(http.MethodGet, path, "", "If-None-Match", etag); w.Code != http.StatusNotModified || w.Body.Len() != 0 {
			t.Errorf("%s with If-None-Match: %d %q, want an empty 304", path, w.Code, w.Body)
		}
		if w := h.do(http.MethodGet, path, "", "If-None-Match", `"other"`); w.Code != http.StatusOK {
			t.Errorf("%s with another ETag: %d, want 200", path, w.Code)
		}
	}
}

// TestOpenAPIDocumentsCoverEveryRoute holds the documents to the engine's
// routes, both ways: every route is an operation of one document and every
// operation a route.
func TestOpenAPIDocumentsCoverEveryRoute(t *testing.T) {
	h, _ := newOrdersHarness(t)
	c, err := loadContract()
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for _, d := range []*contractDoc{c.series, c.bss} {
		for path, item := range d.doc.Paths.Map() {
			for method := range item.Operations() {
				documented[method+" "+path] = true
			}
		}
	}
	routed := map[string]bool{}
	for _, r := range h.api.Engine().Routes() {
		p := r.Path
		if p != "/" {
			// The list's trailing-slash twin is the same operation.
			p = strings.TrimSuffix(p, "/")
		}
		if i := strings.Index(p, "/:"); i >= 0 {
			p = p[:i] + "/{" + p[i+2:] + "}"
		}
		routed[r.Method+" "+p] = true
	}
	for k := range routed {
		if !documented[k] {
			t.Errorf("route %s is in no OpenAPI document", k)
		}
	}
	for k := range documented {
		if !routed[k] {
			t.Errorf("operation %s of the documents is not routed", k)
		}
	}
}

// TestOpenAPIBSSDocumentNamesEveryActionAndField: every module's actions
// are its discriminator's mapping, and the domain's tables of request,
// line and plan fields and the adapter's msg_codes are all in the document.
func TestOpenAPIBSSDocumentNamesEveryActionAndField(t *testing.T) {
	c, err := loadContract()
	if err != nil {
		t.Fatal(err)
	}
	doc := c.bss.doc
	for _, m := range bssModules {
		item := doc.Paths.Find(m.path)
		if item == nil || item.Post == nil {
			t.Errorf("module %s is not documented", m.path)
			continue
		}
		body := item.Post.RequestBody.Value.Content.Get("application/json").Schema.Value
		if body.Discriminator == nil || body.Discriminator.PropertyName != fieldAction {
			t.Errorf("module %s: the request body is not a oneOf discriminated by action", m.path)
			continue
		}
		var got, want []string
		for a := range body.Discriminator.Mapping {
			got = append(got, a)
		}
		for a := range m.actions {
			want = append(want, a)
		}
		sort.Strings(got)
		sort.Strings(want)
		if !slices.Equal(got, want) {
			t.Errorf("module %s: documented actions %v, served %v", m.path, got, want)
		}
		// Each action's schema takes the fields common to every call.
		for a, ref := range body.Discriminator.Mapping {
			s := doc.Components.Schemas[strings.TrimPrefix(ref.Ref, "#/components/schemas/")]
			if s == nil {
				t.Errorf("module %s action %s: no schema %s", m.path, a, ref.Ref)
				continue
			}
			for _, f := range enrollment.RequestFields() {
				if _, ok := s.Value.Properties[f.JSON]; !ok && commonField(f.JSON) {
					t.Errorf("action %s does not document %s", a, f.JSON)
				}
			}
		}
	}
	line := doc.Components.Schemas["Line"].Value
	for _, f := range enrollment.LineFields() {
		if _, ok := line.Properties[f.JSON]; !ok {
			t.Errorf("line field %s is not documented", f.JSON)
		}
	}
	for _, g := range enrollment.LineGroups() {
		if _, ok := line.Properties[g.JSON]; !ok {
			t.Errorf("line group %s is not documented", g.JSON)
		}
	}
	for _, name := range []string{"CreateCustomerRequest", "CreateCustomerV2Request"} {
		s := doc.Components.Schemas[name].Value
		for _, f := range enrollment.RequestFields() {
			if _, ok := s.Properties[f.JSON]; !ok {
				t.Errorf("%s does not document %s", name, f.JSON)
			}
		}
	}
	plan := doc.Components.Schemas["Plan"].Value
	if got, want := plan.Required, enrollment.PlanFieldNames(); !slices.Equal(got, want) {
		t.Errorf("documented plan fields %v,\nserved %v", got, want)
	}
	codes := doc.Components.Schemas["MsgCode"].Value.Enum
	for _, code := range []string{msgCodeSuccess, msgCodeAccess, msgCodeNoModule, msgCodeNoAction, msgCodeSource, msgCodeAgent,
		msgCodeUnknownModule, msgCodeUnknownAction, msgCodeCompany, msgCodeMethod, msgCodeUnauthorized, msgCodeError, msgCodeErrors} {
		if !slices.Contains(codes, any(code)) {
			t.Errorf("msg_code %s is not documented", code)
		}
	}
	if len(codes) != 13 {
		t.Errorf("%d msg_codes documented, want the 13 of the vendor's table", len(codes))
	}
}

// commonField reports whether a top-level field is read by every action
// (the others belong to customer creation).
func commonField(name string) bool {
	switch name {
	case "agent_id", "agent_password", "source", "external_transaction_id":
		return true
	}
	return false
}

// recordingTB is a testing.TB that records failures instead of failing, so
// that a test can show the contract check catches what it must.
type recordingTB struct {
	testing.TB
	failures []string
}

func (r *recordingTB) Helper() {}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}

func (r *recordingTB) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
}

// TestOpenAPICheckCatchesDrift: the contract check fails a response that
// differs from the document in a field, a type, a status or a required
// header, a request that does not match, and a mark that is stale; it
// passes the same exchanges when they match.
func TestOpenAPICheckCatchesDrift(t *testing.T) {
	json := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	retry := json.Clone()
	retry.Set("Retry-After", "5")
	series := `{"id":42,"client_code":"SL1981","type":"virtual","start":"V10000071","end":"V10000080","count":10,"item_code":"I",` +
		`"service_types":[],"creator_hub":null,"next_available":"V10000071","drawn":0,"remaining":10,"created_at":"2026-03-04T05:06:07Z",` +
		`"check_digit":"none","used":0,"void":0,"available":10,"low_stock":false%s}`
	create := func(body string) exchange {
		return exchange{method: http.MethodPost, target: createPath, header: http.Header{"Content-Type": {"application/json"}, "Authorization": {"Basic k"}},
			body: []byte(body), status: http.StatusOK, rheader: json, rbody: []byte(`{"status":"OK","data":` + fmt.Sprintf(series, "") + `}`)}
	}
	v2 := func(line string) exchange {
		return exchange{method: http.MethodPost, target: CustomerPath, header: http.Header{"Content-Type": {"application/json"}, "Token": {"t"}},
			body:   []byte(`{"action":"create_prepaid_postpaid_customer_v2","agent_id":"a","source":"API","lines":[{"enrollment_id":"E1"}]}`),
			status: http.StatusOK, rheader: json,
			rbody: []byte(`{"data":[{"data":{` + line + `},"msg":"Success","msg_code":"RESTAPI000"}],"msg":"Success","msg_code":"RESTAPI000","token":"t2"}`)}
	}
	const v2Line = `"cust_id":3188,"customer_id":3188,"enrollment_id":"E1","enrollment_type":"SHIPMENT","invoice_number":"","mdn":null,"msid":"","msl":""`
	valid := create(samplePayload)

	cases := []struct {
		name string
		x    func() exchange
		mode requestMode
		fail bool
	}{
		{"matching create", func() exchange { return valid }, requestValid, false},
		{"undocumented response field", func() exchange {
			x := valid
			x.rbody = []byte(`{"status":"OK","data":` + fmt.Sprintf(series, `,"colour":"red"`) + `}`)
			return x
		}, requestValid, true},
		{"undocumented status", func() exchange { x := valid; x.status = http.StatusTeapot; return x }, requestValid, true},
		{"503 without Retry-After", func() exchange {
			x := valid
			x.status, x.rbody = http.StatusServiceUnavailable, []byte(`{"error":{"message":"m","statusCode":503,"reason":"UNAVAILABLE"}}`)
			return x
		}, requestValid, true},
		{"503 with Retry-After", func() exchange {
			x := valid
			x.status, x.rheader, x.rbody = http.StatusServiceUnavailable, retry, []byte(`{"error":{"message":"m","statusCode":503,"reason":"UNAVAILABLE"}}`)
			return x
		}, requestValid, false},
		{"request of the wrong type", func() exchange { return create(`{"start":{},"end":"V2","client_code":"C","item_code":"I"}`) }, requestValid, true},
		{"request of the wrong type, marked", func() exchange { return create(`{"start":{},"end":"V2","client_code":"C","item_code":"I"}`) }, requestInvalid, false},
		{"stale mark", func() exchange { return valid }, requestInvalid, true},
		{"matching v2", func() exchange { return v2(v2Line + `,"external_transaction_id":""`) }, requestValid, false},
		// (Without its external_transaction_id a v2 line is the multiline
		// action's, which the response schema allows: OpenAPI 3.0 cannot tie
		// a response to the request's action.)
		{"v2 line with an undocumented field", func() exchange { return v2(v2Line + `,"external_transaction_id":"","sim":"8901"`) }, requestValid, true},
		{"v2 msl not empty", func() exchange {
			return v2(strings.Replace(v2Line, `"msl":""`, `"msl":"x"`, 1) + `,"external_transaction_id":""`)
		}, requestValid, true},
		{"v2 id as a fraction", func() exchange {
			return v2(strings.Replace(v2Line, `"cust_id":3188`, `"cust_id":3188.5`, 1) + `,"external_transaction_id":""`)
		}, requestValid, true},
		{"v2 ids as strings", func() exchange {
			return v2(strings.ReplaceAll(v2Line, `3188`, `"3188"`) + `,"external_transaction_id":""`)
		}, requestValid, false},
		{"unknown path", func() exchange {
			return exchange{method: http.MethodGet, target: "/nope", status: http.StatusNotFound, rheader: json,
				rbody: []byte(`{"error":{"message":"m","statusCode":404,"reason":"NOT_FOUND"}}`)}
		}, requestInvalid, false},
		{"unknown path, unmarked", func() exchange {
			return exchange{method: http.MethodGet, target: "/nope", status: http.StatusNotFound, rheader: json,
				rbody: []byte(`{"error":{"message":"m","statusCode":404,"reason":"NOT_FOUND"}}`)}
		}, requestValid, true},
		{"unknown module in the wrong envelope", func() exchange {
			return exchange{method: http.MethodPost, target: "/nope", body: []byte(`{}`), status: http.StatusOK, rheader: json,
				rbody: []byte(`{"msg":"Module does not exist","msg_code":"RESTAPI999","token":""}`)}
		}, requestInvalid, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recordingTB{TB: t}
			checkExchange(rec, tc.x(), tc.mode)
			if failed := len(rec.failures) > 0; failed != tc.fail {
				t.Errorf("check failed = %v, want %v: %v", failed, tc.fail, rec.failures)
			}
		})
	}
}

// TestOpenAPIWithoutOrders: without an order service the order modules
// answer RESTAPI105, which their documented operation allows.
func TestOpenAPIWithoutOrders(t *testing.T) {
	h := newHarness(t, func(_ *Config, s *ports.Services) { s.Orders = nil })
	wantBSS(t, h.bss(ShippingPath, `{"action":"get_shipping_methods"}`, h.enr.token()), http.StatusOK, bssBody("Module does not exist", "RESTAPI105", tokenN(2)))
}

// TestOpenAPIValidatorNotInBinary: kin-openapi validates in tests only; the
// allot binary serves the documents as embedded bytes and links none of it.
func TestOpenAPIValidatorNotInBinary(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", "./cmd/allot")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		if strings.HasPrefix(p, "github.com/getkin/") {
			t.Errorf("the allot binary links %s", p)
		}
	}
	if !strings.Contains(string(out), "github.com/allot-io/allot/adapters/httpapi") {
		t.Fatal("go list did not list the HTTP adapter; the check would prove nothing")
	}
}
