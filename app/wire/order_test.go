package wire_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/allot-io/allot/domain/order"
	"github.com/allot-io/allot/ports"
)

// configureOrders gives ACME what the payment flow needs: a shipping
// method, Washington's tax and regulatory fee, an activation fee and a
// coupon. It returns the shipping method's id.
func configureOrders(t *testing.T, b *bss) int64 {
	t.Helper()
	ctx := context.Background()
	o := b.services.Orders
	if o == nil {
		t.Fatal("the composition root wired no order service")
	}
	m, err := o.AddShippingMethod(ctx, b.org, "USPS Priority", "5.00", false)
	if err != nil {
		t.Fatal(err)
	}
	fee, proc := "10.00", "1.50"
	steps := []func() error{
		func() error { _, err := o.SetStateFees(ctx, b.org, "WA", "6.5", "2.25"); return err },
		func() error {
			_, err := o.ChangeSettings(ctx, b.org, order.SettingsChange{ActivationFee: &fee, ProcessingFee: &proc})
			return err
		},
		func() error {
			_, err := o.AddCoupon(ctx, b.org, ports.CouponSpec{Code: "SAVE10", Percent: "10"})
			return err
		},
	}
	for _, f := range steps {
		if err := f(); err != nil {
			t.Fatal(err)
		}
	}
	return m.ID
}

