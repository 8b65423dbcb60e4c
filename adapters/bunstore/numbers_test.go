package bunstore

import (
	"testing"

	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// TestHistoryAppendOnly edits and deletes history past the store: the
// database itself refuses, on both dialects.
func TestHistoryAppendOnly(t *testing.T) {
	for _, d := range dialects {
		d.run(t, func(t *testing.T) {
			s := d.open(t)
			ctx := t.Context()
			org, err := s.CreateOrg(ctx, tenant.Organisation{Code: "acme", Name: "Acme"})
			if err != nil {
				t.Fatal(err)
			}
			c := series.Owner{Kind: series.Customer, Code: "C"}
			if _, err := s.InsertSeries(ctx, org.ID, series.Series{Owner: c, Range: series.MustParseRange("V1", "V9"), ItemCode: "I"}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.DrawNext(ctx, org.ID, ports.DrawQuery{Owner: c, ItemCode: "I", Count: 1, Actor: "cli:test"}); err != nil {
				t.Fatal(err)
			}
			for _, stmt := range []string{
				"UPDATE series_audit SET actor = 'someone else'",
				"DELETE FROM series_audit",
			} {
				if _, err := s.DB().ExecContext(ctx, stmt); err == nil {
					t.Errorf("%s: the database allowed it", stmt)
				}
			}
			if d.name == "PostgreSQL" {
				if _, err := s.DB().ExecContext(ctx, "TRUNCATE series_audit"); err == nil {
					t.Error("TRUNCATE: the database allowed it")
				}
			}
			hist, total, err := s.History(ctx, org.ID, ports.HistoryQuery{})
			// The series' create entry and the draw's, untouched.
			if err != nil || total != 2 || hist[0].Action != series.ActionCreate || hist[1].Actor != "cli:test" {
				t.Fatalf("history = %+v (%d), %v", hist, total, err)
			}
		})
	}
}

// TestMarkedNumberUniqueInDatabase inserts a second mark for a number past
// the store: the primary key refuses it, so no code path can give a number
// two states.
func TestMarkedNumberUniqueInDatabase(t *testing.T) {
	for _, d := range dialects {
		d.run(t, func(t *testing.T) {
			s := d.open(t)
			ctx := t.Context()
			org, err := s.CreateOrg(ctx, tenant.Organisation{Code: "acme", Name: "Acme"})
			if err != nil {
				t.Fatal(err)
			}
			c := series.Owner{Kind: series.Customer, Code: "C"}
			sr, err := s.InsertSeries(ctx, org.ID, series.Series{Owner: c, Range: series.MustParseRange("V1", "V9"), ItemCode: "I"})
			if err != nil {
				t.Fatal(err)
			}
			insert := "INSERT INTO series_numbers (series_id, pos, state, reference, updated_at) VALUES (?, 3, 'used', '', ?)"
			if _, err := s.DB().NewRaw(insert, sr.ID, s.now()).Exec(ctx); err != nil {
				t.Fatal(err)
			}
			_, err = s.DB().NewRaw(insert, sr.ID, s.now()).Exec(ctx)
			if classify(err) != kindUnique {
				t.Fatalf("second mark: %v, want a unique violation", err)
			}
		})
	}
}
