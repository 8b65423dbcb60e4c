package wire_test

import (
	"bytes"
	"context"
	"github.com/allot-io/allot/cmd/allot/command"
	"github.com/allot-io/allot/domain/enrollment"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/allot-io/allot/adapters/cli"
	"github.com/allot-io/allot/adapters/secret"
	"github.com/allot-io/allot/app/wire"
	"github.com/allot-io/allot/domain/order"
	"github.com/allot-io/allot/ports"
)

// TestOrderCommands runs the order administration commands over the real
// store: shipping methods, fees per organisation and state, the invoice
// counter, coupons, and `allot order list` of an order the API recorded.
func TestOrderCommands(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "allot.db")
	t.Setenv(secret.EnvKey, strings.Repeat("ab", 32))
	cfg := wire.Config{Hasher: secret.NewTestHasher()}
	run := func(want int, args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		deps := command.Deps(os.Getenv, cfg)
		deps.Stdout, deps.Stderr = &out, &errOut
		// --db goes right after the command's name, before any argument.
		full := append([]string{"allot"}, args[0], args[1], "--db", db)
		if code := cli.Run(context.Background(), deps, append(full, args[2:]...)); code != want {
			t.Fatalf("allot %v: exit %d, want %d; stderr %s", args, code, want, errOut.String())
		}
		return out.String() + errOut.String()
	}
	run(0, "org", "create", "ACME")
	if got := run(0, "shipping", "add", "--org", "ACME", "--name", "USPS Priority", "--amount", "5"); got != "added shipping method 1 (USPS Priority, 5.00, ground)\n" {
		t.Errorf("shipping add: %q", got)
	}
	run(0, "shipping", "add", "--org", "ACME", "--name", "Overnight", "--amount", "24.99", "--overnight")
	if got := run(0, "shipping", "list", "--org", "ACME"); !strings.Contains(got, "SHIPPING-ID") || !strings.Contains(got, "Overnight") || !strings.Contains(got, "24.99") {
		t.Errorf("shipping list: %q", got)
	}
	if got := run(2, "shipping", "add", "--org", "ACME", "--name", "X", "--amount", "5.001"); !strings.Contains(got, "shipping amount should be a non-negative amount") {
		t.Errorf("bad amount: %q", got)
	}
	if got := run(0, "fees", "set", "--org", "ACME", "--activation-fee", "10", "--invoice-counter", "continuous", "--invoice-start", "2001"); got != "activation fee 10.00 per line, processing fee 0.00 per order, invoice counter continuous from 2001\n" {
		t.Errorf("fees set: %q", got)
	}
	run(2, "fees", "set", "--org", "ACME")
	if got := run(0, "fees", "state", "--org", "ACME", "--state", "wa", "--tax-rate", "6.5", "--regulatory-rate", "2.25"); got != "state WA: tax 6.5%, regulatory fee 2.25%\n" {
		t.Errorf("fees state: %q", got)
	}
	run(2, "fees", "state", "--org", "ACME", "--state", "ZZ", "--tax-rate", "6.5")
	if got := run(0, "fees", "list", "--org", "ACME"); !strings.Contains(got, "WA     6.5%") || !strings.Contains(got, "continuous from 2001") {
		t.Errorf("fees list: %q", got)
	}
	if got := run(0, "coupon", "add", "--org", "ACME", "--code", "save10", "--percent", "10", "--max-uses", "100", "--expires", "2099-12-31"); got != "added coupon SAVE10 (10% off, max uses 100)\n" {
		t.Errorf("coupon add: %q", got)
	}
	run(2, "coupon", "add", "--org", "ACME", "--code", "X", "--percent", "10", "--amount", "5")
	run(2, "coupon", "add", "--org", "ACME", "--code", "Y", "--amount", "5", "--expires", "tomorrow")
	if got := run(0, "coupon", "list", "--org", "ACME"); !strings.Contains(got, "SAVE10") || !strings.Contains(got, "2100-01-01T00:00:00Z") {
		t.Errorf("coupon list: %q", got)
	}

	// An order recorded through the service, as make_payment does.
	b, err := wire.Open(context.Background(), db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	svc := b.Services
	org, _ := svc.Orgs.ByCode(ctx, "ACME")
	_, _ = svc.Enrollment.AddAgent(ctx, org.ID, "web", "", nil)
	_, _ = svc.Enrollment.AllowSources(ctx, org.ID, []string{"API"})
	_, _ = svc.Enrollment.AddPlan(ctx, org.ID, map[string]enrollment.PlanValue{"plan_id": {Text: "1828"}, "plan_name": {Text: "Unlimited"}, "plan_price": {Text: "25.00"}})
	if err := addZip(ctx, svc.Enrollment, org.ID); err != nil {
		t.Fatal(err)
	}
	call := ports.CallContext{AgentID: "web", Source: "API"}
	call.Action = "check_service_availability"
	av, err := svc.Enrollment.CheckAvailability(ctx, org.ID, ports.AvailabilityRequest{CallContext: call, ZipCode: "98103", EnrollmentType: "NON_LIFELINE", IsEnrollment: "Y"})
	if err != nil {
		t.Fatal(err)
	}
	call.Action = "make_payment"
	o, err := svc.Orders.MakePayment(ctx, org.ID, ports.PaymentCall{CallContext: call, Payment: order.PaymentInput{
		Quote:       order.QuoteInput{EnrollmentID: av.EnrollmentID, Plans: []order.PlanChoice{{ID: "1828", Months: "2"}}, CouponCode: "SAVE10"},
		PaymentType: "NEW_SIGNUP", Method: "SKIP_PAYMENT",
	}})
	if err != nil {
		b.Close()
		t.Fatal(err)
	}
	// The customer created with the order is listed under it.
	created, err := svc.Enrollment.CreateCustomer(ctx, org.ID, enrollment.RequestInput{Action: enrollment.ActionCreateV2, AgentID: "web", Source: "API",
		Lines: []enrollment.LineInput{{EnrollmentID: av.EnrollmentID, OrderID: strconv.FormatInt(o.ID, 10), FirstName: "Ann", LastName: "Lee",
			Email: "ann@example.com", ServiceAddressOne: "112 N 41ST ST", ServiceCity: "SEATTLE", ServiceState: "WA", ServiceZip: "98103",
			PlanID: "1828", EnrollmentType: "SHIPMENT"}}})
	b.Close()
	if err != nil || len(created) != 1 || created[0].InvoiceNumber != o.InvoiceNumber {
		t.Fatalf("create with the order: %+v, %v", created, err)
	}
	customer := strconv.FormatInt(created[0].CustomerID, 10)
	// 25 × 2 = 50, less 5.00, tax 2.93, regulatory 1.01, activation 10: 58.94.
	got := run(0, "order", "list", "--org", "ACME")
	for _, want := range []string{"ORDER-ID", av.EnrollmentID, o.InvoiceNumber, "SKIPPED", "SKIP_PAYMENT", "1828x2", "58.94", "CUSTOMERS", "  " + customer + "\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("order list lacks %q:\n%s", want, got)
		}
	}
	if !strings.HasSuffix(o.InvoiceNumber, "-2001") {
		t.Errorf("invoice %s: want the continuous counter's first number, 2001", o.InvoiceNumber)
	}
	if got := run(0, "order", "list", "--org", "ACME", "--json"); !strings.Contains(got, `"total_amount": "58.94"`) || !strings.Contains(got, `"coupon_code": "SAVE10"`) ||
		!strings.Contains(got, `"customer_id": `+customer+`,`) {
		t.Errorf("order list --json:\n%s", got)
	}
	// The invoice number was drawn from the organisation's invoice series,
	// which the inventory shows like any other, with the draw in its
	// history and the number's state.
	if got := run(0, "series", "list", "--org", "ACME", "--hub", order.InvoiceHub); !strings.Contains(got, "INVC000002001") ||
		!strings.Contains(got, order.InvoiceItemCode) {
		t.Errorf("series list of the invoice hub:\n%s", got)
	}
	if got := run(0, "series", "history", "--org", "ACME"); !strings.Contains(got, "order:"+av.EnrollmentID) || !strings.Contains(got, "INVC000002001") {
		t.Errorf("series history:\n%s", got)
	}
	if got := run(0, "series", "state", "--org", "ACME", "INVC000002001"); !strings.Contains(got, "used") {
		t.Errorf("series state of the invoice number:\n%s", got)
	}
}
