package httpapi

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/money"
	"github.com/allot-io/allot/domain/order"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// fakeOrders answers the order actions with the functions a test sets and
// records what the adapter decoded.
type fakeOrders struct {
	mu      sync.Mutex
	cc      ports.CallContext
	quote   order.QuoteInput
	payment ports.PaymentCall

	shipFn  func() ([]order.ShippingMethod, error)
	quoteFn func() (order.Quote, error)
	payFn   func() (order.Order, error)
}

var _ ports.OrderService = (*fakeOrders)(nil)

func (f *fakeOrders) ShippingMethods(_ context.Context, _ tenant.OrgID, cc ports.CallContext) ([]order.ShippingMethod, error) {
	f.mu.Lock()
	f.cc = cc
	f.mu.Unlock()
	return f.shipFn()
}

func (f *fakeOrders) Quote(_ context.Context, _ tenant.OrgID, c ports.QuoteCall) (order.Quote, error) {
	f.mu.Lock()
	f.cc, f.quote = c.CallContext, c.Quote
	f.mu.Unlock()
	return f.quoteFn()
}

func (f *fakeOrders) MakePayment(_ context.Context, _ tenant.OrgID, c ports.PaymentCall) (order.Order, error) {
	f.mu.Lock()
	f.cc, f.payment = c.CallContext, c
	f.mu.Unlock()
	return f.payFn()
}

var errNotForHTTP = errors.New("not used by the HTTP adapter")

func (f *fakeOrders) OrderForEnrollment(context.Context, tenant.OrgID, string) (order.Order, error) {
	return order.Order{}, errNotForHTTP
}
func (f *fakeOrders) AddShippingMethod(context.Context, tenant.OrgID, string, string, bool) (order.ShippingMethod, error) {
	return order.ShippingMethod{}, errNotForHTTP
}
func (f *fakeOrders) ListShippingMethods(context.Context, tenant.OrgID) ([]order.ShippingMethod, error) {
	return nil, errNotForHTTP
}
func (f *fakeOrders) Settings(context.Context, tenant.OrgID) (order.Settings, error) {
	return order.Settings{}, errNotForHTTP
}
func (f *fakeOrders) ChangeSettings(context.Context, tenant.OrgID, order.SettingsChange) (order.Settings, error) {
	return order.Settings{}, errNotForHTTP
}
func (f *fakeOrders) SetStateFees(context.Context, tenant.OrgID, string, string, string) (order.StateFees, error) {
	return order.StateFees{}, errNotForHTTP
}
func (f *fakeOrders) ListStateFees(context.Context, tenant.OrgID) ([]order.StateFees, error) {
	return nil, errNotForHTTP
}
func (f *fakeOrders) AddCoupon(context.Context, tenant.OrgID, ports.CouponSpec) (order.Coupon, error) {
	return order.Coupon{}, errNotForHTTP
}
func (f *fakeOrders) ListCoupons(context.Context, tenant.OrgID) ([]order.Coupon, error) {
	return nil, errNotForHTTP
}
func (f *fakeOrders) Orders(context.Context, tenant.OrgID, ports.Query) ([]order.Order, error) {
	return nil, errNotForHTTP
}
func (f *fakeOrders) OrderLines(context.Context, tenant.OrgID, []int64) (map[int64][]enrollment.LineRecord, error) {
	return nil, errNotForHTTP
}

// sampleQuote is a priced quote with every part of the breakdown.
func sampleQuote() order.Quote {
	return order.Price(order.PriceInput{
		Plans: []order.PricedPlan{{ID: "1828", Months: 2, Price: money.MustParse("25.00")}}, Lines: 2,
		Settings: order.Settings{ActivationFee: money.MustParse("10"), ProcessingFee: money.MustParse("1.50")},
		Fees:     order.StateFees{State: "WA", TaxRate: money.MustParseRate("6.5"), RegulatoryRate: money.MustParseRate("2.25")},
		Shipping: order.ShippingMethod{ID: 4, Name: "Overnight", Amount: money.MustParse("24.99"), Overnight: true},
		Coupon:   &order.Coupon{Code: "TEN", Kind: order.PercentOff, Percent: money.MustParseRate("10")},
	})
}

func newOrdersHarness(t *testing.T) (*harness, *fakeOrders) {
	f := &fakeOrders{
		shipFn: func() ([]order.ShippingMethod, error) {
			return []order.ShippingMethod{{ID: 3, Name: "USPS Ground", Amount: money.MustParse("5")}, {ID: 4, Name: "Overnight", Amount: money.MustParse("24.99"), Overnight: true}}, nil
		},
		quoteFn: func() (order.Quote, error) { return sampleQuote(), nil },
		payFn: func() (order.Order, error) {
			return order.Order{ID: 102245, EnrollmentID: "WN116", InvoiceNumber: "2024-05-2002", Status: order.Paid, Method: order.Cash, Quote: sampleQuote()}, nil
		},
	}
	h := newHarness(t, func(_ *Config, s *ports.Services) { s.Orders = f })
	return h, f
}

