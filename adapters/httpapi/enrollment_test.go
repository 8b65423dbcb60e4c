package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// docSampleRequest is the vendor document's sample request, verbatim, from the one
// copy of it the tests share.
var docSampleRequest = readSample("../../domain/enrollment/testdata/sample_request.json")

// docSampleSuccess is the document's sample success response, verbatim.
const docSampleSuccess = `{
  "data": [
    {
      "msg_code": "RESTAPI000",
      "msg": "Success",
      "data": {
        "customer_id": "3188",
        "enrollment_id": "WN11174",
        "enrollment_type": "SHIPMENT",
        "cust_id": "3188",
        "mdn": null,
        "msid": null,
        "msl": "",
        "invoice_number": "2021-09-1288"
      }
    }
  ],
  "msg": "Success",
  "msg_code": "RESTAPI000"
}`

// validLine is a line that passes every rule of the domain.
const validLine = `{"enrollment_id":"WN116","first_name":"Ann","last_name":"Lee","email":"ann@example.com",
	"service_address_one":"112 N 41ST ST","service_city":"SEATTLE","service_state":"WA","service_zip":"98103",
	"plan_id":"1828","activation_type":"NEWACTIVATION","enrollment_type":"SHIPMENT"}`

// createBody is a valid one-line create request with extra top-level
// fields (a leading comma is not needed).
func createBody(extra string) string {
	b := `{"action":"create_customer_prepaid_multiline","agent_id":"ewebsiteapi","source":"WEBSITE","parent_enrollment_id":"WN116","lines":[` + validLine + `]`
	if extra != "" {
		b += "," + extra
	}
	return b + "}"
}

const (
	planBody  = `{"action":"plan_list","agent_id":"ewebsiteapi","source":"API"}`
	availBody = `{"action":"check_service_availability","zip_code":"98103","enrollment_type":"NON_LIFELINE","is_enrollment":"Y","agent_id":"ewebsiteapi","source":"API"}`
	authBody  = `{"vendor_id":"` + testVendor + `","username":"` + testUsername + `","password":"` + testPassword + `","pin":"` + testPin + `"}`
)

// bss POSTs body to path with tok in the "token" header ("" sends none).
func (h *harness) bss(path, body, tok string) *httptest.ResponseRecorder {
	h.t.Helper()
	if tok == "" {
		return h.do(http.MethodPost, path, body)
	}
	return h.do(http.MethodPost, path, body, headerToken, tok)
}

