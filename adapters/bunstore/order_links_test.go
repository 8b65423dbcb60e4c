package bunstore

import (
	"database/sql"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/order"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// TestOrderLinksBackfill runs the order_links migration's back-fill on
// lines that carry an order_id only in their details, as lines created
// before the migration do: a line naming an order of its organisation gets
// the column, one naming another organisation's order or none stays NULL.
func TestOrderLinksBackfill(t *testing.T) {
	for _, d := range dialects {
		d.run(t, func(t *testing.T) {
			s := d.open(t)
			ctx := t.Context()
			at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
			orgs := map[string]tenant.OrgID{}
			for _, code := range []string{"A", "B"} {
				o, err := s.CreateOrg(ctx, tenant.Organisation{Code: code, Name: code})
				if err != nil {
					t.Fatal(err)
				}
				orgs[code] = o.ID
			}
			issue := func(org tenant.OrgID, id string) {
				t.Helper()
				if err := s.IssueEnrollmentID(ctx, org, ports.IssuedEnrollmentID{ID: id, Zip: "98103", IssuedAt: at}); err != nil {
					t.Fatal(err)
				}
			}
			for _, id := range []string{"EN1", "EN2", "EN3"} {
				issue(orgs["A"], id)
			}
			issue(orgs["B"], "EB1")
			pay := func(org tenant.OrgID, id string) order.Order {
				t.Helper()
				o, _, err := s.CreateOrder(ctx, org, ports.NewOrder{Order: order.Order{EnrollmentID: id, Status: order.Paid, Method: order.Cash,
					Quote: order.Price(order.PriceInput{Lines: 1}), CreatedAt: at}, InvoicePeriod: "2026-03", InvoiceStart: 1})
				if err != nil {
					t.Fatal(err)
				}
				return o
			}
			mine, theirs := pay(orgs["A"], "EN1"), pay(orgs["B"], "EB1")
			if mine.ID == theirs.ID {
				t.Fatal("two orders share an id")
			}
			line := func(id, orderID string) enrollment.LineInput {
				return enrollment.LineInput{EnrollmentID: id, OrderID: orderID, FirstName: "Ann", LastName: "Lee", Email: "ann@example.com",
					ServiceAddressOne: "112 N 41ST ST", ServiceCity: "SEATTLE", ServiceState: "WA", ServiceZip: "98103", PlanID: "1828",
					ActivationType: "NEWACTIVATION", EnrollmentType: "SHIPMENT"}
			}
			req, err := enrollment.Validate(enrollment.RequestInput{Action: enrollment.ActionCreate, ParentEnrollmentID: "EN1", AgentID: "web", Source: "API",
				Lines: []enrollment.LineInput{line("EN1", fmt.Sprintf("000%d", mine.ID)), line("EN2", fmt.Sprint(theirs.ID)), line("EN3", "")}}, enrollment.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			e := ports.NewEnrollment{ParentEnrollmentID: "EN1", AgentID: "web", Source: "API", CreatedAt: at}
			for _, l := range req.Lines() {
				e.Lines = append(e.Lines, ports.NewLine{Line: l}) // OrderID 0: the column is NULL, as before the migration
			}
			if _, _, err := s.CreateEnrollment(ctx, orgs["A"], e); err != nil {
				t.Fatal(err)
			}

			b, err := fs.ReadFile(migrationFiles, "migrations/"+s.Dialect()+"/20260406000001_order_links.tx.up.sql")
			if err != nil {
				t.Fatal(err)
			}
			var backfill string
			for _, part := range strings.Split(string(b), "--bun:split") {
				if strings.Contains(part, "UPDATE lines") {
					backfill = part
				}
			}
			if backfill == "" {
				t.Fatal("the migration has no back-fill")
			}
			if _, err := s.DB().ExecContext(ctx, backfill); err != nil {
				t.Fatalf("back-fill: %v", err)
			}
			var rows []struct {
				EnrollmentID string        `bun:"enrollment_id"`
				OrderID      sql.NullInt64 `bun:"order_id"`
			}
			if err := s.DB().NewRaw("SELECT enrollment_id, order_id FROM lines ORDER BY enrollment_id").Scan(ctx, &rows); err != nil {
				t.Fatal(err)
			}
			want := map[string]sql.NullInt64{"EN1": {Int64: mine.ID, Valid: true}, "EN2": {}, "EN3": {}}
			if len(rows) != 3 {
				t.Fatalf("rows %+v", rows)
			}
			for _, r := range rows {
				if r.OrderID != want[r.EnrollmentID] {
					t.Errorf("%s: order_id %+v, want %+v", r.EnrollmentID, r.OrderID, want[r.EnrollmentID])
				}
			}
		})
	}
}
