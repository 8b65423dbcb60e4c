package porttest

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/money"
	"github.com/allot-io/allot/domain/order"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// OrderStores is a store that keeps orders beside everything else, as the
// bun store does: the order suite needs organisations and issued
// enrollment ids to refer to.
type OrderStores interface {
	ports.Store
	ports.OrderStore
}

// RunOrderStore runs the conformance suite of ports.OrderStore over the
// stores newStore makes (fresh, migrated and empty, as for RunStoreWith).
func RunOrderStore(t *testing.T, newStore func(t *testing.T) OrderStores, opts Options) {
	run := func(t *testing.T, name string, f func(t *testing.T, s OrderStores)) {
		t.Helper()
		t.Run(name, func(t *testing.T) {
			if opts.Parallel {
				t.Parallel()
			}
			f(t, newStore(t))
		})
	}
	run(t, "ShippingMethods", orderShipping)
	run(t, "Settings", orderSettingsCase)
	run(t, "StateFees", orderStateFees)
	run(t, "Coupons", orderCoupons)
	run(t, "CreateAndRetry", orderCreate)
	run(t, "InvoiceCounters", orderInvoices)
	run(t, "CouponUses", orderCouponUses)
	run(t, "List", orderList)
	run(t, "Lines", orderLinesCase)
	run(t, "FailedAfterDraw", orderFailedAfterDraw)
	run(t, "InvoiceInventory", orderInvoiceInventory)
	if n := opts.concurrency(); n > 0 {
		run(t, "ConcurrentOneEnrollment", func(t *testing.T, s OrderStores) { orderConcurrentOne(t, s, n) })
		run(t, "ConcurrentInvoiceNumbers", func(t *testing.T, s OrderStores) { orderConcurrentInvoices(t, s, n) })
	}
}

func orderShipping(t *testing.T, s OrderStores) {
	a, b := mkOrg(t, s, "a"), mkOrg(t, s, "b")
	ground, err := s.AddShippingMethod(ctx(t), a, order.ShippingMethod{Name: "Ground", Amount: money.MustParse("5.00"), CreatedAt: base})
	must(t, err, "AddShippingMethod")
	night, err := s.AddShippingMethod(ctx(t), a, order.ShippingMethod{Name: "Overnight", Amount: money.MustParse("24.99"), Overnight: true})
	must(t, err, "AddShippingMethod")
	if ground.ID <= 0 || night.ID <= ground.ID {
		t.Fatalf("ids %d, %d: want positive and increasing", ground.ID, night.ID)
	}
	_, err = s.AddShippingMethod(ctx(t), a, order.ShippingMethod{Name: "Ground", Amount: 1})
	wantFault(t, err, fault.Conflict, tenant.ReasonDuplicate)
	_, err = s.AddShippingMethod(ctx(t), b, order.ShippingMethod{Name: "Ground", Amount: 1})
	must(t, err, "the same name in another organisation")
	_, err = s.AddShippingMethod(ctx(t), tenant.OrgID(9999), order.ShippingMethod{Name: "X"})
	wantFault(t, err, fault.NotFound, tenant.ReasonOrgNotFound)

	got, err := s.ShippingMethod(ctx(t), a, night.ID)
	must(t, err, "ShippingMethod")
	if got.Name != "Overnight" || got.Amount != money.MustParse("24.99") || !got.Overnight {
		t.Errorf("ShippingMethod = %+v", got)
	}
	_, err = s.ShippingMethod(ctx(t), b, night.ID)
	wantFault(t, err, fault.NotFound, tenant.ReasonNotFound)
	list, err := s.ShippingMethods(ctx(t), a)
	must(t, err, "ShippingMethods")
	if len(list) != 2 || list[0].ID != ground.ID || list[1].ID != night.ID || !list[0].CreatedAt.Equal(base) {
		t.Errorf("ShippingMethods = %+v", list)
	}
}