// envelope builds an expected BSS body: msg, msg_code, token and the
// extra key/value pairs.
func bssBody(msg, code, tok string, kv ...any) map[string]any {
	m := map[string]any{"msg": msg, "msg_code": code, "token": tok}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

func list(msgs ...string) []any {
	out := make([]any, len(msgs))
	for i, m := range msgs {
		out[i] = m
	}
	return out
}

// wantBSS checks the status and that the body is exactly want.
func wantBSS(t *testing.T, w *httptest.ResponseRecorder, status int, want map[string]any) {
	t.Helper()
	wantStatus(t, w, status)
	if got := decode(t, w.Body.Bytes()); !reflect.DeepEqual(got, want) {
		t.Errorf("body = %s\nwant   %v", w.Body, want)
	}
}

// TestBSSMsgCodeTable goes through every row of SPEC §2's msg_code table,
// and the server errors, comparing whole bodies.
func TestBSSMsgCodeTable(t *testing.T) {
	// Every case runs on a fresh harness whose first token is tokenN(1);
	// a call that consumes it answers with tokenN(2).
	t1, t2 := tokenN(1), tokenN(2)
	cases := []struct {
		name   string
		setup  func(h *harness)
		call   func(h *harness) *httptest.ResponseRecorder
		status int
		want   map[string]any
	}{
		{name: "000 authenticate", call: func(h *harness) *httptest.ResponseRecorder {
			return h.bss(AuthenticatePath, authBody, "")
		}, want: bssBody("Successfully Authenticate", "RESTAPI000", t1)},
		{name: "000 check_service_availability", call: func(h *harness) *httptest.ResponseRecorder {
			h.enr.token()
			return h.bss(EnrollmentPath, availBody, t1)
		}, want: bssBody("Success", "RESTAPI000", t2, "data", map[string]any{
			"zip_code": "98103", "city": "SEATTLE", "state": "WA", "enrollment_type": "NON_LIFELINE",
			"is_enrollment": "Y", "enrollment_id": "EN7K2M9Q4X"})},
		{name: "000 plan_list", call: func(h *harness) *httptest.ResponseRecorder {
			h.enr.token()
			return h.bss(PlanPath, planBody, t1)
		}, want: bssBody("Success", "RESTAPI000", t2, "data", []any{
			defaultPlanWire("606", "Basic Talk", "10.00"),
			defaultPlanWire("1828", "Unlimited 5G", "25.00")})},
		{name: "000 create_customer_prepaid_multiline", call: func(h *harness) *httptest.ResponseRecorder {
			h.enr.token()
			return h.bss(CustomerPath, createBody(`"invoice_number":"2021-09-1288"`), t1)
		}, want: map[string]any{"msg": "Success", "msg_code": "RESTAPI000", "token": t2, "data": []any{
			map[string]any{"msg_code": "RESTAPI000", "msg": "Success", "data": map[string]any{
				"customer_id": 3188.0, "enrollment_id": "WN116", "enrollment_type": "SHIPMENT", "cust_id": 3188.0,
				"mdn": nil, "msid": "", "msl": "", "invoice_number": "2021-09-1288"}}}}},

		{name: "001 Invalid Token, no header", call: func(h *harness) *httptest.ResponseRecorder {
			return h.invalid().bss(PlanPath, planBody, "")
		}, want: bssBody("Invalid Token", "RESTAPI001", "")},
		{name: "001 Invalid Token, blank header", call: func(h *harness) *httptest.ResponseRecorder {
			return h.bss(PlanPath, planBody, "   ")
		}, want: bssBody("Invalid Token", "RESTAPI001", "")},
		{name: "001 Invalid Token, unknown", call: func(h *harness) *httptest.ResponseRecorder {
			return h.bss(PlanPath, planBody, "nope")
		}, want: bssBody("Invalid Token", "RESTAPI001", "")},
		{name: "001 Token already used", call: func(h *harness) *httptest.ResponseRecorder {
			tok := h.enr.token()
			h.bss(PlanPath, planBody, tok)
			return h.bss(PlanPath, planBody, tok)
		}, want: bssBody("Token already used", "RESTAPI001", "")},
		{name: "001 Token expire", call: func(h *harness) *httptest.ResponseRecorder {
			return h.bss(CustomerPath, createBody(""), tokExpired)
		}, want: bssBody("Token expire", "RESTAPI001", "")},
		{name: "001 Invalid Access!!", call: func(h *harness) *httptest.ResponseRecorder {
			return h.invalid().do(http.MethodGet, CustomerPath, "", headerToken, h.enr.token())
		}, want: bssBody("Invalid Access!!", "RESTAPI001", "")},
		{name: "001 Invalid credentials!!", call: func(h *harness) *httptest.ResponseRecorder {
			return h.bss(AuthenticatePath, strings.Replace(authBody, testPassword, "wrong", 1), "")
		}, want: bssBody("Invalid credentials!!", "RESTAPI001", "")},
		{name: "001 credentials required", call: func(h *harness) *httptest.ResponseRecorder {
			return h.invalid().bss(AuthenticatePath, `{"vendor_id":"`+testVendor+`","username":"u","password":null}`, "")
		}, want: bssBody("username and password pin and vendor_id are required", "RESTAPI001", "")},

		{name: "101 Module required", call: func(h *harness) *httptest.ResponseRecorder {
			return h.bss("/", planBody, h.enr.token())
		}, want: bssBody("Module required", "RESTAPI101", t2)},
		{name: "102 Action required", call: func(h *harness) *httptest.ResponseRecorder {
			return h.invalid().bss(PlanPath, `{"agent_id":"a","source":"API"}`, h.enr.token())
		}, want: bssBody("Action required", "RESTAPI102", t2)},
		{name: "103 Source Not Allowed", setup: func(h *harness) {
			h.enr.plansFn = func(ports.CallContext, string) ([]enrollment.Plan, error) {
				return nil, enrollment.SourceNotAllowedError()
			}
		}, call: func(h *harness) *httptest.ResponseRecorder {
			return h.bss(PlanPath, planBody, h.enr.token())
		}, want: bssBody("Source Not Allowed", "RESTAPI103", t2, "errors", list("This source not allowed."))},
		{name: "103 Source can not be blank", setup: func(h *harness) {
			h.enr.plansFn = func(ports.CallContext, string) ([]enrollment.Plan, error) {
				return nil, enrollment.SourceBlankError()
			}
		}, call: func(h *harness) *httptest.ResponseRecorder {
			return h.bss(PlanPath, planBody, h.enr.token())
		}, want: bssBody("Source Not Allowed", "RESTAPI103", t2, "errors", list("Source can not be blank."))},
		{name: "104 Agent Id should not be blank", setup: func(h *harness) {
			h.enr.plansFn = func(cc ports.CallContext, _ string) ([]enrollment.Plan, error) {
				// ParseAgentID's error is Invalid, not Unauthorized: the
				// reason alone decides.
				_, err := enrollment.ParseAgentID(cc.AgentID)
				return nil, err
			}
		}, call: func(h *harness) *httptest.ResponseRecorder {
			return h.bss(PlanPath, `{"action":"plan_list","agent_id":"","source":"API"}`, h.enr.token())
		}, want: bssBody("Agent Id should not be blank", "RESTAPI104", t2, "errors", list("Agent Id should not be blank"))},
		{name: "104 Invalid Agent Id", setup: func(h *harness) {
			h.enr.plansFn = func(ports.CallContext, string) ([]enrollment.Plan, error) { return nil, enrollment.UnknownAgentError() }
		}, call: func(h *harness) *httptest.ResponseRecorder {
			return h.bss(PlanPath, planBody, h.enr.token())
		}, want: bssBody("Invalid Agent Id", "RESTAPI104", t2, "errors", list("Invalid Agent Id"))},
		{name: "104 Invalid Agent ID or Password", setup: func(h *harness) {
			h.enr.availFn = func(ports.AvailabilityRequest) (ports.Availability, error) {
				return ports.Availability{}, enrollment.AgentCredentialsError()
			}
		}, call: func(h *harness) *httptest.ResponseRecorder {
			return h.bss(EnrollmentPath, availBody, h.enr.token())
		}, want: bssBody("Invalid Agent ID or Password", "RESTAPI104", t2, "errors", list("Invalid Agent ID or Password"))},
		{name: "105 Module does not exist", call: func(h *harness) *httptest.ResponseRecorder {
			return h.invalid().bss("/customers", createBody(""), h.enr.token())
		}, want: bssBody("Module does not exist", "RESTAPI105", t2)},
		{name: "106 Action does not exist", call: func(h *harness) *httptest.ResponseRecorder {
			return h.invalid().bss(CustomerPath, planBody, h.enr.token())
		}, want: bssBody("Action does not exist", "RESTAPI106", t2)},
		{name: "107 Invalid company, token", call: func(h *harness) *httptest.ResponseRecorder {
			return h.bss(PlanPath, planBody, tokDisabled)
		}, want: bssBody("Invalid company", "RESTAPI107", "")},
		{name: "107 Invalid company, authenticate", call: func(h *harness) *httptest.ResponseRecorder {
			return h.bss(AuthenticatePath, strings.Replace(authBody, testVendor, disabledVendor, 1), "")
		}, want: bssBody("Invalid company", "RESTAPI107", "")},
		{name: "108 Invalid method", call: func(h *harness) *httptest.ResponseRecorder {
			return h.invalid().bss(PlanPath, `[{"action":"plan_list"}]`, h.enr.token())
		}, want: bssBody("Invalid method", "RESTAPI108", t2)},
		{name: "109 Unauthorized Access", setup: func(h *harness) {
			h.enr.createFn = func(enrollment.RequestInput) ([]ports.CreatedLine, error) {
				return nil, enrollment.UnauthorizedActionError()
			}
		}, call: func(h *harness) *httptest.ResponseRecorder {
			return h.bss(CustomerPath, createBody(""), h.enr.token())
		}, want: bssBody("Unauthorized Access", "RESTAPI109", t2, "errors", list("Unauthorized Access"))},
		{name: "110 one error", setup: func(h *harness) {
			h.enr.availFn = func(ports.AvailabilityRequest) (ports.Availability, error) {
				return ports.Availability{}, fault.New(fault.NotFound, enrollment.ReasonZipNotServed, "Service is not available in zip code 98103")
			}
		}, call: func(h *harness) *httptest.ResponseRecorder {
			return h.bss(EnrollmentPath, availBody, h.enr.token())
		}, want: bssBody("Error occurred", "RESTAPI110", t2, "errors", list("Service is not available in zip code 98103"))},
		{name: "110 conflict", setup: func(h *harness) {
			h.enr.createFn = func(enrollment.RequestInput) ([]ports.CreatedLine, error) {
				return nil, fault.New(fault.Conflict, enrollment.ReasonEnrollmentIDUsed, enrollment.MsgEnrollmentIDUsed)
			}
		}, call: func(h *harness) *httptest.ResponseRecorder {
			return h.bss(CustomerPath, createBody(""), h.enr.token())
		}, want: bssBody("Error occurred", "RESTAPI110", t2, "errors", list(enrollment.MsgEnrollmentIDUsed))},
		{name: "010 several errors", call: func(h *harness) *httptest.ResponseRecorder {
			body := strings.NewReplacer(`"98103"`, `"981"`, `"ann@example.com"`, `"ann@"`).Replace(createBody(""))
			return h.bss(CustomerPath, body, h.enr.token())
		}, want: bssBody("Error occurred", "RESTAPI010", t2, "errors", list("Email should be a valid email address such as name@example.com", "Service zip should be exactly 5 digits"),
			"data", []any{map[string]any{"msg_code": "RESTAPI010", "msg": "Error occurred", "data": map[string]any{},
				"errors": list("Email should be a valid email address such as name@example.com", "Service zip should be exactly 5 digits")}})},

		{name: "503 unavailable", setup: func(h *harness) {
			h.enr.plansFn = func(ports.CallContext, string) ([]enrollment.Plan, error) {
				return nil, fault.Unavailablef(errors.New("dial tcp: connection refused"), "database unavailable")
			}
		}, call: func(h *harness) *httptest.ResponseRecorder {
			return h.bss(PlanPath, planBody, h.enr.token())
		}, status: http.StatusServiceUnavailable, want: bssBody("Error occurred", "RESTAPI110", t2, "errors", list(messageUnavailable))},
		{name: "503 unavailable while consuming", call: func(h *harness) *httptest.ResponseRecorder {
			return h.bss(PlanPath, planBody, tokDown)
		}, status: http.StatusServiceUnavailable, want: bssBody("Error occurred", "RESTAPI110", "", "errors", list(messageUnavailable))},
		{name: "500 internal", setup: func(h *harness) {
			h.enr.createFn = func(enrollment.RequestInput) ([]ports.CreatedLine, error) {
				return nil, errors.New("pq: relation lines does not exist")
			}
		}, call: func(h *harness) *httptest.ResponseRecorder {
			return h.bss(CustomerPath, createBody(""), h.enr.token())
		}, status: http.StatusInternalServerError, want: bssBody("Error occurred", "RESTAPI110", t2, "errors", list(messageInternal))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			if tc.setup != nil {
				tc.setup(h)
			}
			w := tc.call(h)
			status := tc.status
			if status == 0 {
				status = http.StatusOK
			}
			wantBSS(t, w, status, tc.want)
			for _, leak := range []string{"fake:", "refused", "relation", "ACME"} {
				if strings.Contains(w.Body.String(), leak) {
					t.Errorf("body leaks %q: %s", leak, w.Body)
				}
			}
		})
	}
}

