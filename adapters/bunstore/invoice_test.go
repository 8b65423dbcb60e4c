package bunstore

import (
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/allot-io/allot/domain/order"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// runMigrationFile runs the statements of one migration file on s.
func runMigrationFile(t *testing.T, s *Store, name string) {
	t.Helper()
	b, err := fs.ReadFile(migrationFiles, "migrations/"+s.Dialect()+"/"+name)
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range strings.Split(string(b), "--bun:split") {
		if _, err := s.DB().ExecContext(t.Context(), part); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, part)
		}
	}
}

// TestInvoiceSeriesMigration takes invoice numbering back to the counters
// of invoice_counters (the down migration) and forward again (the up one):
// each way the counters hold the last numbers issued, and the next order
// continues from them, with the migrated numbers in the series' history.
func TestInvoiceSeriesMigration(t *testing.T) {
	for _, d := range dialects {
		d.run(t, func(t *testing.T) {
			s := d.open(t)
			ctx := t.Context()
			march := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
			orgs := map[string]tenant.OrgID{}
			for _, code := range []string{"M", "C"} {
				o, err := s.CreateOrg(ctx, tenant.Organisation{Code: code, Name: code})
				if err != nil {
					t.Fatal(err)
				}
				orgs[code] = o.ID
				for i := range 4 {
					if err := s.IssueEnrollmentID(ctx, o.ID, ports.IssuedEnrollmentID{ID: fmt.Sprintf("%s%d", code, i), Zip: "98103", IssuedAt: march}); err != nil {
						t.Fatal(err)
					}
				}
			}
			if _, err := s.UpdateOrderSettings(ctx, orgs["C"], func(st order.Settings) (order.Settings, error) {
				st.Counter, st.InvoiceStart = order.Continuous, 2000
				return st, nil
			}); err != nil {
				t.Fatal(err)
			}
			pay := func(code string, i int) string {
				t.Helper()
				period, start := "2026-03", int64(1)
				if code == "C" {
					period, start = "", 2000
				}
				o, _, err := s.CreateOrder(ctx, orgs[code], ports.NewOrder{Order: order.Order{EnrollmentID: fmt.Sprintf("%s%d", code, i), Status: order.Paid,
					Method: order.Cash, Quote: order.Price(order.PriceInput{Lines: 1}), CreatedAt: march}, InvoicePeriod: period, InvoiceStart: start})
				if err != nil {
					t.Fatal(err)
				}
				return o.InvoiceNumber
			}
			for i := range 3 {
				pay("M", i)
			}
			pay("C", 0)
			pay("C", 1)

			runMigrationFile(t, s, "20260408000001_invoice_series.tx.down.sql")
			var counters []struct {
				OrgID      int64  `bun:"org_id"`
				Period     string `bun:"period"`
				LastNumber int64  `bun:"last_number"`
			}
			if err := s.DB().NewRaw("SELECT org_id, period, last_number FROM invoice_counters ORDER BY org_id").Scan(ctx, &counters); err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprint(counters); got != fmt.Sprintf("[{%d 2026-03 3} {%d  2001}]", orgs["M"], orgs["C"]) {
				t.Fatalf("invoice_counters after the down migration: %s", got)
			}
			list, _, err := s.ListSeries(ctx, orgs["M"], ports.SeriesQuery{HubCode: order.InvoiceHub})
			if err != nil || len(list) != 0 {
				t.Fatalf("invoice series after the down migration: %+v, %v", list, err)
			}

			runMigrationFile(t, s, "20260408000001_invoice_series.tx.up.sql")
			if got := pay("M", 3); got != "2026-03-0004" {
				t.Errorf("monthly invoice after the migration = %s, want 2026-03-0004", got)
			}
			if got := pay("C", 2); got != "2026-03-2002" {
				t.Errorf("continuous invoice after the migration = %s, want 2026-03-2002", got)
			}
			for code, want := range map[string]string{"M": "INV2026030001-INV2026039999 drawn 4", "C": "INVC000002000-INVC999999999 drawn 3"} {
				list, _, err := s.ListSeries(ctx, orgs[code], ports.SeriesQuery{HubCode: order.InvoiceHub})
				if err != nil || len(list) != 1 {
					t.Fatalf("%s: invoice series %+v, %v", code, list, err)
				}
				if got := fmt.Sprintf("%s drawn %d", list[0].Range, list[0].Drawn); got != want {
					t.Errorf("%s: invoice series %s, want %s", code, got, want)
				}
				h, _, err := s.History(ctx, orgs[code], ports.HistoryQuery{SeriesID: list[0].ID})
				if err != nil || len(h) != 2 || h[0].Actor != "migration:20260408000001" && h[1].Actor != "migration:20260408000001" {
					t.Errorf("%s: history %+v, %v; want the migration's entry and the new order's", code, h, err)
				}
			}
		})
	}
}
