package httpapi

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// v2Line is validLine in v2's words: is_portin, middle_name, a per-line
// parent and a nested service address.
const v2Line = `{"enrollment_id":"WN116","parent_enrollment_id":"","first_name":"Ann","middle_name":"Q","last_name":"Lee",
	"email":"ann@example.com","service_address":{"address_one":"112 N 41ST ST","city":"SEATTLE","state":"WA","zip":"98103"},
	"plan_id":1828,"is_portin":"N","enrollment_type":"SHIPMENT","order_id":3,"no_of_advance_month":0,"pin":null}`

func v2Body(extra string) string {
	b := `{"action":"create_prepaid_postpaid_customer_v2","agent_id":"ewebsiteapi","source":"WEBSITE","request_name":"customer","lines":[` + v2Line + `]`
	if extra != "" {
		b += "," + extra
	}
	return b + "}"
}

// TestV2Decodes: the v2 action reaches the service with its fields
// through the domain's table, nested objects flattened.
func TestV2Decodes(t *testing.T) {
	h := newHarness(t)
	w := h.bss(CustomerPath, v2Body(""), h.enr.token())
	if got := decode(t, w.Body.Bytes()); got["msg_code"] != "RESTAPI000" {
		t.Fatalf("v2 = %s", w.Body)
	}
	l := h.enr.in.Lines[0]
	if h.enr.in.Action != enrollment.ActionCreateV2 || l.ServiceAddressOne != "112 N 41ST ST" || l.ServiceZip != "98103" ||
		l.MiddleName != "Q" || l.IsPortin != "N" || l.OrderID != "3" || l.PlanID != "1828" || l.NoOfAdvanceMonth != "0" || l.PIN != "" {
		t.Errorf("decoded %+v", l)
	}
}

// TestV2Envelopes compares whole v2 bodies: success in both id forms, and
// a failure of a top-level field, whose top level carries "Fail" then the
// field's message and whose line says it was not created.
func TestV2Envelopes(t *testing.T) {
	h := newHarness(t)
	w := h.bss(CustomerPath, v2Body(`"external_transaction_id":"X1"`), h.enr.token())
	want := `{"data":[{"data":{"cust_id":3188,"customer_id":3188,"enrollment_id":"WN116","enrollment_type":"SHIPMENT","invoice_number":"",` +
		`"mdn":null,"msid":"","msl":"","external_transaction_id":"X1"},"msg":"Success","msg_code":"RESTAPI000"}],` +
		`"msg":"Success","msg_code":"RESTAPI000","external_transaction_id":"X1","token":"` + tokenN(2) + `"}`
	if got := strings.TrimSpace(w.Body.String()); got != want {
		t.Errorf("int ids:\n%s\nwant\n%s", got, want)
	}

	h.enr.ids = tenant.IDsString
	w = h.bss(CustomerPath, v2Body(""), h.enr.token())
	want = `{"data":[{"data":{"cust_id":"3188","customer_id":"3188","enrollment_id":"WN116","enrollment_type":"SHIPMENT","invoice_number":"",` +
		`"mdn":null,"msid":null,"msl":"","external_transaction_id":""},"msg":"Success","msg_code":"RESTAPI000"}],` +
		`"msg":"Success","msg_code":"RESTAPI000","token":"` + tokenN(4) + `"}`
	if got := strings.TrimSpace(w.Body.String()); got != want {
		t.Errorf("string ids:\n%s\nwant\n%s", got, want)
	}

	w = h.bss(CustomerPath, v2Body(`"invoice_number":"2021 09"`), h.enr.token())
	wantBSS(t, w, http.StatusOK, map[string]any{
		"errors": list("Fail", "Invoice number should contain only letters, digits, hyphen, underscore, period, / and #"),
		"msg":    "Error occurred", "msg_code": "RESTAPI110", "token": tokenN(6),
		"data": []any{map[string]any{"data": map[string]any{}, "msg": "Error occurred", "msg_code": "RESTAPI110",
			"errors": list(enrollment.MsgLineNotCreated)}},
	})

	// A failure that is not the request's content keeps the usual envelope.
	h.enr.createFn = func(enrollment.RequestInput) ([]ports.CreatedLine, error) {
		return nil, enrollment.SourceNotAllowedError()
	}
	w = h.bss(CustomerPath, v2Body(""), h.enr.token())
	wantBSS(t, w, http.StatusOK, bssBody("Source Not Allowed", "RESTAPI103", tokenN(8), "errors", list("This source not allowed.")))
}