// TestBSSDocumentFailures reproduces the document's sample failures 1 to 8
// with their msg, msg_code and errors, and a token key.
func TestBSSDocumentFailures(t *testing.T) {
	cases := []struct {
		sample int
		setup  func(h *harness)
		call   func(h *harness) *httptest.ResponseRecorder
		msg    string
		code   string
		errors []any
	}{
		{sample: 1, msg: "Invalid Token", code: "RESTAPI001", call: func(h *harness) *httptest.ResponseRecorder {
			return h.bss(CustomerPath, docSampleRequest, "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.e30.x")
		}},
		{sample: 2, msg: "Invalid Access!!", code: "RESTAPI001", call: func(h *harness) *httptest.ResponseRecorder {
			return h.invalid().do(http.MethodGet, CustomerPath, "", headerToken, h.enr.token())
		}},
		// The live service's errors entry (SPEC §2 "Real clients"), not the
		// older document's repetition of the msg.
		{sample: 3, msg: "Source Not Allowed", code: "RESTAPI103", errors: list("This source not allowed."), setup: func(h *harness) {
			h.enr.createFn = func(enrollment.RequestInput) ([]ports.CreatedLine, error) {
				return nil, enrollment.SourceNotAllowedError()
			}
		}, call: func(h *harness) *httptest.ResponseRecorder {
			return h.bss(CustomerPath, docSampleRequest, h.enr.token())
		}},
		{sample: 4, msg: "Agent Id should not be blank", code: "RESTAPI104", errors: list("Agent Id should not be blank"), setup: func(h *harness) {
			h.enr.createFn = func(in enrollment.RequestInput) ([]ports.CreatedLine, error) {
				_, err := enrollment.ParseAgentID(in.AgentID)
				return nil, err
			}
		}, call: func(h *harness) *httptest.ResponseRecorder {
			return h.bss(CustomerPath, strings.Replace(docSampleRequest, `"agent_id": "ewebsiteapi"`, `"agent_id": ""`, 1), h.enr.token())
		}},
		{sample: 5, msg: "Invalid Agent Id", code: "RESTAPI104", errors: list("Invalid Agent Id"), setup: func(h *harness) {
			h.enr.createFn = func(enrollment.RequestInput) ([]ports.CreatedLine, error) { return nil, enrollment.UnknownAgentError() }
		}, call: func(h *harness) *httptest.ResponseRecorder {
			return h.bss(CustomerPath, docSampleRequest, h.enr.token())
		}},
		{sample: 6, msg: "Token already used", code: "RESTAPI001", call: func(h *harness) *httptest.ResponseRecorder {
			tok := h.enr.token()
			h.bss(CustomerPath, docSampleRequest, tok)
			return h.bss(CustomerPath, docSampleRequest, tok)
		}},
		{sample: 7, msg: "Token expire", code: "RESTAPI001", call: func(h *harness) *httptest.ResponseRecorder {
			return h.bss(CustomerPath, docSampleRequest, tokExpired)
		}},
		{sample: 8, msg: "Error occurred", code: "RESTAPI110", errors: list("Please enter Enrollment Id"), call: func(h *harness) *httptest.ResponseRecorder {
			// A one-line request whose line lacks its enrollment id; the
			// fake answers with enrollment.Validate's real error.
			return h.invalid().bss(CustomerPath, strings.Replace(createBody(""), `"enrollment_id":"WN116",`, "", 1), h.enr.token())
		}},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("sample %d", tc.sample), func(t *testing.T) {
			h := newHarness(t)
			if tc.setup != nil {
				tc.setup(h)
			}
			w := tc.call(h)
			wantStatus(t, w, http.StatusOK)
			got := decode(t, w.Body.Bytes())
			if got["msg"] != tc.msg || got["msg_code"] != tc.code {
				t.Errorf("msg, msg_code = %v, %v; want %s, %s", got["msg"], got["msg_code"], tc.msg, tc.code)
			}
			if e, has := got["errors"]; tc.errors == nil && has {
				t.Errorf("errors = %v, want none as in the document", e)
			} else if tc.errors != nil && !reflect.DeepEqual(e, any(tc.errors)) {
				t.Errorf("errors = %v, want %v", e, tc.errors)
			}
			if _, ok := got["token"].(string); !ok {
				t.Errorf("no token key: %s", w.Body)
			}
		})
	}
}

