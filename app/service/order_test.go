package service_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/allot-io/allot/adapters/bunstore"
	"github.com/allot-io/allot/adapters/secret"
	"github.com/allot-io/allot/app/service"
	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/order"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// fakeGateway charges every card, or fails with err, and records charges.
type fakeGateway struct {
	err     error
	charges []ports.Charge
}

func (g *fakeGateway) Charge(_ context.Context, c ports.Charge) (ports.ChargeResult, error) {
	if g.err != nil {
		return ports.ChargeResult{}, g.err
	}
	g.charges = append(g.charges, c)
	return ports.ChargeResult{Reference: "gw_1", Brand: "VISA", Last4: "ignored-by-allot"}, nil
}

type orderEnv struct {
	svc   ports.Services
	org   tenant.OrgID
	clock *clock
	gw    *fakeGateway
}

// newOrderEnv builds the services over SQLite with a card gateway,
// organisation ACME, agent web, source API, zip 98103 (WA), plan 1828 at
// 25.00 and two issued enrollment ids, returned.
func newOrderEnv(t *testing.T) (*orderEnv, []string) {
	t.Helper()
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	st, err := bunstore.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "a.db"), bunstore.WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	gw := &fakeGateway{}
	key := make([]byte, 32)
	sealer, _ := secret.NewGCM(key)
	svc := service.New(service.Deps{Store: st, Clock: clk, Hasher: secret.NewTestHasher(), Sealer: sealer, TokenKey: key, Gateway: gw}, service.Config{})
	org, err := svc.Orgs.Create(ctx, "ACME", "")
	if err != nil {
		t.Fatal(err)
	}
	e := svc.Enrollment
	must(t, func() error { _, err := e.AddAgent(ctx, org.ID, "web", "", nil); return err })
	must(t, func() error { _, err := e.AllowSources(ctx, org.ID, []string{"API"}); return err })
	must(t, func() error {
		return e.AddZips(ctx, org.ID, []enrollment.ServiceZip{{Zip: "98103", City: "SEATTLE", State: "WA"}, {Zip: "08104", City: "CAMDEN", State: "NJ"}})
	})
	must(t, func() error {
		_, err := e.AddPlan(ctx, org.ID, map[string]enrollment.PlanValue{"plan_id": {Text: "1828"}, "plan_name": {Text: "Unlimited"}, "plan_price": {Text: "25.00"}})
		return err
	})
	var ids []string
	for range 2 {
		av, err := e.CheckAvailability(ctx, org.ID, ports.AvailabilityRequest{CallContext: cc("check_service_availability"), ZipCode: "98103", EnrollmentType: "NON_LIFELINE", IsEnrollment: "Y"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, av.EnrollmentID)
	}
	return &orderEnv{svc: svc, org: org.ID, clock: clk, gw: gw}, ids
}

func cc(action string) ports.CallContext {
	return ports.CallContext{Action: action, AgentID: "web", Source: "API"}
}

func quoteCall(id string, edit func(*order.QuoteInput)) ports.QuoteCall {
	q := order.QuoteInput{EnrollmentID: id, Plans: []order.PlanChoice{{ID: "1828"}}}
	if edit != nil {
		edit(&q)
	}
	return ports.QuoteCall{CallContext: cc("payment_details"), Quote: q}
}

// TestQuoteReportsEveryReference: unknown enrollment id, unserved zip,
// unknown plan, shipping method and coupon are reported at once.
func TestQuoteReportsEveryReference(t *testing.T) {
	e, _ := newOrderEnv(t)
	_, err := e.svc.Orders.Quote(context.Background(), e.org, quoteCall("NOPE1", func(q *order.QuoteInput) {
		q.ZipCode, q.Plans, q.ShippingID, q.CouponCode = "10001", []order.PlanChoice{{ID: "999"}}, "77", "NOSUCH"
	}))
	want := []string{order.ReasonEnrollmentNotFound, order.ReasonZipNotServed, order.ReasonPlanNotFound, order.ReasonShippingNotFound, order.ReasonCouponNotFound}
	if got := reasons(err); !slices.Equal(got, want) {
		t.Fatalf("reasons %v, want %v (%v)", got, want, err)
	}
}

// TestQuoteUsesTheEnrollmentZipsState: without zip_code the quote is
// taxed in the state of the zip the enrollment id was issued for; with one,
// in that zip's state.
func TestQuoteUsesTheEnrollmentZipsState(t *testing.T) {
	e, ids := newOrderEnv(t)
	ctx := context.Background()
	if _, err := e.svc.Orders.SetStateFees(ctx, e.org, "WA", "10", "0"); err != nil {
		t.Fatal(err)
	}
	q, err := e.svc.Orders.Quote(ctx, e.org, quoteCall(ids[0], nil))
	if err != nil || q.State != "WA" || q.Tax.String() != "2.50" || q.Total.String() != "27.50" {
		t.Fatalf("quote = %+v, %v", q, err)
	}
	q, err = e.svc.Orders.Quote(ctx, e.org, quoteCall(ids[0], func(q *order.QuoteInput) { q.ZipCode = "08104" }))
	if err != nil || q.State != "NJ" || q.Tax != 0 {
		t.Fatalf("quote in NJ = %+v, %v", q, err)
	}
}