const (
	shipBody    = `{"action":"get_shipping_methods","agent_id":"ewebsiteapi","source":"API"}`
	detailsBody = `{"action":"payment_details","agent_id":"ewebsiteapi","source":"API","enrollment_id":"wn116","plan_id":1828,"no_of_months":"2","zip_code":"98103","no_of_lines":2,"shipping_id":4,"coupon_code":"ten"}`
	payBody     = `{"action":"make_payment","agent_id":"ewebsiteapi","source":"API","enrollment_id":"WN116","plan_id":"1828","zip_code":"98103","no_of_lines":"2",
		"payment_type":"NEW_SIGNUP","payment_method":"CASH","billing_address1":"112 N 41ST ST","billing_city":"SEATTLE","billing_state":"WA","billing_zip":"98103",
		"external_transaction_id":"EXT42"}`
)

// TestShippingMethods: the shipping_id is an integer and the amount an
// exact decimal, and the fresh token chains on.
func TestShippingMethods(t *testing.T) {
	h, f := newOrdersHarness(t)
	wantBSS(t, h.bss(ShippingPath, shipBody, h.enr.token()), http.StatusOK, bssBody("Success", "RESTAPI000", tokenN(2), "data", []any{
		map[string]any{"shipping_id": 3.0, "name": "USPS Ground", "amount": "5.00", "is_overnight": "N"},
		map[string]any{"shipping_id": 4.0, "name": "Overnight", "amount": "24.99", "is_overnight": "Y"},
	}))
	if f.cc.Action != enrollment.ActionShippingMethods || f.cc.AgentID != "ewebsiteapi" || f.cc.Source != "API" {
		t.Errorf("call context %+v", f.cc)
	}
	f.shipFn = func() ([]order.ShippingMethod, error) { return nil, nil }
	if got := decode(t, h.bss(ShippingPath, shipBody, h.enr.token()).Body.Bytes()); !reflect.DeepEqual(got["data"], []any{}) {
		t.Errorf("no methods: data = %v, want []", got["data"])
	}
}

// TestPaymentDetails: the quote's fields are decoded from strings and
// numbers alike, and the breakdown carries the export's names.
func TestPaymentDetails(t *testing.T) {
	h, f := newOrdersHarness(t)
	w := h.bss(PaymentPath, detailsBody, h.enr.token())
	want := order.QuoteInput{EnrollmentID: "wn116", Plans: []order.PlanChoice{{ID: "1828", Months: "2"}}, ZipCode: "98103", Lines: "2", ShippingID: "4", CouponCode: "ten"}
	if !reflect.DeepEqual(f.quote, want) {
		t.Errorf("decoded %+v\nwant    %+v", f.quote, want)
	}
	// plans 25 × 2 months × 2 lines = 100; 10% off = 90; tax 6.5% = 5.85;
	// regulatory 2.25% = 2.03 (2.025); activation 20; shipping 24.99;
	// processing 1.50; total 144.37.
	wantBSS(t, w, http.StatusOK, bssBody("Success", "RESTAPI000", tokenN(2), "data", map[string]any{
		"plans":                     []any{map[string]any{"plan_id": "1828", "no_of_months": 2.0, "plan_price": "25.00", "amount": "100.00"}},
		"no_of_lines":               2.0,
		"plan_amount":               "100.00",
		"coupon_code":               "TEN",
		"coupon_discount":           "10.00",
		"plan_activation_fee":       "20.00",
		"plan_tax":                  "5.85",
		"regulatory_fee":            "2.03",
		"shipping_id":               4.0,
		"total_shipping_amount":     "24.99",
		"overnight_shipping_amount": "24.99",
		"processingFee":             "1.50",
		"total_amount":              "144.37",
		"state":                     "WA",
	}))

	// The list form of plan_id.
	h.bss(PaymentPath, `{"action":"payment_details","agent_id":"a","source":"API","enrollment_id":"E1","plan_id":[{"id":"1828","no_of_months":3},{"plan_id":606}]}`, h.enr.token())
	if want := []order.PlanChoice{{ID: "1828", Months: "3"}, {ID: "606"}}; !reflect.DeepEqual(f.quote.Plans, want) {
		t.Errorf("plans %+v, want %+v", f.quote.Plans, want)
	}
	// A malformed list is the adapter's own violation; the service is not called.
	f.quote = order.QuoteInput{}
	w = h.invalid().bss(PaymentPath, `{"action":"payment_details","agent_id":"a","source":"API","enrollment_id":"E1","plan_id":["x",1]}`, h.enr.token())
	if got := decode(t, w.Body.Bytes()); got["msg_code"] != "RESTAPI110" || f.quote.EnrollmentID != "" {
		t.Errorf("malformed plan list: %s", w.Body)
	}
}

