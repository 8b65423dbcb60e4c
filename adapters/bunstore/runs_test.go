package bunstore

import (
	"context"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// storedRuns lists the runs of a series as "first-last state reference".
func storedRuns(t *testing.T, s *Store, id int64) []string {
	t.Helper()
	var rows []runRow
	if err := s.DB().NewRaw("SELECT "+runColumns+" FROM series_runs AS r WHERE r.series_id = ? ORDER BY r.first_pos", id).Scan(t.Context(), &rows); err != nil && !errNoRows(err) {
		t.Fatal(err)
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = fmt.Sprintf("%d-%d %s %s", r.FirstPos, r.LastPos, r.State, r.Reference)
	}
	return out
}

// TestMarksStoredAsRuns consumes, voids and releases numbers one request
// at a time and checks the rows kept: one per maximal run of one state and
// reference, split by a release in its middle and merged again, with every
// number's lookup and the series' stock unchanged by the storage.
func TestMarksStoredAsRuns(t *testing.T) {
	for _, d := range dialects {
		d.run(t, func(t *testing.T) {
			s := d.open(t)
			ctx := t.Context()
			org, err := s.CreateOrg(ctx, tenant.Organisation{Code: "acme", Name: "Acme"})
			if err != nil {
				t.Fatal(err)
			}
			c := series.Owner{Kind: series.Customer, Code: "C"}
			sr, err := s.InsertSeries(ctx, org.ID, series.Series{Owner: c, Range: series.MustParseRange("V1000", "V1999"), ItemCode: "I"})
			if err != nil {
				t.Fatal(err)
			}
			mark := func(op series.Op, first, last, ref string) {
				t.Helper()
				r := series.MustParseRange(first, last)
				if _, err := s.MarkNumbers(ctx, org.ID, ports.MarkRequest{Op: op, Owner: c, Ranges: []series.Range{r}, Reference: ref, Actor: "cli:test"}); err != nil {
					t.Fatalf("%s %s: %v", op, r, err)
				}
			}
			want := func(runs ...string) {
				t.Helper()
				if got := storedRuns(t, s, sr.ID); !slices.Equal(got, runs) {
					t.Fatalf("runs %q, want %q", got, runs)
				}
			}
			// Labels scanned one by one, in no order, for one booking.
			for _, n := range []int{1012, 1010, 1014, 1011, 1013} {
				mark(series.Consume, fmt.Sprint("V", n), fmt.Sprint("V", n), "B1")
			}
			want("10-14 used B1")
			mark(series.Consume, "V1015", "V1019", "B2")
			want("10-14 used B1", "15-19 used B2")
			mark(series.Release, "V1012", "V1012", "B1")
			want("10-11 used B1", "13-14 used B1", "15-19 used B2")
			mark(series.VoidOp, "V1011", "V1013", "")
			want("10-10 used B1", "11-13 void ", "14-14 used B1", "15-19 used B2")
			mark(series.Release, "V1014", "V1016", "")
			want("10-10 used B1", "11-13 void ", "17-19 used B2")
			mark(series.Consume, "V1014", "V1016", "B2")
			want("10-10 used B1", "11-13 void ", "14-19 used B2")
			for n, st := range map[string]series.State{"V1009": series.Available, "V1010": series.Used, "V1012": series.Void, "V1016": series.Used, "V1020": series.Available} {
				info, err := s.NumberState(ctx, org.ID, series.MustParseNumber(n))
				if err != nil || info.State != st {
					t.Errorf("lookup %s: %v %v, want %s", n, info.State, err, st)
				}
			}
			if info, _ := s.NumberState(ctx, org.ID, series.MustParseNumber("V1015")); info.Reference != "B2" {
				t.Errorf("V1015 was used for %q, want B2", info.Reference)
			}
			// A draw takes 0-9, skips the runs and goes on at 20.
			got, err := s.DrawNext(ctx, org.ID, ports.DrawQuery{Owner: c, ItemCode: "I", Count: 12, Actor: "cli:test"})
			if err != nil {
				t.Fatal(err)
			}
			var drawn []string
			for _, r := range got {
				drawn = append(drawn, r.Range.String())
			}
			if strings.Join(drawn, ",") != "V1000-V1009,V1020-V1021" {
				t.Errorf("draw handed out %v, want V1000-V1009 and V1020-V1021", drawn)
			}
			// Behind the pointer a release is a mark of its own, and the
			// used marks stay, for their reference.
			mark(series.Release, "V1010", "V1010", "")
			want("10-10 available ", "11-13 void ", "14-19 used B2")
			back, err := s.SeriesByID(ctx, org.ID, sr.ID)
			if err != nil {
				t.Fatal(err)
			}
			if st := back.Stock; st == nil || st.Used != 18 || st.Void != 3 || st.Available != 979 || st.NextFree != 22 {
				t.Errorf("stock %+v, want 18 used, 3 void, 979 available, next free 22", back.Stock)
			}
		})
	}
}

// migrationSQL returns the statements of this build's migration file name
// of the store's dialect.
func migrationSQL(t *testing.T, s *Store, name string) []string {
	t.Helper()
	b, err := fs.ReadFile(migrationFiles, "migrations/"+s.dialect.name()+"/"+name)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(string(b), "--bun:split")
}

// TestMarkRunsMigration takes a migrated database back to per-number marks
// with the runs migration's down file, writes marks the old way, and
// migrates up again: consecutive marks of one state and reference become
// one run, and down gives every number its mark back.
func TestMarkRunsMigration(t *testing.T) {
	const id = "20260414000001_mark_runs"
	for _, d := range dialects {
		d.run(t, func(t *testing.T) {
			s := d.open(t)
			ctx := t.Context()
			org, err := s.CreateOrg(ctx, tenant.Organisation{Code: "acme", Name: "Acme"})
			if err != nil {
				t.Fatal(err)
			}
			c := series.Owner{Kind: series.Customer, Code: "C"}
			sr, err := s.InsertSeries(ctx, org.ID, series.Series{Owner: c, Range: series.MustParseRange("V1000", "V1999"), ItemCode: "I"})
			if err != nil {
				t.Fatal(err)
			}
			run := func(file string) {
				t.Helper()
				for _, stmt := range migrationSQL(t, s, file) {
					if _, err := s.DB().ExecContext(ctx, stmt); err != nil {
						t.Fatalf("%s: %v\n%s", file, err, stmt)
					}
				}
			}
			run(id + ".tx.down.sql")
			marks := map[int]string{3: "used A", 4: "used A", 5: "used A", 6: "used B", 7: "void ", 8: "void ", 10: "used A", 900: "available "}
			for pos, m := range marks {
				state, ref, _ := strings.Cut(m, " ")
				if _, err := s.DB().NewRaw("INSERT INTO series_numbers (series_id, pos, state, reference, updated_at) VALUES (?, ?, ?, ?, ?)",
					sr.ID, pos, state, ref, s.now()).Exec(ctx); err != nil {
					t.Fatal(err)
				}
			}
			run(id + ".tx.up.sql")
			if got, want := storedRuns(t, s, sr.ID), []string{"3-5 used A", "6-6 used B", "7-8 void ", "10-10 used A", "900-900 available "}; !slices.Equal(got, want) {
				t.Fatalf("after up: runs %q, want %q", got, want)
			}
			run(id + ".tx.down.sql")
			var rows []struct {
				Pos       int    `bun:"pos"`
				State     string `bun:"state"`
				Reference string `bun:"reference"`
			}
			if err := s.DB().NewRaw("SELECT pos, state, reference FROM series_numbers WHERE series_id = ?", sr.ID).Scan(ctx, &rows); err != nil {
				t.Fatal(err)
			}
			back := map[int]string{}
			for _, r := range rows {
				back[r.Pos] = r.State + " " + r.Reference
			}
			if fmt.Sprint(back) != fmt.Sprint(marks) {
				t.Errorf("after down: marks %v, want %v", back, marks)
			}
			run(id + ".tx.up.sql")
			if _, err := s.NumberState(context.WithoutCancel(ctx), org.ID, series.MustParseNumber("V1004")); err != nil {
				t.Errorf("lookup after migrating up again: %v", err)
			}
		})
	}
}
