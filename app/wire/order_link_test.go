package wire_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// v2Reply is the v2 creation answer as a typed client reads it.
type v2Reply struct {
	Data []struct {
		Data struct {
			CustID        int64  `json:"cust_id"`
			EnrollmentID  string `json:"enrollment_id"`
			InvoiceNumber string `json:"invoice_number"`
		} `json:"data"`
		MsgCode string   `json:"msg_code"`
		Errors  []string `json:"errors"`
	} `json:"data"`
	Errors  []string `json:"errors"`
	MsgCode string   `json:"msg_code"`
	Token   string   `json:"token"`
}

// v2Customer is a create_prepaid_postpaid_customer_v2 request for the
// lines ids (the first opens the account), every line naming orderID.
func v2Customer(orderID string, ids ...string) string {
	var lines []string
	for i, id := range ids {
		parent := ""
		if i > 0 {
			parent = ids[0]
		}
		l := fmt.Sprintf(`{"enrollment_id":%q,"parent_enrollment_id":%q,"first_name":"Ann","last_name":"Lee","email":"ann@example.com",
			"service_address":{"address_one":"112 N 41ST ST","city":"SEATTLE","state":"WA","zip":"98103"},"plan_id":1828,
			"is_portin":"N","enrollment_type":"SHIPMENT","is_esim":"N"`, id, parent)
		if orderID != "" {
			l += `,"order_id":` + orderID
		}
		lines = append(lines, l+"}")
	}
	return `{"action":"create_prepaid_postpaid_customer_v2","agent_id":"ewebsiteapi","source":"WEBSITE","request_name":"customer",
		"external_transaction_id":"EXT9","lines":[` + strings.Join(lines, ",") + `]}`
}

// payFlow runs a client's flow up to the payment, chaining tokens:
// authenticate → check_service_availability (twice: a parent and a child
// line) → plan_list → payment_details → make_payment for the parent's
// enrollment id and both lines. It returns the enrollment ids, the order
// id and invoice number as make_payment answered them, and the next token.
func payFlow(t *testing.T, b *bss, method string) (ids []string, orderID json.Number, invoice, tok string) {
	t.Helper()
	tok = b.authenticate(t)
	parent, tok := b.enrollmentID(t, tok)
	child, tok := b.enrollmentID(t, tok)
	r := b.call(t, "POST", "/plan", tok, `{"action":"plan_list","agent_id":"ewebsiteapi","source":"WEBSITE","zip_code":"98103"}`)
	if r.MsgCode != "RESTAPI000" || !strings.Contains(string(r.Data), `"plan_id":"1828"`) {
		t.Fatalf("plan_list: %s", r.raw)
	}
	quote := fmt.Sprintf(`"enrollment_id":%q,"plan_id":"1828","zip_code":"98103","no_of_lines":2,"agent_id":"ewebsiteapi","source":"WEBSITE"`, parent)
	r = b.call(t, "POST", "/payment", r.token(t), `{"action":"payment_details",`+quote+`}`)
	if r.MsgCode != "RESTAPI000" || !strings.Contains(string(r.Data), `"total_amount":"50.00"`) {
		t.Fatalf("payment_details: %s", r.raw)
	}
	r = b.call(t, "POST", "/payment", r.token(t), `{"action":"make_payment",`+quote+`,"payment_type":"NEW_SIGNUP","payment_method":"`+method+`"}`)
	var paid struct {
		OrderID       json.Number `json:"order_id"`
		InvoiceNumber string      `json:"invoice_number"`
	}
	if err := json.Unmarshal(r.Data, &paid); err != nil || r.MsgCode != "RESTAPI000" || paid.OrderID == "" || paid.InvoiceNumber == "" {
		t.Fatalf("make_payment: %s", r.raw)
	}
	return []string{parent, child}, paid.OrderID, paid.InvoiceNumber, r.token(t)
}