// TestMakePaymentResponse: the export's fields, order_id an integer, the
// client's external_transaction_id echoed inside data and at the top.
func TestMakePaymentResponse(t *testing.T) {
	h, f := newOrdersHarness(t)
	w := h.bss(PaymentPath, payBody, h.enr.token())
	got := decode(t, w.Body.Bytes())
	data, _ := got["data"].(map[string]any)
	want := map[string]any{
		"order_id": 102245.0, "invoice_number": "2024-05-2002", "payment_status": "SUCCESS", "total_amount": "144.37",
		"plan_activation_fee": "20.00", "plan_tax": "5.85", "processingFee": "1.50", "total_shipping_amount": "24.99",
		"overnight_shipping_amount": "24.99", "coupon_transaction_id": "CPN00102245", "transaction_no": "TXN00102245",
		"external_transaction_id": "EXT42", "enrollment_id": "WN116", "payment_method": "CASH", "plan_amount": "100.00",
		"coupon_discount": "10.00", "regulatory_fee": "2.03",
	}
	if !reflect.DeepEqual(data, want) || got["external_transaction_id"] != "EXT42" || got["token"] != tokenN(2) || got["msg_code"] != "RESTAPI000" {
		t.Errorf("make_payment = %s", w.Body)
	}
	p := f.payment
	if p.Payment.Method != "CASH" || p.Payment.PaymentType != "NEW_SIGNUP" || p.Payment.Billing.One != "112 N 41ST ST" ||
		p.Payment.Billing.Zip != "98103" || p.Payment.Quote.Lines != "2" || p.ExternalTransactionID != "EXT42" || p.Action != enrollment.ActionMakePayment {
		t.Errorf("decoded %+v", p)
	}
}

// TestPaymentDocumentedErrors: each error the payment actions document
// reaches the client with its msg_code, msg and errors, and a fresh token.
func TestPaymentDocumentedErrors(t *testing.T) {
	h, f := newOrdersHarness(t)
	cases := []struct {
		name   string
		err    error
		msg    string
		code   string
		errors []any
	}{
		{"card payments disabled", order.CardsDisabledError(), "Error occurred", "RESTAPI110", list(order.MsgCardsDisabled)},
		{"source not allowed", enrollment.SourceNotAllowedError(), "Source Not Allowed", "RESTAPI103", list(enrollment.MsgSourceRefused)},
		{"invalid agent", enrollment.UnknownAgentError(), "Invalid Agent Id", "RESTAPI104", list("Invalid Agent Id")},
		{"not permitted", enrollment.UnauthorizedActionError(), "Unauthorized Access", "RESTAPI109", list("Unauthorized Access")},
		{"one field", fault.InvalidField("zip_code", "digits", "INVALID_ZIP_CODE", order.MsgInvalidZip), "Error occurred", "RESTAPI110", list(order.MsgInvalidZip)},
		{"plans not found", fault.Violations{{Field: "plan_id", Reason: order.ReasonPlanNotFound, Message: order.MsgPlansNotFound}}.Err(), "Error occurred", "RESTAPI110", list(order.MsgPlansNotFound)},
		{"several fields", fault.Violations{{Field: "payment_type", Reason: "X", Message: "Payment type is required"}, {Field: "payment_method", Reason: "Y", Message: "Payment method is required"}}.Err(),
			"Error occurred", "RESTAPI010", list("Payment type is required", "Payment method is required")},
		{"coupon used up", order.CouponUsedUp("TEN"), "Error occurred", "RESTAPI110", list("Coupon code TEN has been used the most times allowed")},
	}
	for _, c := range cases {
		for _, call := range []struct{ path, body string }{{PaymentPath, payBody}, {PaymentPath, detailsBody}} {
			err := c.err
			f.payFn = func() (order.Order, error) { return order.Order{}, err }
			f.quoteFn = func() (order.Quote, error) { return order.Quote{}, err }
			w := h.bss(call.path, call.body, h.enr.token())
			got := decode(t, w.Body.Bytes())
			tok, _ := got["token"].(string)
			if !strings.HasPrefix(tok, "tok") {
				t.Errorf("%s: no fresh token in %s", c.name, w.Body)
			}
			want := bssBody(c.msg, c.code, tok, "errors", c.errors)
			if strings.Contains(call.body, "EXT42") {
				want["external_transaction_id"] = "EXT42"
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: %s\nwant %v", c.name, w.Body, want)
			}
		}
	}
	// A store failure is a generic 500 in the envelope, the token still chained.
	f.payFn = func() (order.Order, error) { return order.Order{}, errors.New("disk on fire") }
	w := h.bss(PaymentPath, payBody, h.enr.token())
	if got := decode(t, w.Body.Bytes()); w.Code != http.StatusInternalServerError || got["msg_code"] != "RESTAPI110" || strings.Contains(w.Body.String(), "disk") || got["token"] == "" {
		t.Errorf("internal: %d %s", w.Code, w.Body)
	}
	// Unknown actions of the new modules, and the modules without a service.
	for _, path := range []string{PaymentPath, ShippingPath} {
		if got := decode(t, h.invalid().bss(path, `{"action":"plan_list"}`, h.enr.token()).Body.Bytes()); got["msg_code"] != "RESTAPI106" {
			t.Errorf("%s plan_list: %v", path, got)
		}
		if got := decode(t, h.invalid().do(http.MethodGet, path, "").Body.Bytes()); got["msg"] != "Invalid Access!!" {
			t.Errorf("GET %s: %v", path, got)
		}
	}
	off := newHarness(t)
	for _, path := range []string{PaymentPath, ShippingPath} {
		if got := decode(t, off.invalidIf(path == PaymentPath).bss(path, shipBody, off.enr.token()).Body.Bytes()); got["msg_code"] != "RESTAPI105" || got["msg"] != "Module does not exist" {
			t.Errorf("%s without an order service: %v", path, got)
		}
	}
}