// TestCouponExpiry: a coupon past its end is refused with its reason.
func TestCouponExpiry(t *testing.T) {
	e, ids := newOrderEnv(t)
	ctx := context.Background()
	if _, err := e.svc.Orders.AddCoupon(ctx, e.org, ports.CouponSpec{Code: "late", Amount: "5", ExpiresAt: e.clock.t.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	withCoupon := quoteCall(ids[0], func(q *order.QuoteInput) { q.CouponCode = "LATE" })
	if q, err := e.svc.Orders.Quote(ctx, e.org, withCoupon); err != nil || q.Discount.String() != "5.00" {
		t.Fatalf("before expiry: %+v, %v", q, err)
	}
	e.clock.t = e.clock.t.Add(time.Hour)
	_, err := e.svc.Orders.Quote(ctx, e.org, withCoupon)
	if got := reasons(err); !slices.Equal(got, []string{order.ReasonCouponExpired}) {
		t.Fatalf("after expiry: %v", err)
	}
}

func cardPayment(id string) ports.PaymentCall {
	return ports.PaymentCall{CallContext: cc("make_payment"), Payment: order.PaymentInput{
		Quote: order.QuoteInput{EnrollmentID: id, Plans: []order.PlanChoice{{ID: "1828"}}}, PaymentType: "NEW_SIGNUP", Method: "CREDIT_CARD",
		Billing: enrollment.Address{One: "1 Main St", City: "SEATTLE", State: "WA", Zip: "98103"},
		Card: order.CardInput{Number: enrollment.NewSecret("4111 1111 1111 1111"), CVV: enrollment.NewSecret("123"),
			ExpiryMonth: enrollment.NewSecret("12"), ExpiryYear: enrollment.NewSecret("2030")},
	}}
}

// TestCardPaymentThroughGateway: the gateway is asked for the quote's
// total; the order keeps the brand, the gateway's reference and the last
// four digits only; a retry charges nothing more; a declined card records
// nothing and draws no invoice number.
func TestCardPaymentThroughGateway(t *testing.T) {
	e, ids := newOrderEnv(t)
	ctx := context.Background()
	o, err := e.svc.Orders.MakePayment(ctx, e.org, cardPayment(ids[0]))
	if err != nil {
		t.Fatal(err)
	}
	if len(e.gw.charges) != 1 || e.gw.charges[0].Amount.String() != "25.00" || e.gw.charges[0].Reference != ids[0] {
		t.Fatalf("charges %+v", e.gw.charges)
	}
	if o.CardBrand != "VISA" || o.CardLast4 != "1111" || o.TransactionNo() != "gw_1" || o.InvoiceNumber != "2026-11-0001" || o.Status != order.Paid {
		t.Errorf("order %+v", o)
	}
	again, err := e.svc.Orders.MakePayment(ctx, e.org, cardPayment(ids[0]))
	if err != nil || again.ID != o.ID || len(e.gw.charges) != 1 {
		t.Errorf("retry: %+v, %v, %d charges", again, err, len(e.gw.charges))
	}

	e.gw.err = fault.New(fault.Invalid, order.ReasonCardDeclined, "The card was declined")
	_, err = e.svc.Orders.MakePayment(ctx, e.org, cardPayment(ids[1]))
	if fault.ReasonOf(err) != order.ReasonCardDeclined {
		t.Fatalf("declined: %v", err)
	}
	if _, err := e.svc.Orders.OrderForEnrollment(ctx, e.org, ids[1]); fault.CodeOf(err) != fault.NotFound {
		t.Errorf("a declined card stored an order: %v", err)
	}
	e.gw.err = nil
	o2, err := e.svc.Orders.MakePayment(ctx, e.org, cardPayment(ids[1]))
	if err != nil || o2.InvoiceNumber != "2026-11-0002" {
		t.Errorf("after the decline: %+v, %v", o2, err)
	}
}

// TestCardRefusedWithoutGateway: with no gateway a card is refused before
// any validation or look-up, and nothing is stored.
func TestCardRefusedWithoutGateway(t *testing.T) {
	ctx := context.Background()
	st, err := bunstore.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	svc := service.New(service.Deps{Store: st, Hasher: secret.NewTestHasher()}, service.Config{})
	org, _ := svc.Orgs.Create(ctx, "ACME", "")
	_, err = svc.Orders.MakePayment(ctx, org.ID, cardPayment("NEVERISSUED"))
	// The source and agent checks come first, as for every action.
	if fault.ReasonOf(err) != enrollment.ReasonSourceNotAllow {
		t.Fatalf("source not allowed: %v", err)
	}
	must(t, func() error { _, err := svc.Enrollment.AddAgent(ctx, org.ID, "web", "", nil); return err })
	must(t, func() error { _, err := svc.Enrollment.AllowSources(ctx, org.ID, []string{"API"}); return err })
	call := cardPayment("NEVERISSUED")
	call.Payment.Card = order.CardInput{} // refused before the card is even looked at
	_, err = svc.Orders.MakePayment(ctx, org.ID, call)
	if fault.ReasonOf(err) != order.ReasonCardsDisabled {
		t.Fatalf("card without gateway: %v", err)
	}
	if list, _ := svc.Orders.Orders(ctx, org.ID, ports.Query{}); len(list) != 0 {
		t.Errorf("orders %v", list)
	}
}