// TestPrepaidFlowCreatesWithTheOrder is the whole prepaid flow as a real
// client runs it: the payment under the parent's enrollment id, then
// create_prepaid_postpaid_customer_v2 with the order_id make_payment
// returned on both lines; each line answers, and is stored with, the
// order's invoice number. The order's lines are listed under it.
func TestPrepaidFlowCreatesWithTheOrder(t *testing.T) {
	b := newBSS(t, 0)
	ids, orderID, invoice, tok := payFlow(t, b, "CASH")
	raw := b.call(t, "POST", "/customer", tok, v2Customer(orderID.String(), ids...)).raw
	var r v2Reply
	if err := json.Unmarshal([]byte(raw), &r); err != nil || r.MsgCode != "RESTAPI000" || len(r.Data) != 2 || r.Token == "" {
		t.Fatalf("v2 create: %s", raw)
	}
	for i, l := range r.Data {
		if l.MsgCode != "RESTAPI000" || l.Data.CustID == 0 || l.Data.EnrollmentID != ids[i] || l.Data.InvoiceNumber != invoice {
			t.Errorf("line %d = %+v, want invoice %s", i+1, l, invoice)
		}
	}
	ctx := context.Background()
	accts, err := b.services.Enrollment.Accounts(ctx, b.org, ports.Query{})
	if err != nil || len(accts) != 1 || len(accts[0].Lines) != 2 {
		t.Fatalf("accounts %+v, %v", accts, err)
	}
	id, _ := orderID.Int64()
	for _, l := range accts[0].Lines {
		if l.InvoiceNumber != invoice || l.OrderID != id {
			t.Errorf("stored line %+v, want order %d and invoice %s", l, id, invoice)
		}
	}
	lines, err := b.services.Orders.OrderLines(ctx, b.org, []int64{id})
	if err != nil || len(lines[id]) != 2 {
		t.Errorf("order lines %+v, %v", lines, err)
	}

	// Another enrollment's order is refused with the line named, and
	// nothing is written.
	other, tok := b.enrollmentID(t, r.Token)
	raw = b.call(t, "POST", "/customer", tok, v2Customer(orderID.String(), other)).raw
	var refused v2Reply
	if err := json.Unmarshal([]byte(raw), &refused); err != nil || refused.MsgCode != "RESTAPI110" || len(refused.Errors) == 0 || refused.Errors[0] != "Fail" ||
		len(refused.Data) != 1 || len(refused.Data[0].Errors) != 1 || refused.Data[0].Errors[0] != "Order "+orderID.String()+" is not an order of this enrollment" {
		t.Fatalf("another enrollment's order: %s", raw)
	}
	if accts, _ := b.services.Enrollment.Accounts(ctx, b.org, ports.Query{}); len(accts) != 1 {
		t.Errorf("the refused request wrote an account: %+v", accts)
	}
}

// TestRequirePaymentOverHTTP: with require-payment Y, creating without an
// order_id and with an order whose payment was skipped are refused with
// their messages; a CASH order then creates.
func TestRequirePaymentOverHTTP(t *testing.T) {
	b := newBSS(t, 0)
	if _, err := b.services.Orgs.Configure(context.Background(), "ACME", []ports.SettingChange{{Name: tenant.SettingRequirePayment, Value: "Y"}}); err != nil {
		t.Fatal(err)
	}
	ids, skipped, _, tok := payFlow(t, b, "SKIP_PAYMENT")
	for _, tc := range []struct{ orderID, msg string }{
		{"", "Order Id is required: this company requires payment before a customer is created"},
		{skipped.String(), "Order " + skipped.String() + " is not paid: this company requires payment before a customer is created"},
	} {
		r := b.call(t, "POST", "/customer", tok, v2Customer(tc.orderID, ids[0]))
		var got v2Reply
		if err := json.Unmarshal([]byte(r.raw), &got); err != nil || got.MsgCode != "RESTAPI110" || len(got.Data) != 1 ||
			len(got.Data[0].Errors) != 1 || got.Data[0].Errors[0] != tc.msg {
			t.Errorf("order_id %q: %s", tc.orderID, r.raw)
		}
		tok = r.token(t)
	}
	more, cash, invoice, tok := payFlow(t, b, "CASH")
	r := b.call(t, "POST", "/customer", tok, v2Customer(cash.String(), more...))
	if r.MsgCode != "RESTAPI000" || strings.Count(r.raw, `"invoice_number":"`+invoice+`"`) != 2 {
		t.Errorf("a paid order: %s", r.raw)
	}
}
