package order_test

import (
	"reflect"
	"testing"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/order"
)

// v2Line is a valid create_prepaid_postpaid_customer_v2 line with its own
// parent and order_id.
func v2Line(id, parent, orderID string) enrollment.LineInput {
	return enrollment.LineInput{EnrollmentID: id, ParentEnrollmentID: parent, OrderID: orderID, FirstName: "Ann", LastName: "Lee",
		Email: "ann@example.com", ServiceAddressOne: "112 N 41ST ST", ServiceCity: "SEATTLE", ServiceState: "WA", ServiceZip: "98103",
		PlanID: "1828", EnrollmentType: "SHIPMENT", IsPortin: "N"}
}

func v2Request(t *testing.T, invoice string, lines ...enrollment.LineInput) enrollment.Request {
	t.Helper()
	r, err := enrollment.Validate(enrollment.RequestInput{Action: enrollment.ActionCreateV2, AgentID: "ewebsiteapi", Source: "WEBSITE",
		InvoiceNumber: invoice, Lines: lines}, enrollment.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestLinkLines is the table of what makes an order acceptable for a
// customer line: it exists, it was taken for the line's enrollment id or
// the account's parent's, and, when the organisation requires payment, it
// is there and paid (SKIP_PAYMENT is not). The line takes the order's
// invoice number unless the request names one.
func TestLinkLines(t *testing.T) {
	paid := func(id int64, enr, inv string) order.Order {
		return order.Order{ID: id, EnrollmentID: enr, InvoiceNumber: inv, Status: order.StatusOf(order.OtherOption), Method: order.OtherOption}
	}
	cash := order.Order{ID: 9, EnrollmentID: "EN2", InvoiceNumber: "2026-12-0009", Status: order.StatusOf(order.Cash), Method: order.Cash}
	skipped := order.Order{ID: 5, EnrollmentID: "EN1", InvoiceNumber: "2026-12-0005", Status: order.StatusOf(order.SkipPayment), Method: order.SkipPayment}
	orders := map[int64]order.Order{3: paid(3, "EN1", "2026-12-0003"), 4: paid(4, "EN7", "2026-12-0004"), 5: skipped, 9: cash}
	one := func(id, parent, orderID string) []enrollment.LineInput {
		return []enrollment.LineInput{v2Line(id, parent, orderID)}
	}
	type want struct {
		reason  string
		message string
	}
	tests := []struct {
		name        string
		invoice     string
		lines       []enrollment.LineInput
		requirePaid bool
		links       []order.LineOrder
		errs        []want // one per line in error, with the line's number in the message
	}{
		{name: "no order, not required", lines: one("EN1", "", ""), links: []order.LineOrder{{}}},
		{name: "the line's own order gives its invoice", lines: one("en1", "", "3"),
			links: []order.LineOrder{{OrderID: 3, InvoiceNumber: "2026-12-0003"}}},
		{name: "leading zeros name the same order", lines: one("EN1", "", "0003"),
			links: []order.LineOrder{{OrderID: 3, InvoiceNumber: "2026-12-0003"}}},
		{name: "the request's invoice number wins", invoice: "INV-77", lines: one("EN1", "", "3"),
			links: []order.LineOrder{{OrderID: 3, InvoiceNumber: "INV-77"}}},
		{name: "one payment under the parent pays every line", lines: []enrollment.LineInput{v2Line("EN1", "", "3"), v2Line("EN2", "EN1", "3")},
			links: []order.LineOrder{{3, "2026-12-0003"}, {3, "2026-12-0003"}}},
		{name: "a child's own order", lines: []enrollment.LineInput{v2Line("EN1", "", "3"), v2Line("EN2", "EN1", "9")},
			links: []order.LineOrder{{3, "2026-12-0003"}, {9, "2026-12-0009"}}},
		{name: "unknown order", lines: one("EN1", "", "123"),
			errs: []want{{order.ReasonOrderNotFound, "Order 123 is not an order of this company"}}},
		{name: "another enrollment's order", lines: one("EN1", "", "4"),
			errs: []want{{order.ReasonOrderOtherEnrollment, "Order 4 is not an order of this enrollment"}}},
		{name: "a child's order is not the parent's", lines: []enrollment.LineInput{v2Line("EN1", "", "9"), v2Line("EN2", "EN1", "9")},
			errs: []want{{order.ReasonOrderOtherEnrollment, "Line 1: Order 9 is not an order of this enrollment"}}},
		{name: "every bad line reported at once", lines: []enrollment.LineInput{v2Line("EN1", "", "123"), v2Line("EN2", "EN1", "4")},
			errs: []want{{order.ReasonOrderNotFound, "Line 1: Order 123 is not an order of this company"},
				{order.ReasonOrderOtherEnrollment, "Line 2: Order 4 is not an order of this enrollment"}}},
		{name: "skipped payment accepted when not required", lines: one("EN1", "", "5"),
			links: []order.LineOrder{{5, "2026-12-0005"}}},
		{name: "required: no order", requirePaid: true, lines: one("EN1", "", ""),
			errs: []want{{order.ReasonOrderRequired, order.MsgOrderIDRequired}}},
		{name: "required: skipped payment is not paid", requirePaid: true, lines: one("EN1", "", "5"),
			errs: []want{{order.ReasonOrderNotPaid, "Order 5 is not paid: this company requires payment before a customer is created"}}},
		{name: "required: cash and other options are paid", requirePaid: true,
			lines: []enrollment.LineInput{v2Line("EN1", "", "3"), v2Line("EN2", "EN1", "9")},
			links: []order.LineOrder{{3, "2026-12-0003"}, {9, "2026-12-0009"}}},
		{name: "required: a line without an order among paid ones", requirePaid: true,
			lines: []enrollment.LineInput{v2Line("EN1", "", "3"), v2Line("EN2", "EN1", "")},
			errs:  []want{{order.ReasonOrderRequired, "Line 2: " + order.MsgOrderIDRequired}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := v2Request(t, tt.invoice, tt.lines...)
			links, vs := order.LinkLines(req, orders, tt.requirePaid)
			if len(vs) != len(tt.errs) {
				t.Fatalf("violations %+v, want %+v", vs, tt.errs)
			}
			for i, v := range vs {
				if v.Field != order.FieldOrderID || v.Reason != tt.errs[i].reason || v.Message != tt.errs[i].message || v.Line < 1 {
					t.Errorf("violation %d = %+v, want %+v on order_id", i, v, tt.errs[i])
				}
			}
			if tt.errs == nil && !reflect.DeepEqual(links, tt.links) {
				t.Errorf("links = %+v, want %+v", links, tt.links)
			}
		})
	}
}

// TestOrderCovers: the rule on its own, with the empty parent that a
// top-level request without one would give.
func TestOrderCovers(t *testing.T) {
	o := order.Order{EnrollmentID: "EN1"}
	for _, c := range []struct {
		id, parent string
		want       bool
	}{{"EN1", "", true}, {"EN1", "EN1", true}, {"EN2", "EN1", true}, {"EN2", "", false}, {"EN2", "EN3", false}} {
		if got := o.Covers(c.id, c.parent); got != c.want {
			t.Errorf("Covers(%q, %q) = %v, want %v", c.id, c.parent, got, c.want)
		}
	}
	if !(order.Order{Status: order.StatusOf(order.Cash)}).IsPaid() || (order.Order{Status: order.StatusOf(order.SkipPayment)}).IsPaid() {
		t.Error("CASH is paid and SKIP_PAYMENT is not")
	}
}