// TestBSSCreateMatchesDocument checks the create success byte for byte:
// the document's sample, keys in its order, plus the chained token.
func TestBSSCreateMatchesDocument(t *testing.T) {
	h := newHarness(t)
	// The document's string ids are the organisation setting
	// bss-ids=string; the default is the live service's integers.
	h.enr.ids = tenant.IDsString
	h.enr.createFn = func(enrollment.RequestInput) ([]ports.CreatedLine, error) {
		return []ports.CreatedLine{{CustomerID: 3188, EnrollmentID: "WN11174", EnrollmentType: enrollment.Shipment, InvoiceNumber: "2021-09-1288"}}, nil
	}
	w := h.bss(CustomerPath, docSampleRequest, h.enr.token())
	wantStatus(t, w, http.StatusOK)
	want := `{"data":[{"msg_code":"RESTAPI000","msg":"Success","data":{"customer_id":"3188","enrollment_id":"WN11174",` +
		`"enrollment_type":"SHIPMENT","cust_id":"3188","mdn":null,"msid":null,"msl":"","invoice_number":"2021-09-1288"}}],` +
		`"msg":"Success","msg_code":"RESTAPI000","token":"` + tokenN(2) + `"}`
	if got := strings.TrimSpace(w.Body.String()); got != want {
		t.Errorf("body =\n%s\nwant\n%s", got, want)
	}
	got := decode(t, w.Body.Bytes())
	delete(got, "token")
	if doc := mustJSON(docSampleSuccess); !reflect.DeepEqual(any(got), doc) {
		t.Errorf("body without token = %v\nwant the document's %v", got, doc)
	}
}

// TestBSSDocumentSampleRequestDecodes sends the document's sample request
// verbatim: its nulls, its alias action and its line-level "action" decode
// without error and reach the service.
func TestBSSDocumentSampleRequestDecodes(t *testing.T) {
	h := newHarness(t)
	w := h.bss(CustomerPath, docSampleRequest, h.enr.token())
	wantStatus(t, w, http.StatusOK)
	got := decode(t, w.Body.Bytes())
	if got["msg_code"] != "RESTAPI000" {
		t.Fatalf("body = %s", w.Body)
	}
	in := h.enr.in
	if len(in.Lines) != 2 || in.Lines[0].EnrollmentID != "wn116" || in.Lines[1].EnrollmentID != "wn118" {
		t.Fatalf("lines = %v", in.Lines)
	}
	if in.ParentEnrollmentID != "WN116" || in.Action != enrollment.ActionAddLine || in.AgentID != "ewebsiteapi" ||
		in.Source != "WEBSITE" || in.SubSource != "plans" || in.InvoiceNumber != "2021-09-1288" || in.AgentPassword != "" {
		t.Errorf("top level = %v", in)
	}
	l := in.Lines[0]
	if l.Password != "1599" || l.PhoneType != "" || l.ModelID != "" || l.PartNumber != "" || l.BillingState != "wa" || l.ActivationLater != "Y" {
		t.Errorf("line 1 = %+v", l)
	}
	if in.Lines[1].Password != "" {
		t.Error("line 2 has a password it did not send")
	}
	data, _ := got["data"].([]any)
	if len(data) != 2 {
		t.Fatalf("data = %v", got["data"])
	}
	for i, id := range []string{"WN116", "WN118"} {
		d := data[i].(map[string]any)["data"].(map[string]any)
		if d["enrollment_id"] != id || d["invoice_number"] != "2021-09-1288" {
			t.Errorf("line %d = %v", i+1, d)
		}
	}
}

