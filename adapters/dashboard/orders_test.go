package dashboard

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/money"
	"github.com/allot-io/allot/domain/order"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// fakeOrders serves the two calls the Orders page makes; the embedded
// interface is nil, so any other call fails the test with a panic.
type fakeOrders struct {
	ports.OrderService
	f       *fakes
	orders  []order.Order
	lines   map[int64][]enrollment.LineRecord
	queries []ports.Query
	asked   [][]int64
}

func (o *fakeOrders) Orders(_ context.Context, org tenant.OrgID, q ports.Query) ([]order.Order, error) {
	o.f.asked(org)
	o.queries = append(o.queries, q)
	end := min(q.Offset+q.Limit, len(o.orders))
	if q.Offset >= end {
		return nil, nil
	}
	return o.orders[q.Offset:end], nil
}

func (o *fakeOrders) OrderLines(_ context.Context, org tenant.OrgID, ids []int64) (map[int64][]enrollment.LineRecord, error) {
	o.f.asked(org)
	o.asked = append(o.asked, ids)
	out := map[int64][]enrollment.LineRecord{}
	for _, id := range ids {
		if l, ok := o.lines[id]; ok {
			out[id] = l
		}
	}
	return out, nil
}

// newOrdersHarness is newHarness with an order service: two orders, the
// newer with two lines, the older with none.
func newOrdersHarness(t *testing.T, cfg Config) (*harness, *fakeOrders) {
	t.Helper()
	gin.SetMode(gin.TestMode)
	f := newFakes()
	at := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
	o := &fakeOrders{f: f,
		orders: []order.Order{
			{ID: 12, EnrollmentID: "ENY4M5VZR7", InvoiceNumber: "2026-12-0002", Status: order.Paid, Method: order.OtherOption, MethodOption: "STRIPE",
				Quote: order.Quote{Total: money.MustParse("75.44")}, CreatedAt: at},
			{ID: 11, EnrollmentID: "ENJNQVW2YS", InvoiceNumber: "2026-12-0001", Status: order.Skipped, Method: order.SkipPayment,
				Quote: order.Quote{Total: money.MustParse("25.00")}, CreatedAt: at.Add(-time.Hour)},
		},
		lines: map[int64][]enrollment.LineRecord{12: {
			{CustomerID: 301, EnrollmentID: "ENY4M5VZR7", FirstName: "Ann", LastName: "Lee", PlanID: "1828", Status: enrollment.StatusQueued, OrderID: 12},
			{CustomerID: 302, EnrollmentID: "EN9VQGNYRK", FirstName: "Bo", LastName: "Lee", PlanID: "1828", Status: enrollment.StatusQueued, OrderID: 12},
		}},
	}
	svc := f.services()
	svc.Orders = o
	e := gin.New()
	New(cfg, svc, nil).Register(e)
	t.Cleanup(func() {
		for _, org := range f.orgsAsked {
			if org != testOrg {
				t.Errorf("a service was asked for organisation %d, not the session's %d", org, testOrg)
			}
		}
	})
	return &harness{f: f, cfg: cfg, h: e}, o
}

// TestOrdersPage: the organisation's orders with every column, and under
// each the lines created with it; paged like Customer Management; signed
// out it is the sign-in page.
func TestOrdersPage(t *testing.T) {
	h, o := newOrdersHarness(t, Config{})
	w := h.get(t, "/dashboard/orders")
	wantStatus(t, w, http.StatusOK)
	wantBody(t, w, "<h1>Orders</h1>", `href="/dashboard/orders"`, `id="order-12"`,
		`<td data-label="Order">12</td>`, `<td data-label="Enrollment id">ENY4M5VZR7</td>`, `<td data-label="Invoice">2026-12-0002</td>`,
		`<td data-label="Amount">75.44</td>`, `<td data-label="Payment">OTHER_PAYMENT_OPTION (STRIPE)</td>`,
		`<td data-label="Status">PAID</td>`, `<td data-label="Created (UTC)">2026-12-01 09:30</td>`,
		`id="order-lines-12"`, "Customer 301 · ENY4M5VZR7 · Ann Lee · plan 1828 · QUEUED", "Customer 302 · EN9VQGNYRK · Bo Lee",
		`<td data-label="Payment">SKIP_PAYMENT</td>`, `<td data-label="Status">SKIPPED</td>`, "No customer yet", "Acme Logistics")
	if strings.Contains(w.Body.String(), `id="order-lines-11"`) {
		t.Error("order 11 has no lines but lists some")
	}
	if len(o.asked) != 1 || len(o.asked[0]) != 2 || o.asked[0][0] != 12 || o.asked[0][1] != 11 {
		t.Errorf("lines asked for %v, want the page's orders [12 11]", o.asked)
	}

	h, o = newOrdersHarness(t, Config{PageSize: 1})
	w = h.get(t, "/dashboard/orders")
	wantBody(t, w, `id="order-12"`, `href="/dashboard/orders?page=2"`)
	w = h.get(t, "/dashboard/orders?page=2")
	wantBody(t, w, `id="order-11"`, `href="/dashboard/orders" rel="prev"`)
	if got := o.queries[1]; got.Limit != 2 || got.Offset != 1 {
		t.Errorf("page 2 query = %+v", got)
	}

	o.orders = nil
	wantBody(t, h.get(t, "/dashboard/orders"), `id="no-orders"`)

	w = h.do(t, http.MethodGet, "/dashboard/orders", nil, false)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/dashboard/signin" {
		t.Errorf("signed out: %d %q", w.Code, w.Header().Get("Location"))
	}
}

// TestOrdersPageWithoutOrders: a server that keeps no orders answers the
// page with a readable error, not a crash.
func TestOrdersPageWithoutOrders(t *testing.T) {
	h := newHarness(t, Config{})
	w := h.get(t, "/dashboard/orders")
	wantStatus(t, w, http.StatusNotFound)
	wantBody(t, w, "This server keeps no orders.")
}