func orderSettingsCase(t *testing.T, s OrderStores) {
	a := mkOrg(t, s, "a")
	got, err := s.OrderSettings(ctx(t), a)
	must(t, err, "OrderSettings")
	if got != order.DefaultSettings() {
		t.Fatalf("a fresh organisation has %+v, want the defaults", got)
	}
	want := order.Settings{ActivationFee: money.MustParse("10"), ProcessingFee: money.MustParse("1.5"), Counter: order.Continuous, InvoiceStart: 2000}
	set, err := s.UpdateOrderSettings(ctx(t), a, func(order.Settings) (order.Settings, error) { return want, nil })
	must(t, err, "UpdateOrderSettings")
	if got, _ := s.OrderSettings(ctx(t), a); set != want || got != want {
		t.Fatalf("settings %+v / %+v, want %+v", set, got, want)
	}
	boom := fault.New(fault.Invalid, "BOOM", "no")
	_, err = s.UpdateOrderSettings(ctx(t), a, func(cur order.Settings) (order.Settings, error) {
		if cur != want {
			t.Errorf("fn got %+v, want %+v", cur, want)
		}
		return order.DefaultSettings(), boom
	})
	wantFault(t, err, fault.Invalid, "BOOM")
	if got, _ := s.OrderSettings(ctx(t), a); got != want {
		t.Errorf("a failed update changed the settings to %+v", got)
	}
	_, err = s.UpdateOrderSettings(ctx(t), tenant.OrgID(9999), func(c order.Settings) (order.Settings, error) { return c, nil })
	wantFault(t, err, fault.NotFound, tenant.ReasonOrgNotFound)
}

func orderStateFees(t *testing.T, s OrderStores) {
	a, b := mkOrg(t, s, "a"), mkOrg(t, s, "b")
	wa := order.StateFees{State: "WA", TaxRate: money.MustParseRate("6.5"), RegulatoryRate: money.MustParseRate("2.25")}
	must(t, s.SetStateFees(ctx(t), a, wa), "SetStateFees")
	must(t, s.SetStateFees(ctx(t), a, order.StateFees{State: "NJ", TaxRate: money.MustParseRate("6.625")}), "SetStateFees")
	wa.TaxRate = money.MustParseRate("7")
	must(t, s.SetStateFees(ctx(t), a, wa), "SetStateFees replaces")
	got, err := s.StateFees(ctx(t), a, "WA")
	must(t, err, "StateFees")
	if got != wa {
		t.Errorf("StateFees = %+v, want %+v", got, wa)
	}
	_, err = s.StateFees(ctx(t), b, "WA")
	wantFault(t, err, fault.NotFound, tenant.ReasonNotFound)
	list, err := s.ListStateFees(ctx(t), a)
	must(t, err, "ListStateFees")
	if len(list) != 2 || list[0].State != "NJ" || list[1] != wa {
		t.Errorf("ListStateFees = %+v", list)
	}
	wantFault(t, s.SetStateFees(ctx(t), tenant.OrgID(9999), wa), fault.NotFound, tenant.ReasonOrgNotFound)
}

func orderCoupons(t *testing.T, s OrderStores) {
	a, b := mkOrg(t, s, "a"), mkOrg(t, s, "b")
	ten := order.Coupon{Code: "save10", Kind: order.PercentOff, Percent: money.MustParseRate("10"), MaxUses: 5, ExpiresAt: base.Add(24 * time.Hour), CreatedAt: base}
	must(t, s.AddCoupon(ctx(t), a, ten), "AddCoupon")
	must(t, s.AddCoupon(ctx(t), a, order.Coupon{Code: "FIVE", Kind: order.AmountOff, Amount: money.MustParse("5")}), "AddCoupon")
	wantFault(t, s.AddCoupon(ctx(t), a, order.Coupon{Code: "SAVE10", Kind: order.AmountOff, Amount: 1}), fault.Conflict, tenant.ReasonDuplicate)
	got, err := s.Coupon(ctx(t), a, "Save10")
	must(t, err, "Coupon")
	if got.Code != "SAVE10" || got.Kind != order.PercentOff || got.Percent != ten.Percent || got.MaxUses != 5 || got.Uses != 0 ||
		!got.ExpiresAt.Equal(ten.ExpiresAt) || !got.CreatedAt.Equal(base) {
		t.Errorf("Coupon = %+v", got)
	}
	_, err = s.Coupon(ctx(t), b, "SAVE10")
	wantFault(t, err, fault.NotFound, tenant.ReasonNotFound)
	list, err := s.ListCoupons(ctx(t), a)
	must(t, err, "ListCoupons")
	if len(list) != 2 || list[0].Code != "FIVE" || !list[0].ExpiresAt.IsZero() || list[1].Code != "SAVE10" {
		t.Errorf("ListCoupons = %+v", list)
	}
}