func TestBSSDecodesScalars(t *testing.T) {
	h := newHarness(t)

	// Numbers keep their decimal text, booleans become "true"/"false",
	// null becomes "".
	w := h.bss(EnrollmentPath, `{"action":"check_service_availability","zip_code":98103,"enrollment_type":"NON_LIFELINE",
		"is_enrollment":true,"agent_id":12345,"agent_password":null,"source":"API"}`, h.enr.token())
	wantStatus(t, w, http.StatusOK)
	want := ports.AvailabilityRequest{
		CallContext: ports.CallContext{Action: enrollment.ActionCheckAvailability, AgentID: "12345", Source: "API"},
		ZipCode:     "98103", EnrollmentType: "NON_LIFELINE", IsEnrollment: "true",
	}
	if h.enr.avail != want {
		t.Errorf("request = %+v\nwant %+v", h.enr.avail, want)
	}
	if got := decode(t, w.Body.Bytes())["data"].(map[string]any); got["is_enrollment"] != "N" || got["enrollment_id"] != nil {
		t.Errorf("data = %v: no enrollment id was issued", got)
	}

	w = h.invalid().bss(PlanPath, `{"action":" Plan_List ","agent_id":"a","agent_password":"pw","source":"api","plan_id":1828}`, h.enr.token())
	wantBSS(t, w, http.StatusOK, bssBody("Success", "RESTAPI000", tokenN(4), "data", []any{
		defaultPlanWire("1828", "Unlimited 5G", "25.00")}))
	if h.enr.planID != "1828" || h.enr.cc != (ports.CallContext{Action: enrollment.ActionPlanList, AgentID: "a", AgentPassword: "pw", Source: "api"}) {
		t.Errorf("plan_id %q, call context %+v", h.enr.planID, h.enr.cc)
	}

	// An empty plan list is [], not null or absent.
	h.enr.plansFn = func(ports.CallContext, string) ([]enrollment.Plan, error) { return nil, nil }
	w = h.bss(PlanPath, planBody, h.enr.token())
	wantBSS(t, w, http.StatusOK, bssBody("Success", "RESTAPI000", tokenN(6), "data", []any{}))

	// Line values may be numbers too; unknown fields, nested or not, are
	// ignored.
	body := strings.NewReplacer(`"plan_id":"1828"`, `"plan_id":1828`, `"service_zip":"98103"`, `"service_zip":98103`).Replace(
		createBody(`"extra":{"nested":[1,2]},"lines_count":2`))
	body = strings.Replace(body, `"enrollment_type":"SHIPMENT"}`, `"enrollment_type":"SHIPMENT","action":null,"custom":{"a":1}}`, 1)
	w = h.bss(CustomerPath, body, h.enr.token())
	if got := decode(t, w.Body.Bytes()); got["msg_code"] != "RESTAPI000" {
		t.Fatalf("body = %s", w.Body)
	}
	if l := h.enr.in.Lines[0]; l.PlanID != "1828" || l.ServiceZip != "98103" {
		t.Errorf("line = %+v", l)
	}

	// The authenticate pin is often numeric.
	w = h.bss(AuthenticatePath, `{"action":"authenticate","vendor_id":"`+testVendor+`","username":"`+testUsername+`","password":"`+testPassword+`","pin":`+testPin+`}`, "")
	wantBSS(t, w, http.StatusOK, bssBody("Successfully Authenticate", "RESTAPI000", tokenN(9)))
	if h.enr.creds != (ports.Credentials{VendorID: testVendor, Username: testUsername, Password: testPassword, Pin: testPin}) {
		t.Errorf("credentials not decoded as sent")
	}
}

func TestBSSRejectsNonTextValues(t *testing.T) {
	h := newHarness(t)
	calls := func() int { h.enr.mu.Lock(); defer h.enr.mu.Unlock(); return h.enr.calls }

	w := h.invalid().bss(EnrollmentPath, `{"action":"check_service_availability","zip_code":{"v":"98103"},"source":"API"}`, h.enr.token())
	wantBSS(t, w, http.StatusOK, bssBody("Error occurred", "RESTAPI110", tokenN(2), "errors", list("zip_code should be a text value")))

	w = h.invalid().bss(CustomerPath, createBody(`"agent_password":["x"],"source":{}`), h.enr.token())
	notCreated := map[string]any{"msg_code": "RESTAPI110", "msg": "Error occurred", "data": map[string]any{}, "errors": list(enrollment.MsgLineNotCreated)}
	wantBSS(t, w, http.StatusOK, bssBody("Error occurred", "RESTAPI010", tokenN(4), "errors",
		list("source should be a text value", "agent_password should be a text value"), "data", []any{notCreated}))

	two := createBody("")
	two = strings.Replace(two, validLine+`]`, validLine+`,`+strings.Replace(validLine, `"first_name":"Ann"`, `"first_name":["Ann"]`, 1)+`]`, 1)
	w = h.invalid().bss(CustomerPath, two, h.enr.token())
	wantBSS(t, w, http.StatusOK, bssBody("Error occurred", "RESTAPI110", tokenN(6), "errors", list("Line 2: first_name should be a text value"),
		"data", []any{notCreated, map[string]any{"msg_code": "RESTAPI110", "msg": "Error occurred", "data": map[string]any{}, "errors": list("first_name should be a text value")}}))

	w = h.invalid().bss(PlanPath, `{"action":{"name":"plan_list"}}`, h.enr.token())
	wantBSS(t, w, http.StatusOK, bssBody("Error occurred", "RESTAPI110", tokenN(8), "errors", list("action should be a text value")))

	w = h.invalid().bss(AuthenticatePath, `{"vendor_id":"`+testVendor+`","username":"u","password":"p","pin":[1,2]}`, "")
	wantBSS(t, w, http.StatusOK, bssBody("Error occurred", "RESTAPI110", "", "errors", list("pin should be a text value")))

	for _, lines := range []string{`"x"`, `{}`, `[1]`, `[null]`, `[{}, "y"]`, `true`} {
		w = h.invalid().bss(CustomerPath, `{"action":"create_customer_prepaid_multiline","lines":`+lines+`}`, h.enr.token())
		got := decode(t, w.Body.Bytes())
		if got["msg_code"] != "RESTAPI110" || !reflect.DeepEqual(got["errors"], list("lines should be an array of objects")) {
			t.Errorf("lines %s: body = %s", lines, w.Body)
		}
	}

	// Too many lines are refused before a LineInput is made for each.
	many := `{"action":"create_customer_prepaid_multiline","lines":[{}` + strings.Repeat(`,{}`, maxDecodedLines) + `]}`
	w = h.invalid().bss(CustomerPath, many, h.enr.token())
	if got := decode(t, w.Body.Bytes()); got["msg_code"] != "RESTAPI110" || !strings.Contains(w.Body.String(), "At most 1000 lines") {
		t.Errorf("body = %s", w.Body)
	}
	if n := calls(); n != 0 {
		t.Errorf("the service ran %d times on undecodable requests", n)
	}

	// Absent and null lines reach the service, which says a line is required.
	w = h.invalid().bss(CustomerPath, `{"action":"create_customer_prepaid_multiline","agent_id":"a","source":"API","parent_enrollment_id":"P1","lines":null}`, h.enr.token())
	if got := decode(t, w.Body.Bytes()); !reflect.DeepEqual(got["errors"], list(enrollment.MsgLinesMissing)) {
		t.Errorf("body = %s", w.Body)
	}
}

