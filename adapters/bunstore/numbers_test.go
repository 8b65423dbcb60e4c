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

// TestMarkedNumberUniqueInDatabase inserts, past the store, a run of marks
// sharing one number with another run of the series: PostgreSQL's
// exclusion constraint and SQLite's trigger refuse it, so no code path can
// give a number two states; a run beside it, or in another series, is
// accepted.
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
			other, err := s.InsertSeries(ctx, org.ID, series.Series{Owner: c, Range: series.MustParseRange("W1", "W9"), ItemCode: "I"})
			if err != nil {
				t.Fatal(err)
			}
			insert := func(id int64, first, last int) error {
				_, err := s.DB().NewRaw("INSERT INTO series_runs (series_id, first_pos, last_pos, state, reference, updated_at) VALUES (?, ?, ?, 'used', '', ?)",
					id, first, last, s.now()).Exec(ctx)
				return err
			}
			if err := insert(sr.ID, 3, 5); err != nil {
				t.Fatal(err)
			}
			for _, r := range [][2]int{{5, 7}, {1, 3}, {4, 4}, {0, 8}} {
				if err := insert(sr.ID, r[0], r[1]); classify(err) != kindOverlap {
					t.Errorf("run %d-%d over 3-5: %v, want an overlap refused", r[0], r[1], err)
				}
			}
			if err := insert(sr.ID, 6, 8); err != nil {
				t.Errorf("run 6-8 beside 3-5: %v", err)
			}
			if err := insert(other.ID, 3, 5); err != nil {
				t.Errorf("run 3-5 of another series: %v", err)
			}
		})
	}
}
