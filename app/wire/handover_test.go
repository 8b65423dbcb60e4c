package wire_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/allot-io/allot/ports"
)

// TestHandoverActivation runs /handover handover_activation on the real
// stack: the sample enrollment's attached line is activated with the
// handed-over ESN and answers the documented fields (ids as JSON integers,
// mdn null until the carrier activates it) with a chained token; the same
// call again is refused because the line is no longer ATTACHED; a bad body
// names each field.
func TestHandoverActivation(t *testing.T) {
	b := newBSS(t, 0)
	tok := b.authenticate(t)
	e1, tok := b.enrollmentID(t, tok)
	e2, tok := b.enrollmentID(t, tok)
	r := b.call(t, "POST", "/customer", tok, sampleWith(t, e1, e2))
	if r.MsgCode != "RESTAPI000" {
		t.Fatalf("create: %s", r.raw)
	}
	body := `{"action":"handover_activation","enrollment_id":"` + strings.ToLower(e1) + `","esn":"89012600000000000011","device_id":"DEV1","carrier":"TMB","payment_method":"CASH","billing_zip":"98103"}`
	r = b.call(t, "POST", "/handover", r.token(t), body)
	var d struct {
		CustomerID   int64  `json:"customer_id"`
		EnrollmentID string `json:"enrollment_id"`
		MDN          *int64 `json:"mdn"`
		PlanID       string `json:"plan_id"`
		PlanPrice    string `json:"plan_price"`
		First        string `json:"customer_firstname"`
		Last         string `json:"customer_lastname"`
		State        string `json:"customer_state"`
	}
	if err := json.Unmarshal(r.Data, &d); err != nil || r.MsgCode != "RESTAPI000" {
		t.Fatalf("handover_activation: %s (%v)", r.raw, err)
	}
	if d.CustomerID == 0 || d.EnrollmentID != e1 || d.MDN != nil || d.PlanID != "1828" || d.PlanPrice != "25.00" ||
		d.First == "" || d.Last == "" || d.State != "WA" {
		t.Errorf("handover_activation data %+v from %s", d, r.raw)
	}
	st, h, err := b.services.Lines.Line(t.Context(), b.org, d.CustomerID)
	if err != nil || st.Status != "QUEUED" || st.ESN != "89012600000000000011" || len(h) != 1 || h[0].From != "ATTACHED" {
		t.Fatalf("the line after handover: %+v %+v %v", st, h, err)
	}
	r = b.call(t, "POST", "/handover", r.token(t), body)
	if r.MsgCode == "RESTAPI000" || len(r.Errors) == 0 || !strings.Contains(r.Errors[0], "QUEUED") {
		t.Fatalf("second handover_activation: %s", r.raw)
	}
	r = b.call(t, "POST", "/handover", r.token(t), `{"action":"handover_activation","enrollment_id":"`+e2+`","payment_method":"CHEQUE"}`)
	if r.MsgCode == "RESTAPI000" || !strings.Contains(r.raw, "ESN is required") || !strings.Contains(r.raw, "Carrier is required") {
		t.Fatalf("bad handover_activation: %s", r.raw)
	}
	r.token(t)
}

// TestOneSIMTwoLines: the sample request with one uiccid on both lines is
// refused naming the second line, and writes nothing.
func TestOneSIMTwoLines(t *testing.T) {
	b := newBSS(t, 0)
	tok := b.authenticate(t)
	e1, tok := b.enrollmentID(t, tok)
	e2, tok := b.enrollmentID(t, tok)
	body := strings.ReplaceAll(sampleWith(t, e1, e2), `"uiccid": ""`, `"uiccid": "8901260000000000011"`)
	r := b.call(t, "POST", "/customer", tok, body)
	if r.MsgCode == "RESTAPI000" || len(r.Errors) == 0 || !strings.Contains(strings.Join(r.Errors, " "), "Line 2: the SIM 8901260000000000011 is held by another line") {
		t.Fatalf("one SIM on two lines: %s", r.raw)
	}
	accts, err := b.services.Enrollment.Accounts(t.Context(), b.org, ports.Query{Limit: 10})
	if err != nil || len(accts) != 0 {
		t.Fatalf("accounts after a refused request: %v %v", accts, err)
	}
}