func TestBSSInvalidMethodBodies(t *testing.T) {
	for name, body := range map[string]string{
		"empty":     "",
		"malformed": `{"action":`,
		"not JSON":  "action=plan_list",
		"array":     `[]`,
		"string":    `"plan_list"`,
		"number":    `42`,
		"null":      `null`,
		"trailing":  `{"action":"plan_list"} {}`,
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			tok := h.enr.token()
			// The body's error is the answer, and the presented token is
			// consumed all the same (defect 10 of issue 11): the answer
			// carries its successor.
			wantBSS(t, h.invalid().bss(PlanPath, body, tok), http.StatusOK, bssBody("Invalid method", "RESTAPI108", tokenN(2)))
			wantBSS(t, h.invalid().bss(AuthenticatePath, body, ""), http.StatusOK, bssBody("Invalid method", "RESTAPI108", ""))
			if h.enr.consumes != 1 {
				t.Errorf("the token was consumed %d times, want once", h.enr.consumes)
			}
		})
	}
}

func TestBSSWrongMethods(t *testing.T) {
	h := newHarness(t)
	for _, path := range []string{AuthenticatePath, EnrollmentPath, PlanPath, CustomerPath, "/"} {
		for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodOptions} {
			w := h.invalid().do(method, path, planBody, headerToken, h.enr.token())
			wantBSS(t, w, http.StatusOK, bssBody("Invalid Access!!", "RESTAPI001", ""))
		}
		if w := h.invalid().do(http.MethodHead, path, ""); w.Code != http.StatusOK {
			t.Errorf("HEAD %s = %d", path, w.Code)
		}
	}
	if h.enr.consumes != 0 {
		t.Error("a wrong method consumed a token")
	}
}

func TestBSSModules(t *testing.T) {
	h := newHarness(t)
	wantBSS(t, h.invalid().bss("/", "", ""), http.StatusOK, bssBody("Module required", "RESTAPI101", ""))
	for _, path := range []string{"/nope", "/api", "/Customer", "/customer.php"} {
		tok := h.enr.token()
		// An unknown module is still a call: the token is consumed and
		// its successor sent.
		wantBSS(t, h.invalid().bss(path, planBody, tok), http.StatusOK, bssBody("Module does not exist", "RESTAPI105", tokenN(h.enr.issued)))
	}
	// Actions belong to one module; "authenticate" is not a module call's.
	for _, call := range [][2]string{
		{CustomerPath, enrollment.ActionPlanList}, {PlanPath, enrollment.ActionCreate},
		{EnrollmentPath, enrollment.ActionAuthenticate}, {PlanPath, "plan_lists"},
	} {
		w := h.invalid().bss(call[0], `{"action":"`+call[1]+`"}`, h.enr.token())
		if got := decode(t, w.Body.Bytes()); got["msg_code"] != "RESTAPI106" || got["msg"] != "Action does not exist" {
			t.Errorf("%s %s: %s", call[0], call[1], w.Body)
		}
	}
	for _, body := range []string{`{}`, `{"action":""}`, `{"action":null}`, `{"action":"  "}`} {
		w := h.invalid().bss(CustomerPath, body, h.enr.token())
		if got := decode(t, w.Body.Bytes()); got["msg_code"] != "RESTAPI102" || got["msg"] != "Action required" {
			t.Errorf("%s: %s", body, w.Body)
		}
	}
	if h.enr.calls != 0 {
		t.Error("the service ran without a valid action")
	}
}

// TestBSSOtherPathsKeepTheirEnvelopes: only the BSS family answers in the
// vendor's envelope.
func TestBSSOtherPathsKeepTheirEnvelopes(t *testing.T) {
	h := newHarness(t)
	wantError(t, h.invalid().do(http.MethodGet, "/nope", ""), http.StatusNotFound, "NOT_FOUND", "")
	wantError(t, h.invalid().do(http.MethodPost, "/api/nope", "{}"), http.StatusNotFound, "NOT_FOUND", "")
	wantError(t, h.invalid().do(http.MethodPost, "/healthz", "{}"), http.StatusMethodNotAllowed, reasonMethodNotAllowed, "")
	wantError(t, h.invalid().do(http.MethodPost, SeriesPath, "{}"), http.StatusMethodNotAllowed, reasonMethodNotAllowed, "")
	wantStatus(t, h.do(http.MethodGet, "/healthz", ""), http.StatusOK)

	// Without an enrollment service the family is not served at all.
	off := newHarness(t, func(_ *Config, s *ports.Services) { s.Enrollment = nil })
	wantError(t, off.invalid().bss(CustomerPath, createBody(""), "x"), http.StatusNotFound, "NOT_FOUND", "")
	wantError(t, off.invalid().bss("/", "{}", ""), http.StatusNotFound, "NOT_FOUND", "")
	wantError(t, off.invalid().do(http.MethodGet, PlanPath, ""), http.StatusNotFound, "NOT_FOUND", "")
}

