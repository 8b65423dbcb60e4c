package service_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/order"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// pay records an order for enrollment id id paid by method.
func (e *orderEnv) pay(t *testing.T, id string, method order.Method) order.Order {
	t.Helper()
	p := order.PaymentInput{Quote: quoteCall(id, nil).Quote, PaymentType: order.PaymentTypeNewSignup, Method: string(method)}
	if method == order.OtherOption {
		p.MethodOption, p.ChargeID = "STRIPE", "ch_1"
	}
	o, err := e.svc.Orders.MakePayment(context.Background(), e.org, ports.PaymentCall{CallContext: cc("make_payment"), Payment: p})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// v2Create is a create_prepaid_postpaid_customer_v2 request whose first
// line opens the account; orderIDs[i] is line i's order_id (0: none).
func v2Create(ids []string, orderIDs ...int64) enrollment.RequestInput {
	in := enrollment.RequestInput{Action: enrollment.ActionCreateV2, AgentID: "web", Source: "API"}
	for i, id := range ids {
		l := enrollment.LineInput{EnrollmentID: id, FirstName: "Ann", LastName: "Lee", Email: "ann@example.com",
			ServiceAddressOne: "112 N 41ST ST", ServiceCity: "SEATTLE", ServiceState: "WA", ServiceZip: "98103",
			PlanID: "1828", EnrollmentType: "SHIPMENT", IsPortin: "N"}
		if i > 0 {
			l.ParentEnrollmentID = ids[0]
		}
		if i < len(orderIDs) && orderIDs[i] != 0 {
			l.OrderID = strconv.FormatInt(orderIDs[i], 10)
		}
		in.Lines = append(in.Lines, l)
	}
	return in
}

// wantOrderViolations checks err is Invalid with exactly the reasons on
// order_id, in line order.
func wantOrderViolations(t *testing.T, err error, reasons ...string) {
	t.Helper()
	fe, ok := fault.As(err)
	if !ok || fe.Code != fault.Invalid || len(fe.Violations) != len(reasons) {
		t.Fatalf("err = %v, want Invalid with %v", err, reasons)
	}
	for i, v := range fe.Violations {
		if v.Field != order.FieldOrderID || v.Reason != reasons[i] {
			t.Errorf("violation %d = %+v, want order_id %s", i, v, reasons[i])
		}
	}
}

// TestCreateCustomerWithTheParentsOrder: one payment under the parent's
// enrollment id pays for both lines; each line carries the order's
// invoice number, in the answer and in the store, and is listed under the
// order.
func TestCreateCustomerWithTheParentsOrder(t *testing.T) {
	env, ids := newOrderEnv(t)
	ctx := context.Background()
	o := env.pay(t, ids[0], order.OtherOption)
	lines, err := env.svc.Enrollment.CreateCustomer(ctx, env.org, v2Create(ids, o.ID, o.ID))
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 2 || lines[0].InvoiceNumber != o.InvoiceNumber || lines[1].InvoiceNumber != o.InvoiceNumber || o.InvoiceNumber == "" {
		t.Fatalf("created %+v, want both with invoice %s", lines, o.InvoiceNumber)
	}
	accts, err := env.svc.Enrollment.Accounts(ctx, env.org, ports.Query{})
	if err != nil || len(accts) != 1 || len(accts[0].Lines) != 2 {
		t.Fatalf("accounts %+v, %v", accts, err)
	}
	for _, l := range accts[0].Lines {
		if l.InvoiceNumber != o.InvoiceNumber || l.OrderID != o.ID {
			t.Errorf("stored line %+v, want order %d invoice %s", l, o.ID, o.InvoiceNumber)
		}
	}
	byOrder, err := env.svc.Orders.OrderLines(ctx, env.org, []int64{o.ID, o.ID + 100})
	if err != nil || len(byOrder) != 1 || len(byOrder[o.ID]) != 2 || byOrder[o.ID][0].EnrollmentID != ids[0] || byOrder[o.ID][1].EnrollmentID != ids[1] {
		t.Errorf("order lines %+v, %v", byOrder, err)
	}
}

// TestCreateCustomerRefusesOrdersOfOthers: an order_id that is no order
// of the organisation, or an order taken for another enrollment id (here
// the child's order on the parent's line), refuses the request with every
// such line named, and nothing is written: the same ids then create.
func TestCreateCustomerRefusesOrdersOfOthers(t *testing.T) {
	env, ids := newOrderEnv(t)
	ctx := context.Background()
	child := env.pay(t, ids[1], order.Cash)
	_, err := env.svc.Enrollment.CreateCustomer(ctx, env.org, v2Create(ids, child.ID, child.ID+50))
	wantOrderViolations(t, err, order.ReasonOrderOtherEnrollment, order.ReasonOrderNotFound)
	if accts, err := env.svc.Enrollment.Accounts(ctx, env.org, ports.Query{}); err != nil || len(accts) != 0 {
		t.Fatalf("a refused request wrote %+v, %v", accts, err)
	}
	// The request's invoice number wins over the order's.
	in := v2Create(ids, 0, child.ID)
	in.InvoiceNumber = "INV-77"
	lines, err := env.svc.Enrollment.CreateCustomer(ctx, env.org, in)
	if err != nil || len(lines) != 2 || lines[0].InvoiceNumber != "INV-77" || lines[1].InvoiceNumber != "INV-77" {
		t.Fatalf("create after the refusal = %+v, %v", lines, err)
	}
}

// TestRequirePayment: with require-payment Y a line needs an order and
// the order must be paid; SKIP_PAYMENT is not, CASH is.
func TestRequirePayment(t *testing.T) {
	env, ids := newOrderEnv(t)
	ctx := context.Background()
	if _, err := env.svc.Orgs.Configure(ctx, "ACME", []ports.SettingChange{{Name: tenant.SettingRequirePayment, Value: "Y"}}); err != nil {
		t.Fatal(err)
	}
	skipped := env.pay(t, ids[0], order.SkipPayment)
	_, err := env.svc.Enrollment.CreateCustomer(ctx, env.org, v2Create(ids, skipped.ID))
	wantOrderViolations(t, err, order.ReasonOrderNotPaid, order.ReasonOrderRequired)

	cash := env.pay(t, ids[1], order.Cash)
	if _, err := env.svc.Enrollment.CreateCustomer(ctx, env.org, v2Create(ids[1:], cash.ID)); err != nil {
		t.Fatalf("a paid order: %v", err)
	}
	// Switched off again, the skipped order is accepted.
	if _, err := env.svc.Orgs.Configure(ctx, "ACME", []ports.SettingChange{{Name: tenant.SettingRequirePayment, Value: "N"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.svc.Enrollment.CreateCustomer(ctx, env.org, v2Create(ids[:1], skipped.ID)); err != nil {
		t.Fatalf("require-payment N: %v", err)
	}
}