// TestPrepaidFlowWithPayment runs a real client's flow, chaining tokens:
// authenticate → check_service_availability → plan_list →
// get_shipping_methods → payment_details → make_payment, then the client's
// retry of make_payment, which answers the same order.
func TestPrepaidFlowWithPayment(t *testing.T) {
	b := newBSS(t, 0)
	shipID := configureOrders(t, b)
	tok := b.authenticate(t)
	enr, tok := b.enrollmentID(t, tok)
	r := b.call(t, "POST", "/plan", tok, `{"action":"plan_list","agent_id":"ewebsiteapi","source":"WEBSITE"}`)
	if r.MsgCode != "RESTAPI000" || !strings.Contains(string(r.Data), `"plan_id":"1828"`) {
		t.Fatalf("plan_list: %s", r.raw)
	}
	r = b.call(t, "POST", "/shipping", r.token(t), `{"action":"get_shipping_methods","agent_id":"ewebsiteapi","source":"WEBSITE"}`)
	if want := fmt.Sprintf(`[{"shipping_id":%d,"name":"USPS Priority","amount":"5.00","is_overnight":"N"}]`, shipID); r.MsgCode != "RESTAPI000" || string(r.Data) != want {
		t.Fatalf("get_shipping_methods: %s", r.raw)
	}
	quote := fmt.Sprintf(`"enrollment_id":%q,"plan_id":"1828","zip_code":"98103","no_of_lines":2,"shipping_id":%d,"coupon_code":"save10","agent_id":"ewebsiteapi","source":"WEBSITE"`, strings.ToLower(enr), shipID)
	r = b.call(t, "POST", "/payment", r.token(t), `{"action":"payment_details",`+quote+`}`)
	var q map[string]any
	if err := json.Unmarshal(r.Data, &q); err != nil || r.MsgCode != "RESTAPI000" {
		t.Fatalf("payment_details: %s", r.raw)
	}
	// 25.00 × 2 lines = 50.00; SAVE10 takes 5.00; WA tax 6.5% of 45.00 =
	// 2.93 (2.925); regulatory 2.25% = 1.01 (1.0125); activation 2 × 10.00;
	// shipping 5.00; processing 1.50: 75.44.
	for k, v := range map[string]string{"plan_amount": "50.00", "coupon_discount": "5.00", "plan_tax": "2.93", "regulatory_fee": "1.01",
		"plan_activation_fee": "20.00", "total_shipping_amount": "5.00", "overnight_shipping_amount": "0.00", "processingFee": "1.50", "total_amount": "75.44"} {
		if q[k] != v {
			t.Errorf("payment_details %s = %v, want %s", k, q[k], v)
		}
	}
	pay := `{"action":"make_payment",` + quote + `,"payment_type":"NEW_SIGNUP","payment_method":"OTHER_PAYMENT_OPTION","payment_method_option":"STRIPE",
		"charge_id":"ch_3PqX9","billing_address1":"112 N 41ST ST","billing_city":"SEATTLE","billing_state":"wa","billing_zip":"98103","external_transaction_id":"EXT1"}`
	r = b.call(t, "POST", "/payment", r.token(t), pay)
	type paid struct {
		OrderID       json.Number `json:"order_id"`
		InvoiceNumber string      `json:"invoice_number"`
		PaymentStatus string      `json:"payment_status"`
		TotalAmount   string      `json:"total_amount"`
		TransactionNo string      `json:"transaction_no"`
		CouponTxn     string      `json:"coupon_transaction_id"`
		External      string      `json:"external_transaction_id"`
	}
	var first paid
	if err := json.Unmarshal(r.Data, &first); err != nil || r.MsgCode != "RESTAPI000" {
		t.Fatalf("make_payment: %s", r.raw)
	}
	wantInvoice := time.Now().UTC().Format("2006-01") + "-0001"
	if !strings.Contains(string(r.Data), `"order_id":`+first.OrderID.String()+`,`) || first.InvoiceNumber != wantInvoice ||
		first.PaymentStatus != "SUCCESS" || first.TotalAmount != "75.44" || first.TransactionNo != "ch_3PqX9" || first.CouponTxn == "" || first.External != "EXT1" {
		t.Errorf("make_payment = %s (want an integer order_id and invoice %s)", r.raw, wantInvoice)
	}
	// The client's retry, with a fresh token, gets the same order.
	r = b.call(t, "POST", "/payment", r.token(t), strings.Replace(pay, "EXT1", "EXT2", 1))
	var again paid
	if err := json.Unmarshal(r.Data, &again); err != nil || again.OrderID != first.OrderID || again.InvoiceNumber != first.InvoiceNumber || again.External != "EXT2" {
		t.Fatalf("retried make_payment: %s", r.raw)
	}
	// An agent permitted plan_list only may not pay.
	r = b.call(t, "POST", "/payment", r.token(t), strings.Replace(pay, `"agent_id":"ewebsiteapi"`, `"agent_id":"planonly"`, 1))
	if r.MsgCode != "RESTAPI109" || r.Msg != "Unauthorized Access" {
		t.Errorf("make_payment by an agent without the permission: %s", r.raw)
	}
	o, err := b.services.Orders.OrderForEnrollment(context.Background(), b.org, enr)
	if err != nil || o.InvoiceNumber != wantInvoice || o.Quote.Total.String() != "75.44" || o.MethodOption != "STRIPE" {
		t.Errorf("stored order = %+v, %v", o, err)
	}
	// The coupon was used once, by the first call only.
	cs, _ := b.services.Orders.ListCoupons(context.Background(), b.org)
	if len(cs) != 1 || cs[0].Uses != 1 {
		t.Errorf("coupons = %+v", cs)
	}
}

// TestMakePaymentConcurrentRetries sends one make_payment ten times at
// once, each with its own token: one order, and every answer names it.
func TestMakePaymentConcurrentRetries(t *testing.T) {
	b := newBSS(t, 0)
	configureOrders(t, b)
	tok := b.authenticate(t)
	enr, _ := b.enrollmentID(t, tok)
	const n = 10
	toks := make([]string, n)
	for i := range toks {
		toks[i] = b.authenticate(t)
	}
	pay := fmt.Sprintf(`{"action":"make_payment","enrollment_id":%q,"plan_id":"1828","payment_type":"NEW_SIGNUP","payment_method":"CASH","agent_id":"ewebsiteapi","source":"WEBSITE"}`, enr)
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			r := b.call(t, "POST", "/payment", toks[i], pay)
			var d struct {
				OrderID json.Number `json:"order_id"`
			}
			if err := json.Unmarshal(r.Data, &d); err != nil || r.MsgCode != "RESTAPI000" {
				t.Errorf("call %d: %s", i, r.raw)
			}
			ids[i] = d.OrderID.String()
		})
	}
	wg.Wait()
	for i := range ids {
		if ids[i] != ids[0] || ids[i] == "" {
			t.Fatalf("order ids %v: want one", ids)
		}
	}
	list, err := b.services.Orders.Orders(context.Background(), b.org, ports.Query{})
	if err != nil || len(list) != 1 {
		t.Fatalf("orders = %d, %v; want exactly 1", len(list), err)
	}
}

