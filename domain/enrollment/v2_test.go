package enrollment_test

import (
	"strings"
	"testing"

	"github.com/allot-io/allot/domain/enrollment"
)

// v2Line is a create_prepaid_postpaid_customer_v2 line as clients send it:
// is_portin instead of activation_type, middle_name, its own
// parent_enrollment_id, order_id and the v2 fields.
func v2Line(id, parent string) map[string]string {
	m := validLine(id)
	delete(m, "activation_type")
	for k, v := range map[string]string{
		"middle_name": "user", "is_portin": "N", "parent_enrollment_id": parent, "order_id": "3",
		"is_esim": "N", "child_invoice_number": "", "no_of_advance_month": "0", "sim": "", "pin": "",
	} {
		m[k] = v
	}
	return m
}

func v2Request(t *testing.T, lines ...map[string]string) enrollment.RequestInput {
	in := request(t, lines...)
	in.Action = enrollment.ActionCreateV2
	in.ParentEnrollmentID = ""
	return in
}

func TestV2MapsItsFieldsThroughTheTable(t *testing.T) {
	r, err := enrollment.Validate(v2Request(t, v2Line("wtg5n6505", "")), enrollment.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	l := r.Lines()[0]
	if l.ActivationType() != enrollment.NewActivation || l.Customer().MiddleInitial != "user" || l.OrderID() != "3" ||
		l.IsESIM() || l.AdvanceMonths() != 0 || !l.PIN().IsZero() {
		t.Errorf("line = %v", l)
	}
	if i, ok := r.ParentIndex(); !ok || i != 0 || r.ParentEnrollmentID() != "WTG5N6505" {
		t.Errorf("an empty per-line parent opens the account: parent %q index %d %v", r.ParentEnrollmentID(), i, ok)
	}

	port := v2Line("WN1", "WN1")
	for k, v := range portInLine("WN1") {
		if strings.HasPrefix(k, "port_") {
			port[k] = v
		}
	}
	port["is_portin"] = "y"
	r, err = enrollment.Validate(v2Request(t, port), enrollment.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if l := r.Lines()[0]; l.ActivationType() != enrollment.PortIn || r.ParentEnrollmentID() != "WN1" {
		t.Errorf("is_portin Y = %v, parent %q", l, r.ParentEnrollmentID())
	}

	// Without is_portin nor activation_type, v2 defaults to NEWACTIVATION;
	// the multiline action still requires activation_type.
	bare := v2Line("WN2", "")
	delete(bare, "is_portin")
	if _, err := enrollment.Validate(v2Request(t, bare), enrollment.Limits{}); err != nil {
		t.Errorf("v2 without is_portin: %v", err)
	}
	multi := request(t, bare)
	multi.ParentEnrollmentID = "WN2"
	if vs := violations(t, mustFail(enrollment.Validate(multi, enrollment.Limits{}))); vs[0].Field != "activation_type" {
		t.Errorf("multiline without activation_type: %v", vs)
	}
}

func mustFail(_ enrollment.Request, err error) error { return err }

func TestV2Parents(t *testing.T) {
	// Line 1 opens the account, line 2 names it.
	r, err := enrollment.Validate(v2Request(t, v2Line("WN1", ""), v2Line("WN2", "wn1")), enrollment.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if i, ok := r.ParentIndex(); !ok || i != 0 || r.ParentEnrollmentID() != "WN1" {
		t.Errorf("parent %q %d %v", r.ParentEnrollmentID(), i, ok)
	}
	// Both empty: the first opens the account, the second joins it.
	if r, err := enrollment.Validate(v2Request(t, v2Line("WN1", ""), v2Line("WN2", "")), enrollment.Limits{}); err != nil || r.ParentEnrollmentID() != "WN1" {
		t.Errorf("two empty parents: %q %v", r.ParentEnrollmentID(), err)
	}
	// Lines of an existing account name it; no line opens one.
	if r, err := enrollment.Validate(v2Request(t, v2Line("WN3", "A1"), v2Line("WN4", "A1")), enrollment.Limits{}); err != nil || r.ParentIsNew() || r.ParentEnrollmentID() != "A1" {
		t.Errorf("existing parent: %q %v", r.ParentEnrollmentID(), err)
	}
	// A top-level parent still works, and lines may leave theirs empty.
	in := v2Request(t, v2Line("WN1", ""), v2Line("WN2", "WN1"))
	in.ParentEnrollmentID = "WN1"
	if _, err := enrollment.Validate(in, enrollment.Limits{}); err != nil {
		t.Errorf("top-level parent: %v", err)
	}
	// Two accounts in one request are refused, naming the line.
	_, err = enrollment.Validate(v2Request(t, v2Line("WN1", ""), v2Line("WN2", "OTHER")), enrollment.Limits{})
	vs := violations(t, err)
	if len(vs) != 1 || vs[0].Line != 2 || vs[0].Field != "parent_enrollment_id" || vs[0].Reason != enrollment.ReasonParentMismatch ||
		vs[0].Message != "Line 2: Parent enrollment Id should be WN1, the parent of every line of this request" {
		t.Errorf("mismatch = %+v", vs)
	}
	if got := enrollment.LineMessage(vs[0]); got != "Parent enrollment Id should be WN1, the parent of every line of this request" {
		t.Errorf("LineMessage = %q", got)
	}
}

func TestV2FieldRules(t *testing.T) {
	cases := []struct{ field, value, msg string }{
		{"is_portin", "YES", "Is portin should be Y or N"},
		{"order_id", "0", "Order Id should be a positive whole number"},
		{"order_id", "-3", "Order Id should be a positive whole number"},
		{"order_id", "3.5", "Order Id should be a positive whole number"},
		{"is_esim", "maybe", "Is eSIM should be Y or N"},
		{"no_of_advance_month", "100", "Number of advance months should be at most 2 digits"},
		{"sim", "12345", "SIM should be 18 to 22 digits"},
		{"middle_name", "J0hn", "Middle initial should contain only letters, space, apostrophe, accent grave and hyphen"},
	}
	for _, tc := range cases {
		l := v2Line("WN1", "")
		l[tc.field] = tc.value
		_, err := enrollment.Validate(v2Request(t, l), enrollment.Limits{})
		vs := violations(t, err)
		if len(vs) != 1 || vs[0].Message != tc.msg {
			t.Errorf("%s=%q: %+v, want %q", tc.field, tc.value, vs, tc.msg)
		}
	}
	// is_portin and activation_type must agree when both are sent.
	l := v2Line("WN1", "")
	l["activation_type"] = "PORTIN"
	vs := violations(t, mustFail(enrollment.Validate(v2Request(t, l), enrollment.Limits{})))
	if vs[0].Field != "is_portin" || vs[0].Reason != enrollment.ReasonAliasConflict {
		t.Errorf("conflict = %+v", vs)
	}
}

func TestNestedAddressesFlatten(t *testing.T) {
	var l enrollment.LineInput
	for k, v := range map[string]string{"address_one": "123 S MAIN ST", "address_two": "APT 7", "city": "SEATTLE", "state": "wa", "zip": "98103"} {
		if !l.SetMember("service_address", k, v) {
			t.Fatalf("service_address.%s refused", k)
		}
	}
	l.BillingZip = "98104"
	l.SetMember("billing_address", "zip", "11111") // the flat field wins
	if l.ServiceAddressOne != "123 S MAIN ST" || l.ServiceZip != "98103" || l.ServiceState != "wa" || l.BillingZip != "98104" {
		t.Errorf("flattened = %v", l)
	}
	if l.SetMember("service_address", "country", "US") || l.SetMember("home", "zip", "1") {
		t.Error("unknown members and groups must be refused")
	}
	if !l.SetMember("port_address", "zip", "08104") || l.PortZipCode != "08104" {
		t.Error("port_address.zip is port_zip_code")
	}
	names := map[string]bool{}
	for _, g := range enrollment.LineGroups() {
		names[g.JSON] = true
	}
	if !names["service_address"] || !names["billing_address"] || !names["port_address"] {
		t.Errorf("groups = %v", enrollment.LineGroups())
	}
}