// newOrder returns a cash order for enrollment id id at at, drawing from
// the monthly counter of at.
func newOrder(id string, at time.Time) ports.NewOrder {
	q := order.Price(order.PriceInput{Plans: []order.PricedPlan{{ID: "606", Months: 1, Price: money.MustParse("25.00")}}, Lines: 2,
		Fees: order.StateFees{State: "WA", TaxRate: money.MustParseRate("6.5")}})
	return ports.NewOrder{
		Order: order.Order{
			EnrollmentID: id, Status: order.Paid, Method: order.Cash, Quote: q, ZipCode: "98103",
			Billing: enrollment.Address{One: "112 N 41ST ST", City: "SEATTLE", State: "WA", Zip: "98103"},
			AgentID: testAgent, Source: "API", ExternalTransactionID: "EXT1", CreatedAt: at,
		},
		InvoicePeriod: order.DefaultSettings().InvoicePeriod(at),
		InvoiceStart:  1,
	}
}

func createOrder(t *testing.T, s OrderStores, org tenant.OrgID, no ports.NewOrder) order.Order {
	t.Helper()
	o, created, err := s.CreateOrder(ctx(t), org, no)
	must(t, err, "CreateOrder("+no.Order.EnrollmentID+")")
	if !created {
		t.Fatalf("CreateOrder(%s) returned an existing order", no.Order.EnrollmentID)
	}
	return o
}

func orderCreate(t *testing.T, s OrderStores) {
	a, b := mkOrg(t, s, "a"), mkOrg(t, s, "b")
	issue(t, s, a, "WN116")
	issue(t, s, b, "XB001")
	no := newOrder("wn116", base)
	o := createOrder(t, s, a, no)
	if o.ID <= 0 || o.EnrollmentID != "WN116" || o.InvoiceNumber != "2026-03-0001" || !o.CreatedAt.Equal(base) {
		t.Fatalf("CreateOrder = %+v", o)
	}
	got, err := s.OrderByEnrollmentID(ctx(t), a, "Wn116")
	must(t, err, "OrderByEnrollmentID")
	want := o
	if got.Quote.Total != money.MustParse("53.25") || got.Quote.Tax != money.MustParse("3.25") || len(got.Quote.Plans) != 1 ||
		got.Quote.Plans[0] != want.Quote.Plans[0] || got.Billing != want.Billing || got.Method != order.Cash ||
		got.Status != order.Paid || got.ExternalTransactionID != "EXT1" || got.ZipCode != "98103" || got.Quote.State != "WA" ||
		!got.CreatedAt.Equal(base) || got.InvoiceNumber != o.InvoiceNumber || got.ID != o.ID {
		t.Errorf("stored order = %+v\nwant %+v", got, want)
	}

	// A retry, whatever it sends, answers the first order and writes nothing.
	retry := newOrder("WN116", base.Add(time.Hour))
	retry.Order.Method = order.SkipPayment
	again, created, err := s.CreateOrder(ctx(t), a, retry)
	must(t, err, "CreateOrder retry")
	if created || again.ID != o.ID || again.InvoiceNumber != o.InvoiceNumber || again.Method != order.Cash {
		t.Errorf("retry = %+v, created %v; want the first order", again, created)
	}
	byID, err := s.OrderByID(ctx(t), a, o.ID)
	must(t, err, "OrderByID")
	if byID.EnrollmentID != "WN116" {
		t.Errorf("OrderByID = %+v", byID)
	}

	// Another organisation neither sees the order nor may use its ids.
	_, err = s.OrderByID(ctx(t), b, o.ID)
	wantFault(t, err, fault.NotFound, tenant.ReasonNotFound)
	_, err = s.OrderByEnrollmentID(ctx(t), b, "WN116")
	wantFault(t, err, fault.NotFound, tenant.ReasonNotFound)
	_, _, err = s.CreateOrder(ctx(t), b, newOrder("WN116", base))
	wantFault(t, err, fault.NotFound, order.ReasonEnrollmentNotFound)
	_, _, err = s.CreateOrder(ctx(t), a, newOrder("NEVER1", base))
	wantFault(t, err, fault.NotFound, order.ReasonEnrollmentNotFound)
	// The failed calls drew no number: b's first order is its 0001.
	if o := createOrder(t, s, b, newOrder("XB001", base)); o.InvoiceNumber != "2026-03-0001" {
		t.Errorf("b's first invoice = %s", o.InvoiceNumber)
	}
}