// TestCardDataNeverStoredLoggedOrEchoed pays by card with no card
// processor configured: the answer is the documented refusal, nothing is
// stored, and the card's number, CVV and expiry are in no response, log
// line or database file.
func TestCardDataNeverStoredLoggedOrEchoed(t *testing.T) {
	const (
		canaryCard = "4000056655665556"
		canaryCVV  = "7391"
		canaryYear = "2093"
	)
	b := newBSS(t, 0)
	configureOrders(t, b)
	tok := b.authenticate(t)
	enr, tok := b.enrollmentID(t, tok)
	card := fmt.Sprintf(`{"action":"make_payment","enrollment_id":%q,"plan_id":"1828","payment_type":"NEW_SIGNUP","payment_method":"CREDIT_CARD",
		"credit_card_number":%q,"cvv":%q,"expiry_month":"12","expiry_year":%q,"billing_address1":"112 N 41ST ST","billing_city":"SEATTLE",
		"billing_state":"WA","billing_zip":"98103","agent_id":"ewebsiteapi","source":"WEBSITE"}`, enr, canaryCard, canaryCVV, canaryYear)
	var responses strings.Builder
	r := b.call(t, "POST", "/payment", tok, card)
	responses.WriteString(r.raw)
	if r.MsgCode != "RESTAPI110" || len(r.Errors) != 1 || r.Errors[0] != "Card payments are not enabled for this company" {
		t.Fatalf("card payment without a processor: %s", r.raw)
	}
	// Malformed card fields and a bad token carry the canaries too.
	r = b.call(t, "POST", "/payment", r.token(t), strings.Replace(card, `"cvv":"`+canaryCVV+`"`, `"cvv":{"x":"`+canaryCVV+`"}`, 1))
	responses.WriteString(r.raw)
	r = b.call(t, "POST", "/payment", "tokNotValid", card)
	responses.WriteString(r.raw)

	if _, err := b.services.Orders.OrderForEnrollment(context.Background(), b.org, enr); err == nil {
		t.Error("a refused card payment stored an order")
	}
	// The refusal drew no invoice number: a cash payment now gets 0001.
	r = b.authenticatedCall(t, "/payment", strings.NewReplacer(`"CREDIT_CARD"`, `"CASH"`).Replace(card))
	responses.WriteString(r.raw)
	if !strings.Contains(string(r.Data), `"invoice_number":"`+time.Now().UTC().Format("2006-01")+`-0001"`) {
		t.Errorf("cash payment after the refusal: %s", r.raw)
	}

	dbBytes, err := os.ReadFile(b.db)
	if err != nil {
		t.Fatal(err)
	}
	wal, _ := os.ReadFile(b.db + "-wal")
	dbBytes = append(dbBytes, wal...)
	for _, c := range []string{canaryCard, canaryCVV, canaryYear} {
		// Matched as whole numbers: a duration of 1209351 ns or a time of
		// 12:15:43.209312 does not hold the year 2093.
		re := regexp.MustCompile(`(^|[^0-9])` + c + `([^0-9]|$)`)
		if re.MatchString(b.logs.String()) {
			t.Errorf("the log holds %q", c)
		}
		if re.MatchString(responses.String()) {
			t.Errorf("a response holds %q", c)
		}
		if re.Match(dbBytes) {
			t.Errorf("the database file holds %q", c)
		}
	}
	if !strings.Contains(b.logs.String(), "/payment") {
		t.Error("the request log is missing: the canary search would prove nothing")
	}
}

// authenticatedCall authenticates and makes one call with the token.
func (b *bss) authenticatedCall(t *testing.T, path, body string) reply {
	t.Helper()
	return b.call(t, "POST", path, b.authenticate(t), body)
}