// TestPaymentCardNeverEchoedOrLogged sends card data through make_payment,
// answered with success and with failures of every kind, and searches the
// responses and the log for it.
func TestPaymentCardNeverEchoedOrLogged(t *testing.T) {
	const (
		canaryCard = "4242424242424242"
		canaryCVV  = "9173"
		canaryExp  = "2039"
	)
	card := `,"payment_method":"CREDIT_CARD","credit_card_number":"` + canaryCard + `","cvv":"` + canaryCVV + `","expiry_month":"11","expiry_year":"` + canaryExp + `"`
	body := strings.Replace(payBody, `,"payment_method":"CASH"`, card, 1)
	h, f := newOrdersHarness(t)
	var responses strings.Builder
	send := func(b string) {
		responses.WriteString(h.bss(PaymentPath, b, h.enr.token()).Body.String())
	}
	// sendInvalid sends a body with a field of the wrong type.
	sendInvalid := func(b string) {
		responses.WriteString(h.invalid().bss(PaymentPath, b, h.enr.token()).Body.String())
	}
	f.payFn = func() (order.Order, error) {
		return order.Order{ID: 7, EnrollmentID: "WN116", InvoiceNumber: "2026-12-0001", Method: order.CreditCard, CardBrand: "VISA", CardLast4: "4242", Quote: sampleQuote()}, nil
	}
	send(body)
	if c := f.payment.Payment.Card; c.Number.Reveal() != canaryCard || c.CVV.Reveal() != canaryCVV || c.ExpiryYear.Reveal() != canaryExp {
		t.Fatalf("the card did not reach the service: %v", c)
	}
	for _, e := range []error{order.CardsDisabledError(), errors.New("gateway exploded " + "x"), fault.InvalidField("cvv", "digits", "INVALID_CVV", "CVV should be 3 or 4 digits")} {
		err := e
		f.payFn = func() (order.Order, error) { return order.Order{}, err }
		send(body)
	}
	f.payFn = func() (order.Order, error) { panic("boom") }
	send(body)
	// Card fields of the wrong type are reported by name, never by value.
	sendInvalid(strings.Replace(body, `"cvv":"`+canaryCVV+`"`, `"cvv":{"v":"`+canaryCVV+`"}`, 1))
	sendInvalid(strings.Replace(body, `"credit_card_number":"`+canaryCard+`"`, `"credit_card_number":[`+canaryCard+`]`, 1))
	// With a bad token and on an unknown module.
	h.bss(PaymentPath, body, "tokUnknownCanary1")
	h.invalid().bss("/payments", body, h.enr.token())

	logs := h.logs.String()
	for _, s := range []string{canaryCard, canaryCVV, canaryExp} {
		// Short canaries are matched as whole numbers, so that a duration
		// of 1091734 ns does not count as the CVV 9173.
		re := regexp.MustCompile(`(^|[^0-9])` + s + `([^0-9]|$)`)
		if re.MatchString(responses.String()) {
			t.Errorf("a response holds %q:\n%s", s, responses.String())
		}
		if re.MatchString(logs) {
			t.Errorf("the log holds %q:\n%s", s, logs)
		}
	}
	if !strings.Contains(responses.String(), `"card_last4":"4242"`) {
		t.Error("the success answer should show the last four digits the order keeps")
	}
	if !strings.Contains(logs, PaymentPath) {
		t.Error("the request log is missing: the canary search would prove nothing")
	}
}