// TestBSSTokenChaining follows a client that chains tokens: each response to
// a valid token, success or failure, carries the next one.
func TestBSSTokenChaining(t *testing.T) {
	h := newHarness(t)
	tokenOf := func(w *httptest.ResponseRecorder) string {
		t.Helper()
		s, _ := decode(t, w.Body.Bytes())["token"].(string)
		return s
	}

	w := h.bss(AuthenticatePath, authBody, "")
	t1 := tokenOf(w)
	if t1 == "" {
		t.Fatalf("authenticate: %s", w.Body)
	}
	w = h.bss(PlanPath, planBody, t1)
	t2 := tokenOf(w)
	if t2 == "" || t2 == t1 || decode(t, w.Body.Bytes())["msg_code"] != "RESTAPI000" {
		t.Fatalf("success: %s", w.Body)
	}
	// The consumed token is refused and gives no successor.
	wantBSS(t, h.bss(PlanPath, planBody, t1), http.StatusOK, bssBody("Token already used", "RESTAPI001", ""))

	steps := []struct {
		name  string
		setup func()
		path  string
		body  string
		code  string
	}{
		{"action required", nil, PlanPath, `{}`, "RESTAPI102"},
		{"action unknown", nil, PlanPath, `{"action":"nope"}`, "RESTAPI106"},
		{"decoding error", nil, PlanPath, `{"action":"plan_list","plan_id":[1]}`, "RESTAPI110"},
		{"service error", func() {
			h.enr.plansFn = func(ports.CallContext, string) ([]enrollment.Plan, error) {
				return nil, enrollment.SourceNotAllowedError()
			}
		}, PlanPath, planBody, "RESTAPI103"},
		{"server error", func() {
			h.enr.plansFn = func(ports.CallContext, string) ([]enrollment.Plan, error) { return nil, errors.New("boom") }
		}, PlanPath, planBody, "RESTAPI110"},
		{"success again", func() { h.enr.plansFn = nil }, PlanPath, planBody, "RESTAPI000"},
	}
	prev := t2
	for _, s := range steps {
		if s.setup != nil {
			s.setup()
		}
		// The first three steps send what the document does not allow.
		w := h.invalidIf(s.code == "RESTAPI102" || s.code == "RESTAPI106" || s.name == "decoding error").bss(s.path, s.body, prev)
		got := decode(t, w.Body.Bytes())
		next := tokenOf(w)
		if got["msg_code"] != s.code || next == "" || next == prev {
			t.Fatalf("%s: token %q after %q; body %s", s.name, next, prev, w.Body)
		}
		prev = next
	}
}

func TestBSSEchoesExternalTransactionID(t *testing.T) {
	h := newHarness(t)
	echo := func(w *httptest.ResponseRecorder) any {
		t.Helper()
		return decode(t, w.Body.Bytes())["external_transaction_id"]
	}
	const ext = `"external_transaction_id":"TX2024abc9"`

	// Success and failure alike, wherever the body is an object.
	for name, w := range map[string]*httptest.ResponseRecorder{
		"create success":  h.bss(CustomerPath, createBody(ext), h.enr.token()),
		"plan success":    h.bss(PlanPath, `{"action":"plan_list",`+ext+`}`, h.enr.token()),
		"invalid token":   h.bss(PlanPath, `{"action":"plan_list",`+ext+`}`, "bad"),
		"action required": h.invalid().bss(PlanPath, `{`+ext+`}`, h.enr.token()),
		"field errors":    h.invalid().bss(CustomerPath, `{"action":"add_line_nonlifeline_customer",`+ext+`}`, h.enr.token()),
		"authenticate":    h.invalid().bss(AuthenticatePath, `{"vendor_id":"x",`+ext+`}`, ""),
		"module required": h.bss("/", `{`+ext+`}`, ""),
		"no such module":  h.invalid().bss("/nope", `{`+ext+`}`, ""),
		"wrong method":    h.invalid().do(http.MethodPut, PlanPath, `{`+ext+`}`),
	} {
		if got := echo(w); got != "TX2024abc9" {
			t.Errorf("%s: external_transaction_id = %v; body %s", name, got, w.Body)
		}
	}
	// A number is echoed as its text.
	if got := echo(h.bss(PlanPath, `{"action":"plan_list","external_transaction_id":20240917}`, h.enr.token())); got != "20240917" {
		t.Errorf("numeric id echoed as %v", got)
	}
	// Only letters and digits are echoed, and nothing when none was sent.
	for _, v := range []string{`""`, `null`, `"TX-1"`, `"<script>"`, `"` + strings.Repeat("a", 65) + `"`, `{"a":1}`} {
		w := h.invalidIf(v == `{"a":1}`).bss(PlanPath, `{"action":"plan_list","external_transaction_id":`+v+`}`, h.enr.token())
		if _, has := decode(t, w.Body.Bytes())["external_transaction_id"]; has {
			t.Errorf("%s echoed: %s", v, w.Body)
		}
	}
	// The field comes last, after the token.
	w := h.bss(PlanPath, `{"action":"plan_list",`+ext+`}`, h.enr.token())
	if body := strings.TrimSpace(w.Body.String()); !strings.HasSuffix(body, `"token":"`+tokenN(h.enr.issued)+`","external_transaction_id":"TX2024abc9"}`) {
		t.Errorf("key order: %s", body)
	}
}

func TestBSSBodyTooLarge(t *testing.T) {
	h := newHarness(t, func(c *Config, _ *ports.Services) { c.MaxBodyBytes = 256 })
	tok := h.enr.token()
	w := h.bss(CustomerPath, docSampleRequest, tok)
	wantStatus(t, w, http.StatusRequestEntityTooLarge)
	got := decode(t, w.Body.Bytes())
	msg, _ := got["msg"].(string)
	if got["msg_code"] != "RESTAPI108" || got["token"] != "" || !strings.Contains(msg, "larger than the limit of 256 bytes") || len(got) != 3 {
		t.Errorf("body = %s", w.Body)
	}
	// The token was not consumed by a request that was never read.
	if w := h.bss(PlanPath, planBody, tok); decode(t, w.Body.Bytes())["msg_code"] != "RESTAPI000" {
		t.Errorf("token unusable after a 413: %s", w.Body)
	}
	w = h.invalid().bss(AuthenticatePath, `{"vendor_id":"`+strings.Repeat("v", 300)+`"}`, "")
	wantStatus(t, w, http.StatusRequestEntityTooLarge)
}