func orderInvoices(t *testing.T, s OrderStores) {
	a, c := mkOrg(t, s, "a"), mkOrg(t, s, "c")
	issue(t, s, a, "E1", "E2", "E3", "E4")
	issue(t, s, c, "C1", "C2", "C3")
	march, april := base, base.AddDate(0, 1, 0)
	var got []string
	for _, x := range []struct {
		id string
		at time.Time
	}{{"E1", march}, {"E2", march}, {"E3", april}, {"E4", april}} {
		got = append(got, createOrder(t, s, a, newOrder(x.id, x.at)).InvoiceNumber)
	}
	if want := "2026-03-0001 2026-03-0002 2026-04-0001 2026-04-0002"; fmt.Sprint(got) != "["+want+"]" {
		t.Errorf("monthly invoices %v, want %s", got, want)
	}
	// A continuous counter from 2000 keeps counting across months.
	got = nil
	for i, at := range []time.Time{march, april, april} {
		no := newOrder(fmt.Sprintf("C%d", i+1), at)
		no.InvoicePeriod, no.InvoiceStart = "", 2000
		got = append(got, createOrder(t, s, c, no).InvoiceNumber)
	}
	if want := "2026-03-2000 2026-04-2001 2026-04-2002"; fmt.Sprint(got) != "["+want+"]" {
		t.Errorf("continuous invoices %v, want %s", got, want)
	}
}

func orderCouponUses(t *testing.T, s OrderStores) {
	a := mkOrg(t, s, "a")
	issue(t, s, a, "E1", "E2", "E3")
	must(t, s.AddCoupon(ctx(t), a, order.Coupon{Code: "ONCE", Kind: order.AmountOff, Amount: money.MustParse("5"), MaxUses: 1}), "AddCoupon")
	with := func(id string) ports.NewOrder {
		no := newOrder(id, base)
		no.Order.Quote.CouponCode = "once"
		return no
	}
	first := createOrder(t, s, a, with("E1"))
	if first.Quote.CouponCode != "ONCE" {
		t.Errorf("coupon code %q", first.Quote.CouponCode)
	}
	_, _, err := s.CreateOrder(ctx(t), a, with("E2"))
	wantFault(t, err, fault.Invalid, order.ReasonCouponUsedUp)
	if _, err := s.OrderByEnrollmentID(ctx(t), a, "E2"); fault.CodeOf(err) != fault.NotFound {
		t.Errorf("a refused coupon stored an order: %v", err)
	}
	c, err := s.Coupon(ctx(t), a, "ONCE")
	must(t, err, "Coupon")
	if c.Uses != 1 {
		t.Errorf("uses = %d, want 1", c.Uses)
	}
	// The refused order drew no invoice number: the next one is 0002.
	if o := createOrder(t, s, a, newOrder("E3", base)); o.InvoiceNumber != "2026-03-0002" {
		t.Errorf("next invoice = %s, want 2026-03-0002", o.InvoiceNumber)
	}
	// A retry of the order that used the coupon uses it no more.
	again, created, err := s.CreateOrder(ctx(t), a, with("E1"))
	must(t, err, "retry")
	if created || again.ID != first.ID {
		t.Errorf("retry created %v, id %d", created, again.ID)
	}
}

func orderList(t *testing.T, s OrderStores) {
	a, b := mkOrg(t, s, "a"), mkOrg(t, s, "b")
	issue(t, s, a, "E1", "E2", "E3")
	issue(t, s, b, "B1")
	for i, id := range []string{"E1", "E2", "E3"} {
		createOrder(t, s, a, newOrder(id, base.Add(time.Duration(i)*time.Minute)))
	}
	createOrder(t, s, b, newOrder("B1", base))
	list, err := s.ListOrders(ctx(t), a, ports.Query{})
	must(t, err, "ListOrders")
	var ids []string
	for _, o := range list {
		ids = append(ids, o.EnrollmentID)
	}
	if fmt.Sprint(ids) != "[E3 E2 E1]" {
		t.Errorf("ListOrders = %v, want newest first and only a's", ids)
	}
	page, err := s.ListOrders(ctx(t), a, ports.Query{Limit: 1, Offset: 1})
	must(t, err, "ListOrders paged")
	if len(page) != 1 || page[0].EnrollmentID != "E2" {
		t.Errorf("page = %+v", page)
	}
}

// orderConcurrentOne races n calls for one enrollment id: exactly one
// creates the order and every call returns it.
func orderConcurrentOne(t *testing.T, s OrderStores, n int) {
	a := mkOrg(t, s, "a")
	issue(t, s, a, "WN116", "WN117")
	ids := make([]int64, n)
	made := make([]bool, n)
	errs := make([]error, n)
	together(n, func(i int) {
		var o order.Order
		o, made[i], errs[i] = s.CreateOrder(ctx(t), a, newOrder("WN116", base))
		ids[i] = o.ID
	})
	created := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("call %d: %v", i, errs[i])
		}
		if made[i] {
			created++
		}
		if ids[i] != ids[0] || ids[i] == 0 {
			t.Errorf("call %d returned order %d, call 0 order %d", i, ids[i], ids[0])
		}
	}
	if created != 1 {
		t.Errorf("%d calls created an order, want exactly 1", created)
	}
	// The losers' draws were rolled back: the next order's number follows.
	if o := createOrder(t, s, a, newOrder("WN117", base)); o.InvoiceNumber != "2026-03-0002" {
		t.Errorf("next invoice = %s, want 2026-03-0002", o.InvoiceNumber)
	}
}