// TestV2DuplicateLines: a refused request answers, per line, the existing
// customer of a line whose enrollment id already has one.
func TestV2DuplicateLines(t *testing.T) {
	h := newHarness(t)
	h.enr.createFn = func(in enrollment.RequestInput) ([]ports.CreatedLine, error) {
		r, err := enrollment.Validate(in, enrollment.Limits{})
		if err != nil {
			return nil, err
		}
		return []ports.CreatedLine{{}, {CustomerID: 77, EnrollmentID: "WN118", EnrollmentType: enrollment.Shipment, MDN: "2062091144", Existing: true}},
			mustErr(r)
	}
	two := strings.Replace(v2Body(""), v2Line+`]`, v2Line+`,`+strings.Replace(v2Line, `"WN116","parent_enrollment_id":""`, `"WN118","parent_enrollment_id":"WN116"`, 1)+`]`, 1)
	w := h.bss(CustomerPath, two, h.enr.token())
	var r struct {
		Errors []string `json:"errors"`
		Data   []struct {
			Data struct {
				CustID int64  `json:"cust_id"`
				MDN    *int64 `json:"mdn"`
			} `json:"data"`
			Errors []string `json:"errors"`
		} `json:"data"`
		MsgCode string `json:"msg_code"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Errors) != 1 || r.Errors[0] != "Fail" || r.MsgCode != "RESTAPI110" || len(r.Data) != 2 ||
		r.Data[0].Errors[0] != enrollment.MsgLineNotCreated || r.Data[1].Errors[0] != enrollment.MsgEnrollmentIDUsed ||
		r.Data[1].Data.CustID != 77 || r.Data[1].Data.MDN == nil || *r.Data[1].Data.MDN != 2062091144 {
		t.Errorf("body %s", w.Body)
	}
}

// mustErr returns the violation a store reports for line 2 of r.
func mustErr(r enrollment.Request) error {
	v := r.EnrollmentIDUsed(2)
	return fault.Violations{v}.Err()
}

func TestBSSNumber(t *testing.T) {
	for _, tc := range []struct {
		n    bssNumber
		want string
	}{
		{bssNumber{digits: "102245", form: tenant.IDsInt}, `102245`},
		{bssNumber{digits: "102245", form: tenant.IDsString}, `"102245"`},
		{bssNumber{form: tenant.IDsInt}, `null`},
		{bssNumber{form: tenant.IDsInt, emptyText: true}, `""`},
		{bssNumber{form: tenant.IDsString}, `null`},
	} {
		b, err := json.Marshal(tc.n)
		if err != nil || string(b) != tc.want {
			t.Errorf("%+v = %s %v, want %s", tc.n, b, err, tc.want)
		}
	}
}

// TestPlanListDecodesItsQuery: zip_code and enrollment_type reach the
// service, which validates them (before issue 10 they were ignored).
func TestPlanListDecodesItsQuery(t *testing.T) {
	h := newHarness(t)
	h.bss(PlanPath, `{"action":"plan_list","zip_code":9810,"enrollment_type":"PREPAID","plan_id":1828,"agent_id":"a","source":"API"}`, h.enr.token())
	if got := h.enr.plan; got.PlanID != "1828" || got.ZipCode != "9810" || got.EnrollmentType != "PREPAID" {
		t.Errorf("query = %+v", got)
	}
}
