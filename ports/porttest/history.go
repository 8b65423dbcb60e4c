package porttest

import (
	"fmt"
	"testing"

	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/ports"
)

// seriesHistory checks that creating and deleting a series are in its
// history, by the actor of the context, with the change.
func (h harness) seriesHistory(t *testing.T) {
	h.run(t, "CreateAndDelete", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		c := ports.WithActor(ctx(t), "api-key:ak_create")
		sr, err := s.InsertSeries(c, org, newSeries(customer("C"), rng("V10000071", "V10000080"), "I", "EXPRESS"))
		must(t, err, "InsertSeries")
		plain, err := s.InsertSeries(ctx(t), org, newSeries(customer("C"), rng("W1", "W5"), "I"))
		must(t, err, "InsertSeries without an actor")
		// A refused insert records nothing.
		_, err = s.InsertSeries(c, org, newSeries(customer("C"), rng("V10000075", "V10000085"), "I"))
		if err == nil {
			t.Fatal("overlapping insert succeeded")
		}
		must(t, s.DeleteSeries(ports.WithActor(ctx(t), "operator:ops@example.com"), org, []int64{sr.ID}, base), "DeleteSeries")

		es, total, err := s.History(ctx(t), org, ports.HistoryQuery{SeriesID: sr.ID})
		must(t, err, "History")
		if total != 2 || len(es) != 2 {
			t.Fatalf("history = %+v (total %d), want create and delete", es, total)
		}
		cr, del := es[0], es[1]
		if cr.Action != series.ActionCreate || cr.Actor != "api-key:ak_create" || cr.Count != 10 || cr.Offset != 0 ||
			cr.Before != "" || cr.After != series.Available || cr.Numbers.String() != "V10000071-V10000080" || cr.At.IsZero() {
			t.Errorf("create entry = %+v", cr)
		}
		if del.Action != series.ActionDelete || del.Actor != "operator:ops@example.com" || del.Count != 10 ||
			del.Before != series.Available || del.After != "" || !del.At.Equal(base) {
			t.Errorf("delete entry = %+v", del)
		}
		es, _, err = s.History(ctx(t), org, ports.HistoryQuery{SeriesID: plain.ID})
		must(t, err, "History of the series without an actor")
		if len(es) != 1 || es[0].Action != series.ActionCreate || es[0].Actor != series.UnknownActor {
			t.Errorf("history without an actor = %+v", es)
		}
		// A refused delete records nothing either.
		if _, err := s.DrawNext(ctx(t), org, ports.DrawQuery{Owner: customer("C"), ItemCode: "I", Count: 1}); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteSeries(ctx(t), org, []int64{plain.ID}, base); err == nil {
			t.Fatal("deleting a drawn series succeeded")
		}
		if _, total, _ := s.History(ctx(t), org, ports.HistoryQuery{SeriesID: plain.ID}); total != 2 {
			t.Errorf("after a refused delete the history holds %d entries, want create and draw", total)
		}
	})

	// Concurrent inserts on SQLite share one transaction (a group commit):
	// each kept series has its create entry and no refused one has.
	h.run(t, "CreateTogether", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		const n = 16
		ids := make([]int64, n)
		errs := make([]error, n)
		together(n, func(i int) {
			// Pairs overlap: one of each pair is refused.
			lo := i / 2 * 100
			sr, err := s.InsertSeries(ports.WithActor(ctx(t), "cli:racer"), org,
				newSeries(customer("C"), rng(num("R", lo+i%2), num("R", lo+i%2+10)), "I"))
			ids[i], errs[i] = sr.ID, err
		})
		es, total, err := s.History(ctx(t), org, ports.HistoryQuery{Query: ports.Query{Limit: 1000}})
		must(t, err, "History")
		kept := map[int64]bool{}
		for i := range n {
			if errs[i] == nil {
				kept[ids[i]] = true
			}
		}
		if len(kept) != n/2 || total != n/2 {
			t.Fatalf("%d series kept, %d entries; want %d of each", len(kept), total, n/2)
		}
		for _, e := range es {
			if !kept[e.SeriesID] || e.Action != series.ActionCreate || e.Actor != "cli:racer" {
				t.Errorf("entry %+v", e)
			}
		}
	})
}

// num is prefix and i zero-padded to 6 digits.
func num(prefix string, i int) string { return fmt.Sprintf("%s%06d", prefix, i) }
