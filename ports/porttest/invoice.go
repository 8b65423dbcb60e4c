package porttest

import (
	"fmt"
	"testing"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/order"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// invoiceSeries returns org's live invoice series of period, oldest first.
func invoiceSeries(t *testing.T, s OrderStores, org tenant.OrgID, period string) []series.Series {
	t.Helper()
	list, _, err := s.ListSeries(ctx(t), org, ports.SeriesQuery{HubCode: order.InvoiceHub, ItemCode: order.InvoiceItem(period)})
	must(t, err, "ListSeries of the invoice hub")
	return list
}

// orderFailedAfterDraw: an order whose insert fails after its invoice
// number was drawn (the database refuses its card digits) rolls the draw
// back with it: the next order takes the number, and the series counts
// one number drawn, as its history does.
func orderFailedAfterDraw(t *testing.T, s OrderStores) {
	a := mkOrg(t, s, "a")
	issue(t, s, a, "E1", "E2", "E3")
	bad := newOrder("E1", base)
	bad.Order.CardLast4 = "12ab"
	if _, _, err := s.CreateOrder(ctx(t), a, bad); err == nil {
		t.Fatal("an order the database refuses was stored")
	}
	if list := invoiceSeries(t, s, a, "2026-03"); len(list) != 0 {
		t.Errorf("the failed order left invoice series %+v", list)
	}
	if o := createOrder(t, s, a, newOrder("E2", base)); o.InvoiceNumber != "2026-03-0001" {
		t.Errorf("first invoice after a failed order = %s, want 2026-03-0001", o.InvoiceNumber)
	}
	// Now that the month's series exists, a failure draws from it and is
	// undone all the same.
	bad = newOrder("E1", base)
	bad.Order.CardLast4 = "x"
	if _, _, err := s.CreateOrder(ctx(t), a, bad); err == nil {
		t.Fatal("an order the database refuses was stored")
	}
	if o := createOrder(t, s, a, newOrder("E3", base)); o.InvoiceNumber != "2026-03-0002" {
		t.Errorf("invoice after a second failed order = %s, want 2026-03-0002", o.InvoiceNumber)
	}
	list := invoiceSeries(t, s, a, "2026-03")
	if len(list) != 1 || list[0].Drawn != 2 {
		t.Fatalf("invoice series %+v, want one with 2 numbers drawn", list)
	}
	h, _, err := s.History(ctx(t), a, ports.HistoryQuery{SeriesID: list[0].ID})
	must(t, err, "History")
	var actors []string
	for _, e := range h {
		if e.Action != series.ActionDraw || e.Count != 1 {
			t.Errorf("history entry %+v, want draws of one number", e)
		}
		actors = append(actors, string(e.Actor))
	}
	if fmt.Sprint(actors) != "[order:E2 order:E3]" && fmt.Sprint(actors) != "[order:E3 order:E2]" {
		t.Errorf("history actors %v, want the two orders", actors)
	}
}

// orderInvoiceInventory: invoice numbers are series of the organisation's
// invoice hub, one per month, that the inventory lists like any other; a
// month's counter that runs past 9999 goes on in a wider series; and a
// series the operator allotted to the hub ahead of time is drawn first.
func orderInvoiceInventory(t *testing.T, s OrderStores) {
	a := mkOrg(t, s, "a")
	issue(t, s, a, "E1", "E2", "E3", "E4", "E5", "E6", "E7")
	march, april := base, base.AddDate(0, 1, 0)
	// The operator allots April's first numbers from 0500.
	pre, err := order.InvoiceRange("2026-04", 500)
	must(t, err, "InvoiceRange")
	pre, _ = series.ParseRange(pre.First().String(), "INV2026040501")
	_, err = s.InsertSeries(ctx(t), a, series.Series{Owner: order.InvoiceOwner(), Range: pre, ItemCode: order.InvoiceItem("2026-04")})
	must(t, err, "InsertSeries of April's invoices")

	var got []string
	for _, x := range []struct {
		id    string
		at    int
		start int64
	}{{"E1", 0, 9998}, {"E2", 0, 1}, {"E3", 0, 1}, {"E4", 1, 1}, {"E5", 1, 1}, {"E6", 1, 1}} {
		at := march
		if x.at == 1 {
			at = april
		}
		no := newOrder(x.id, at)
		no.InvoiceStart = x.start
		got = append(got, createOrder(t, s, a, no).InvoiceNumber)
	}
	want := "[2026-03-9998 2026-03-9999 2026-03-10000 2026-04-0500 2026-04-0501 2026-04-0502]"
	if fmt.Sprint(got) != want {
		t.Errorf("invoices %v, want %s", got, want)
	}
	var ranges []string
	for _, p := range []string{"2026-03", "2026-04"} {
		for _, sr := range invoiceSeries(t, s, a, p) {
			if sr.Owner != order.InvoiceOwner() {
				t.Errorf("invoice series %s owned by %v", sr.Range, sr.Owner)
			}
			ranges = append(ranges, fmt.Sprintf("%s:%d", sr.Range, sr.Drawn))
		}
	}
	if want := "[INV2026039998-INV2026039999:2 INV20260310000-INV20260399999:1 INV2026040500-INV2026040501:2 INV2026040502-INV2026049999:1]"; fmt.Sprint(ranges) != want {
		t.Errorf("invoice series %v, want %s", ranges, want)
	}
	// They are the hub's series in the whole inventory too.
	all, _, err := s.ListSeries(ctx(t), a, ports.SeriesQuery{HubCode: order.InvoiceHub})
	must(t, err, "ListSeries")
	if len(all) != 4 {
		t.Errorf("hub %s holds %d series, want 4", order.InvoiceHub, len(all))
	}
	// A series of someone else's in the way of the next one is named.
	in, err := series.ParseRange("INV2026050001", "INV2026050100")
	must(t, err, "ParseRange")
	_, err = s.InsertSeries(ctx(t), a, series.Series{Owner: series.Owner{Kind: series.Customer, Code: "C1"}, Range: in, ItemCode: "OTHER"})
	must(t, err, "InsertSeries in May's way")
	_, _, err = s.CreateOrder(ctx(t), a, newOrder("E7", base.AddDate(0, 2, 0)))
	wantFault(t, err, fault.Conflict, series.ReasonOverlap)
}