func TestBSSPanicKeepsEnvelopeAndToken(t *testing.T) {
	h := newHarness(t)
	h.enr.createFn = func(enrollment.RequestInput) ([]ports.CreatedLine, error) { panic("kaboom: secret detail") }
	w := h.bss(CustomerPath, createBody(""), h.enr.token())
	wantBSS(t, w, http.StatusInternalServerError, bssBody("Error occurred", "RESTAPI110", tokenN(2), "errors", list(messageInternal)))
	if strings.Contains(w.Body.String(), "kaboom") {
		t.Errorf("body leaks the panic: %s", w.Body)
	}
	if !strings.Contains(h.logs.String(), "kaboom: secret detail") {
		t.Error("panic not logged")
	}
}

// TestBSSRequestLog checks the one line per request: method, path, status,
// msg_code, duration and, once a token was consumed, the organisation.
func TestBSSRequestLog(t *testing.T) {
	h := newHarness(t)
	h.bss(PlanPath+"?debug=1", planBody, h.enr.token())

	var line map[string]any
	for _, l := range strings.Split(strings.TrimSpace(h.logs.String()), "\n") {
		if err := json.Unmarshal([]byte(l), &line); err != nil {
			t.Fatal(err)
		}
		if line["msg"] == "http request" {
			break
		}
	}
	want := map[string]any{"method": "POST", "path": PlanPath, "status": 200.0, "msg_code": "RESTAPI000", "org": testOrg.Code}
	for k, v := range want {
		if line[k] != v {
			t.Errorf("log %s = %v, want %v (line %v)", k, line[k], v, line)
		}
	}
	if _, ok := line["duration"]; !ok {
		t.Errorf("no duration: %v", line)
	}
	if _, ok := line["query"]; ok {
		t.Errorf("query logged for a BSS call: %v", line)
	}
}

// TestBSSLogsNoSecrets sends canary secrets everywhere a client puts them,
// on successful and failing calls, and looks for them in the log.
func TestBSSLogsNoSecrets(t *testing.T) {
	const (
		canaryToken        = "CanaryTokenHeaderQ4mZ8vW1"
		canaryCustPassword = "CanaryCustPw-Zq81"
		canaryAgentPw      = "CanaryAgentPw-Lk27"
		canaryPortPw       = "CanaryPortPw-Rt55"
		canarySSN          = "918273645"
		canaryName         = "Canaryfirstname"
	)
	portIn := strings.NewReplacer(
		`"activation_type":"NEWACTIVATION"`, `"activation_type":"PORTIN","port_number":"2065550143","port_current_carrier":"T-Mobile",`+
			`"port_first_name":"Ann","port_last_name":"Lee","port_address_one":"1 Main St","port_city":"SEATTLE","port_state":"WA",`+
			`"port_zip_code":"98103","port_account_number":"123456","port_account_password":"`+canaryPortPw+`","port_ssn":"`+canarySSN+`"`,
		`"first_name":"Ann"`, `"first_name":"`+canaryName+`","password":"`+canaryCustPassword+`"`,
	).Replace(createBody(`"agent_password":"` + canaryAgentPw + `"`))

	h := newHarness(t)
	// A success, with the secrets.
	if w := h.bss(CustomerPath, portIn, h.enr.token()); decode(t, w.Body.Bytes())["msg_code"] != "RESTAPI000" {
		t.Fatalf("the canary request must be valid: %s", w.Body)
	}
	for _, s := range []string{canaryCustPassword, canaryAgentPw, canaryPortPw, canarySSN} {
		if strings.Contains(h.logs.String(), s) {
			t.Fatalf("log holds %q", s)
		}
	}
	// Failures of every kind, with the same body.
	h.bss(CustomerPath, portIn, canaryToken)
	h.invalid().do(http.MethodPost, CustomerPath+"?token="+canaryToken, portIn)
	h.invalid().do(http.MethodGet, CustomerPath+"?token="+canaryToken, portIn, headerToken, canaryToken)
	h.invalid().bss("/nope", portIn, canaryToken)
	h.invalid().bss(CustomerPath, strings.Replace(portIn, `"lines":[`, `"lines":[{"port_ssn":{"x":"`+canarySSN+`"}},`, 1), h.enr.token())
	h.enr.createFn = func(enrollment.RequestInput) ([]ports.CreatedLine, error) { return nil, errors.New("db down") }
	h.bss(CustomerPath, portIn, h.enr.token())
	h.enr.createFn = func(in enrollment.RequestInput) ([]ports.CreatedLine, error) { panic("boom") }
	h.bss(CustomerPath, portIn, h.enr.token())
	// Authenticate, right and wrong.
	h.bss(AuthenticatePath, authBody, "")
	h.bss(AuthenticatePath, strings.Replace(authBody, testVendor, "other", 1), "")
	h.invalid().bss(AuthenticatePath, `{"vendor_id":"v","password":{"p":"`+testPassword+`"},"pin":[`+testPin+`]}`, "")

	logs := h.logs.String()
	secrets := []string{canaryToken, canaryCustPassword, canaryAgentPw, canaryPortPw, canarySSN, canaryName, testPassword, testPin, tokenN(1), tokenN(2), tokenN(3)}
	for _, s := range secrets {
		if strings.Contains(logs, s) {
			t.Errorf("log contains %q:\n%s", s, logs)
		}
	}
	if !strings.Contains(logs, `"msg_code":"RESTAPI001"`) || !strings.Contains(logs, `"msg_code":"RESTAPI105"`) {
		t.Errorf("request log lines missing:\n%s", logs)
	}
}

// readSample reads a shared test file, without its final newline.
func readSample(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	return strings.TrimSuffix(string(b), "\n")
}