// orderConcurrentInvoices races n orders for n enrollment ids, a coupon of
// n/2 uses among them: invoice numbers are 1..k with none repeated or
// skipped, and the coupon is used exactly n/2 times.
func orderConcurrentInvoices(t *testing.T, s OrderStores, n int) {
	a := mkOrg(t, s, "a")
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("EN%04d", i)
	}
	issue(t, s, a, ids...)
	limit := int64(n / 2)
	must(t, s.AddCoupon(ctx(t), a, order.Coupon{Code: "HALF", Kind: order.PercentOff, Percent: money.MustParseRate("50"), MaxUses: limit}), "AddCoupon")
	nums := make([]string, n)
	errs := make([]error, n)
	together(n, func(i int) {
		no := newOrder(ids[i], base)
		no.Order.Quote.CouponCode = "HALF"
		var o order.Order
		o, _, errs[i] = s.CreateOrder(ctx(t), a, no)
		nums[i] = o.InvoiceNumber
	})
	var got []string
	usedUp := 0
	for i, err := range errs {
		switch {
		case err == nil:
			got = append(got, nums[i])
		case fault.ReasonOf(err) == order.ReasonCouponUsedUp:
			usedUp++
		default:
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if int64(len(got)) != limit || usedUp != n-int(limit) {
		t.Fatalf("%d orders and %d refusals, want %d and %d", len(got), usedUp, limit, n-int(limit))
	}
	sort.Strings(got)
	for i, num := range got {
		if want := order.InvoiceNumber(base, int64(i+1)); num != want {
			t.Fatalf("invoice numbers %v: number %d is %s, want %s", got, i+1, num, want)
		}
	}
}

// orderLinesCase: lines stored with an order are listed under it, keep the
// invoice number they were given, and another organisation sees none of
// them; a line without an order carries the request's invoice number.
func orderLinesCase(t *testing.T, s OrderStores) {
	a, b := mkOrg(t, s, "a"), mkOrg(t, s, "b")
	issue(t, s, a, "WN116", "WN118", "WN119")
	o := createOrder(t, s, a, newOrder("WN116", base))
	e := newEnrollment(t, "WN116", attached("WN116"), attached("WN118"), attached("WN119"))
	for i := range 2 {
		e.Lines[i].OrderID, e.Lines[i].InvoiceNumber = o.ID, o.InvoiceNumber
	}
	_, recs, err := s.CreateEnrollment(ctx(t), a, e)
	must(t, err, "CreateEnrollment")
	if recs[0].OrderID != o.ID || recs[0].InvoiceNumber != o.InvoiceNumber || recs[2].OrderID != 0 || recs[2].InvoiceNumber != testInvoice {
		t.Errorf("stored lines = %+v", recs)
	}
	got, err := s.OrderLines(ctx(t), a, []int64{o.ID, o.ID + 1000})
	must(t, err, "OrderLines")
	if len(got) != 1 || len(got[o.ID]) != 2 || got[o.ID][0].EnrollmentID != "WN116" || got[o.ID][1].EnrollmentID != "WN118" ||
		got[o.ID][1].InvoiceNumber != o.InvoiceNumber || got[o.ID][1].OrderID != o.ID {
		t.Errorf("OrderLines = %+v", got)
	}
	acct, err := s.AccountByEnrollmentID(ctx(t), a, "WN116")
	must(t, err, "AccountByEnrollmentID")
	if len(acct.Lines) != 3 || acct.Lines[1].OrderID != o.ID || acct.Lines[2].OrderID != 0 {
		t.Errorf("account lines = %+v", acct.Lines)
	}
	if other, err := s.OrderLines(ctx(t), b, []int64{o.ID}); err != nil || len(other) != 0 {
		t.Errorf("another organisation's OrderLines = %+v, %v", other, err)
	}
	if none, err := s.OrderLines(ctx(t), a, nil); err != nil || len(none) != 0 {
		t.Errorf("OrderLines(nil) = %+v, %v", none, err)
	}
}
