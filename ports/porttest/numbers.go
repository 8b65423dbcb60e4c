package porttest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// markReq is a MarkRequest of owner for the numbers named, each a single
// number or "FIRST-LAST".
func markReq(op series.Op, owner series.Owner, ref string, numbers ...string) ports.MarkRequest {
	req := ports.MarkRequest{Op: op, Owner: owner, Reference: ref, Actor: "cli:test", At: base}
	for _, n := range numbers {
		first, last := n, n
		for i := range n {
			if n[i] == '-' {
				first, last = n[:i], n[i+1:]
			}
		}
		req.Ranges = append(req.Ranges, rng(first, last))
	}
	return req
}

// stateOf returns the state and reference of number n.
func stateOf(t *testing.T, s ports.Store, org tenant.OrgID, n string) (series.State, string) {
	t.Helper()
	info, err := s.NumberState(ctx(t), org, series.MustParseNumber(n))
	must(t, err, "NumberState("+n+")")
	return info.State, info.Reference
}

// stockOf returns the stock of series id.
func stockOf(t *testing.T, s ports.Store, org tenant.OrgID, id int64) series.Stock {
	t.Helper()
	sr, err := s.SeriesByID(ctx(t), org, id)
	must(t, err, "SeriesByID")
	if sr.Stock == nil {
		t.Fatal("SeriesByID reports no stock")
	}
	return *sr.Stock
}

// drawAll draws count numbers and lists them one by one.
func drawAll(t *testing.T, s ports.Store, org tenant.OrgID, owner series.Owner, count uint64) []string {
	t.Helper()
	ds, err := s.DrawNext(ctx(t), org, ports.DrawQuery{Owner: owner, ItemCode: "I", Count: count})
	must(t, err, "DrawNext")
	var out []string
	for _, d := range ds {
		n, _ := d.Range.Count().Uint64()
		for i := range n {
			x, _ := d.Range.First().Add(i)
			out = append(out, d.CheckDigit.Full(x).String())
		}
	}
	return out
}

func reasonsOf(err error) []string {
	fe, _ := fault.As(err)
	var out []string
	for _, v := range fe.Violations {
		out = append(out, v.Reason)
	}
	return out
}

func (h harness) numbers(t *testing.T) {
	h.run(t, "ConsumeVoidRelease", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		c := customer("C")
		sr := insert(t, s, org, newSeries(c, rng("V10000070", "V10000079"), "I"))
		entries, err := s.MarkNumbers(ctx(t), org, markReq(series.Consume, c, "BKG-1", "V10000075", "V10000077"))
		must(t, err, "consume")
		if len(entries) != 2 || entries[0].Numbers.String() != "V10000075-V10000075" || entries[0].After != series.Used || entries[0].Reference != "BKG-1" {
			t.Fatalf("entries = %+v", entries)
		}
		if st, ref := stateOf(t, s, org, "V10000075"); st != series.Used || ref != "BKG-1" {
			t.Fatalf("V10000075 = %s %q, want used BKG-1", st, ref)
		}
		if st, _ := stateOf(t, s, org, "V10000076"); st != series.Available {
			t.Fatalf("V10000076 = %s", st)
		}
		must(t, errOnly(s.MarkNumbers(ctx(t), org, markReq(series.VoidOp, c, "torn", "V10000078-V10000079"))), "void")
		must(t, errOnly(s.MarkNumbers(ctx(t), org, markReq(series.Release, c, "cancelled", "V10000077"))), "release")
		if st, ref := stateOf(t, s, org, "V10000077"); st != series.Available || ref != "" {
			t.Fatalf("released V10000077 = %s %q", st, ref)
		}
		if got, want := stockOf(t, s, org, sr.ID), (series.Stock{Used: 1, Void: 2, Available: 7, NextFree: 0}); got != want {
			t.Fatalf("stock = %+v, want %+v", got, want)
		}

		// Refusals name every failing number and write nothing.
		_, err = s.MarkNumbers(ctx(t), org, markReq(series.Consume, c, "", "V10000070", "V10000075", "V10000079", "V10000099"))
		wantFault(t, err, fault.Invalid, series.ReasonNumberUsed)
		if got := reasonsOf(err); !slices.Equal(got, []string{series.ReasonNumberUsed, series.ReasonNumberVoid, series.ReasonNumberFree}) {
			t.Fatalf("violations = %v", got)
		}
		if st, _ := stateOf(t, s, org, "V10000070"); st != series.Available {
			t.Fatalf("a refused request consumed V10000070: %s", st)
		}
		_, err = s.MarkNumbers(ctx(t), org, markReq(series.Release, c, "", "V10000071"))
		wantFault(t, err, fault.Invalid, series.ReasonNumberNotUsed)
		_, err = s.MarkNumbers(ctx(t), org, markReq(series.Consume, customer("OTHER"), "", "V10000071"))
		wantFault(t, err, fault.Invalid, series.ReasonNumberNotOwned)
		_, err = s.MarkNumbers(ctx(t), org, markReq(series.Consume, hub("C"), "", "V10000071"))
		wantFault(t, err, fault.Invalid, series.ReasonNumberNotOwned)

		// Another organisation sees none of it.
		other := mkOrg(t, s, "other")
		_, err = s.MarkNumbers(ctx(t), other, markReq(series.Consume, c, "", "V10000071"))
		wantFault(t, err, fault.Invalid, series.ReasonNumberFree)
		_, err = s.NumberState(ctx(t), other, series.MustParseNumber("V10000075"))
		wantFault(t, err, fault.NotFound, series.ReasonNumberFree)
		hist, total, err := s.History(ctx(t), other, ports.HistoryQuery{})
		must(t, err, "History")
		if total != 0 || len(hist) != 0 {
			t.Fatalf("another organisation sees %d history entries", total)
		}
	})

	h.run(t, "RangeAcrossSeries", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		c := customer("C")
		a := insert(t, s, org, newSeries(c, rng("V100", "V104"), "I"))
		b := insert(t, s, org, newSeries(c, rng("V105", "V109"), "I"))
		insert(t, s, org, newSeries(customer("D"), rng("V120", "V129"), "I"))
		must(t, errOnly(s.MarkNumbers(ctx(t), org, markReq(series.Consume, c, "R", "V103-V106"))), "consume across two series")
		if sa, sb := stockOf(t, s, org, a.ID), stockOf(t, s, org, b.ID); sa.Used != 2 || sb.Used != 2 {
			t.Fatalf("used = %d and %d, want 2 and 2", sa.Used, sb.Used)
		}
		_, err := s.MarkNumbers(ctx(t), org, markReq(series.Consume, c, "", "V108-V112"))
		wantFault(t, err, fault.Invalid, series.ReasonNumberFree)
		_, err = s.MarkNumbers(ctx(t), org, markReq(series.Consume, c, "", "V108-V121"))
		if got := reasonsOf(err); !slices.Contains(got, series.ReasonNumberFree) || !slices.Contains(got, series.ReasonNumberNotOwned) {
			t.Fatalf("violations = %v, want a gap and another owner's numbers", got)
		}
		if st := stockOf(t, s, org, b.ID); st.Used != 2 {
			t.Fatalf("a refused range wrote: %+v", st)
		}
	})

	h.run(t, "DrawSkipsUsedAndVoid", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		c := customer("C")
		sr := insert(t, s, org, newSeries(c, rng("V10", "V19"), "I"))
		must(t, errOnly(s.MarkNumbers(ctx(t), org, markReq(series.Consume, c, "scan", "V11", "V14"))), "consume")
		must(t, errOnly(s.MarkNumbers(ctx(t), org, markReq(series.VoidOp, c, "", "V13"))), "void")
		if got := drawAll(t, s, org, c, 4); !slices.Equal(got, []string{"V10", "V12", "V15", "V16"}) {
			t.Fatalf("draw = %v", got)
		}
		st := stockOf(t, s, org, sr.ID)
		if want := (series.Stock{Used: 6, Void: 1, Available: 3, NextFree: 7}); st != want {
			t.Fatalf("stock = %+v, want %+v", st, want)
		}
		// A number consumed right at the pointer is skipped too.
		must(t, errOnly(s.MarkNumbers(ctx(t), org, markReq(series.Consume, c, "", "V17"))), "consume at the pointer")
		sr2, err := s.SeriesByID(ctx(t), org, sr.ID)
		must(t, err, "SeriesByID")
		if next, ok := sr2.Next(); !ok || next.String() != "V18" {
			t.Fatalf("next available = %v", next)
		}
		// Two numbers left: a draw of three gets nothing.
		_, err = s.DrawNext(ctx(t), org, ports.DrawQuery{Owner: c, ItemCode: "I", Count: 3})
		wantFault(t, err, fault.Conflict, series.ReasonExhausted)
		if got := drawAll(t, s, org, c, 2); !slices.Equal(got, []string{"V18", "V19"}) {
			t.Fatalf("last draw = %v", got)
		}
		// Drawn numbers are used; one released goes back to stock for
		// consume, and no draw hands it out again.
		_, err = s.MarkNumbers(ctx(t), org, markReq(series.Consume, c, "", "V10"))
		wantFault(t, err, fault.Invalid, series.ReasonNumberUsed)
		must(t, errOnly(s.MarkNumbers(ctx(t), org, markReq(series.Release, c, "", "V10"))), "release a drawn number")
		if st, _ := stateOf(t, s, org, "V10"); st != series.Available {
			t.Fatalf("released V10 = %s", st)
		}
		if st := stockOf(t, s, org, sr.ID); st.Available != 1 || st.Void != 1 || st.Used != 8 {
			t.Fatalf("stock = %+v", st)
		}
		must(t, errOnly(s.MarkNumbers(ctx(t), org, markReq(series.Consume, c, "again", "V10"))), "consume a released number")
		if st, ref := stateOf(t, s, org, "V10"); st != series.Used || ref != "again" {
			t.Fatalf("V10 = %s %q", st, ref)
		}
	})

	h.run(t, "DeleteRefusesConsumed", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		c := customer("C")
		sr := insert(t, s, org, newSeries(c, rng("V10", "V19"), "I"))
		voided := insert(t, s, org, newSeries(c, rng("V20", "V29"), "I"))
		must(t, errOnly(s.MarkNumbers(ctx(t), org, markReq(series.Consume, c, "", "V15"))), "consume")
		must(t, errOnly(s.MarkNumbers(ctx(t), org, markReq(series.VoidOp, c, "", "V25"))), "void")
		wantFault(t, s.DeleteSeries(ctx(t), org, []int64{sr.ID}, base), fault.Conflict, series.ReasonHasDrawn)
		must(t, s.DeleteSeries(ctx(t), org, []int64{voided.ID}, base), "delete a series with only void numbers")
		_, err := s.NumberState(ctx(t), org, series.MustParseNumber("V25"))
		wantFault(t, err, fault.NotFound, series.ReasonNumberFree)
	})

	h.run(t, "History", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		c := customer("C")
		// Allotted at base, so that their create entries precede Since.
		sa, sb := newSeries(c, rng("V10", "V19"), "I"), newSeries(c, rng("V20", "V29"), "I")
		sa.CreatedAt, sb.CreatedAt = base, base
		a := insert(t, s, org, sa)
		b := insert(t, s, org, sb)
		must(t, errOnly(s.MarkNumbers(ctx(t), org, markReq(series.Consume, c, "BKG", "V10-V12", "V20"))), "consume")
		req := markReq(series.VoidOp, c, "torn", "V11")
		req.Actor, req.At = "api-key:ak_1", base.Add(3600e9)
		must(t, errOnly(s.MarkNumbers(ctx(t), org, req)), "void")
		hist, total, err := s.History(ctx(t), org, ports.HistoryQuery{SeriesID: a.ID})
		must(t, err, "History")
		var got []string
		for _, e := range hist {
			got = append(got, fmt.Sprintf("%s %s %s %s>%s %s", e.Actor, e.Action, e.Numbers, e.Before, e.After, e.Reference))
		}
		want := []string{"unknown create V10-V19 >available ", "cli:test consume V10-V12 available>used BKG", "api-key:ak_1 void V11-V11 used>void torn"}
		if total != 3 || !slices.Equal(got, want) {
			t.Fatalf("history = %v (total %d), want %v", got, total, want)
		}
		if !hist[2].At.Equal(base.Add(3600e9)) || hist[1].SeriesID != a.ID {
			t.Fatalf("entry = %+v", hist[2])
		}
		all, total, err := s.History(ctx(t), org, ports.HistoryQuery{})
		must(t, err, "History")
		if total != 5 || len(all) != 5 || all[1].SeriesID != b.ID || all[3].SeriesID != b.ID {
			t.Fatalf("organisation history = %+v", all)
		}
		since, _, err := s.History(ctx(t), org, ports.HistoryQuery{Since: base.Add(60e9)})
		must(t, err, "History")
		if len(since) != 1 || since[0].Action != series.ActionVoid {
			t.Fatalf("history since = %+v", since)
		}
		paged, total, err := s.History(ctx(t), org, ports.HistoryQuery{Query: ports.Query{Limit: 1, Offset: 1}})
		must(t, err, "History")
		if total != 5 || len(paged) != 1 || paged[0].ID != all[1].ID {
			t.Fatalf("paged history = %+v", paged)
		}
		// A refused request leaves no history.
		_, err = s.MarkNumbers(ctx(t), org, markReq(series.Consume, c, "", "V12", "V13"))
		wantFault(t, err, fault.Invalid, series.ReasonNumberUsed)
		if _, total, _ := s.History(ctx(t), org, ports.HistoryQuery{}); total != 5 {
			t.Fatalf("a refused request wrote history: %d entries", total)
		}
	})

	h.run(t, "DrawHistory", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		c := customer("C")
		a := insert(t, s, org, newSeries(c, rng("V10", "V14"), "I"))
		b := insert(t, s, org, newSeries(c, rng("V20", "V29"), "I"))
		q := ports.DrawQuery{Owner: c, ItemCode: "I", Count: 2, Actor: "api-key:ak_9"}
		_, err := s.DrawNext(ctx(t), org, q) // one statement: V10-V11
		must(t, err, "DrawNext")
		must(t, errOnly(s.MarkNumbers(ctx(t), org, markReq(series.Consume, c, "", "V13"))), "consume")
		q.Count = 4 // V12, V14 (skipping V13), then V20-V21 of the next series
		_, err = s.DrawNext(ctx(t), org, q)
		must(t, err, "DrawNext")
		q.Count = 100 // exhausted: nothing drawn, nothing recorded
		_, err = s.DrawNext(ctx(t), org, q)
		wantFault(t, err, fault.Conflict, series.ReasonExhausted)
		hist, _, err := s.History(ctx(t), org, ports.HistoryQuery{})
		must(t, err, "History")
		var got []string
		for _, e := range hist {
			got = append(got, fmt.Sprintf("%d %s %s %s %d %s>%s", e.SeriesID, e.Actor, e.Action, e.Numbers, e.Count, e.Before, e.After))
		}
		want := []string{
			fmt.Sprintf("%d unknown create V10-V14 5 >available", a.ID),
			fmt.Sprintf("%d unknown create V20-V29 10 >available", b.ID),
			fmt.Sprintf("%d api-key:ak_9 draw V10-V11 2 available>used", a.ID),
			fmt.Sprintf("%d cli:test consume V13-V13 1 available>used", a.ID),
			fmt.Sprintf("%d api-key:ak_9 draw V12-V12 1 available>used", a.ID),
			fmt.Sprintf("%d api-key:ak_9 draw V14-V14 1 available>used", a.ID),
			fmt.Sprintf("%d api-key:ak_9 draw V20-V21 2 available>used", b.ID),
		}
		if !slices.Equal(got, want) {
			t.Fatalf("history = %q\nwant %q", got, want)
		}
	})

	h.run(t, "CheckDigits", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		c := customer("C")
		awb := newSeries(c, rng("1234560", "1234569"), "I")
		awb.CheckDigit = series.Mod7
		awb = insert(t, s, org, awb)
		got, err := s.SeriesByID(ctx(t), org, awb.ID)
		must(t, err, "SeriesByID")
		if got.CheckDigit != series.Mod7 {
			t.Fatalf("check digit = %q", got.CheckDigit)
		}
		if got := drawAll(t, s, org, c, 2); !slices.Equal(got, []string{"12345605", "12345616"}) {
			t.Fatalf("draw = %v, want serial and serial mod 7", got)
		}
		must(t, errOnly(s.MarkNumbers(ctx(t), org, markReq(series.Consume, c, "AWB", "12345675"))), "consume with check digit")
		if st, ref := stateOf(t, s, org, "12345675"); st != series.Used || ref != "AWB" {
			t.Fatalf("12345675 = %s %q", st, ref)
		}
		info, err := s.NumberState(ctx(t), org, series.MustParseNumber("12345605"))
		must(t, err, "NumberState")
		if info.Number.String() != "12345605" || info.State != series.Used {
			t.Fatalf("drawn AWB = %+v", info)
		}
		_, err = s.MarkNumbers(ctx(t), org, markReq(series.Consume, c, "", "12345670"))
		wantFault(t, err, fault.Invalid, series.ReasonCheckDigit)
		_, err = s.NumberState(ctx(t), org, series.MustParseNumber("12345670"))
		wantFault(t, err, fault.Invalid, series.ReasonCheckDigit)
		_, err = s.MarkNumbers(ctx(t), org, markReq(series.Consume, c, "", "1234567"))
		wantFault(t, err, fault.Invalid, series.ReasonNumberFree)

		iccid := newSeries(c, rng("8901410321111851000", "8901410321111851099"), "SIM")
		iccid.CheckDigit = series.Luhn
		insert(t, s, org, iccid)
		must(t, errOnly(s.MarkNumbers(ctx(t), org, markReq(series.Consume, c, "line 1", "89014103211118510720"))), "consume an ICCID")
		_, err = s.MarkNumbers(ctx(t), org, markReq(series.Consume, c, "", "89014103211118510721"))
		wantFault(t, err, fault.Invalid, series.ReasonCheckDigit)

		bad := newSeries(c, rng("10000000", "10000009"), "I")
		bad.CheckDigit = series.Mod7
		_, err = s.InsertSeries(ctx(t), org, bad)
		wantFault(t, err, fault.Invalid, series.ReasonInvalidScheme)
	})

	h.run(t, "Import", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		c := customer("C")
		insert(t, s, org, newSeries(c, rng("V100", "V199"), "I"))
		rows := []series.Series{
			newSeries(c, rng("V001", "V099"), "I", "EXPRESS"),
			newSeries(hub("H"), rng("V150", "V250"), "I"),
			newSeries(c, rng("W001", "W010"), "I"),
		}
		refused, err := s.ImportSeries(ctx(t), org, slices.Clone(rows), "cli:test", ports.ImportAll, nil)
		must(t, err, "ImportSeries")
		if len(refused) != 1 || fault.ReasonOf(refused[1]) != series.ReasonOverlap {
			t.Fatalf("refused = %v", refused)
		}
		if _, total, _ := s.ListSeries(ctx(t), org, ports.SeriesQuery{}); total != 1 {
			t.Fatalf("an all-or-nothing import with a refused row wrote %d series", total-1)
		}
		var done []int
		checked, err := s.ImportSeries(ctx(t), org, slices.Clone(rows[:1]), "cli:test", ports.ImportCheck, nil)
		must(t, err, "ImportSeries check")
		if _, total, _ := s.ListSeries(ctx(t), org, ports.SeriesQuery{}); total != 1 || len(checked) != 0 {
			t.Fatalf("a checking import wrote %d series, refused %v", total-1, checked)
		}
		refused, err = s.ImportSeries(ctx(t), org, slices.Clone(rows), "cli:test", ports.ImportPartial, func(n int) { done = append(done, n) })
		must(t, err, "ImportSeries partial")
		if len(refused) != 1 || refused[1] == nil || !slices.Equal(done, []int{1, 2, 3}) {
			t.Fatalf("refused = %v, progress = %v", refused, done)
		}
		list, total, err := s.ListSeries(ctx(t), org, ports.SeriesQuery{})
		must(t, err, "ListSeries")
		if total != 3 || list[1].Range.String() != "V001-V099" || !slices.Equal(list[1].ServiceTypes, []string{"EXPRESS"}) {
			t.Fatalf("after a partial import: %d series, %+v", total, list)
		}
		hist, _, err := s.History(ctx(t), org, ports.HistoryQuery{})
		must(t, err, "History")
		// The series allotted before the import, then one entry per row kept.
		if len(hist) != 3 || hist[0].Action != series.ActionCreate || hist[1].Action != series.ActionImport || hist[1].Count != 99 || hist[2].Numbers.String() != "W001-W010" {
			t.Fatalf("history = %+v", hist)
		}
	})

	h.run(t, "StockByOwner", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		c := customer("C")
		insert(t, s, org, newSeries(c, rng("V10", "V19"), "I"))
		insert(t, s, org, newSeries(c, rng("V30", "V39"), "I"))
		insert(t, s, org, newSeries(hub("H"), rng("W10", "W14"), "I"))
		gone := insert(t, s, org, newSeries(c, rng("V50", "V59"), "I"))
		must(t, s.DeleteSeries(ctx(t), org, []int64{gone.ID}, base), "delete")
		drawAll(t, s, org, c, 3)
		must(t, errOnly(s.MarkNumbers(ctx(t), org, markReq(series.Consume, c, "", "V35", "V36"))), "consume")
		must(t, errOnly(s.MarkNumbers(ctx(t), org, markReq(series.VoidOp, c, "", "V37"))), "void")
		got, err := s.StockByOwner(ctx(t), org, base.Add(-time.Hour))
		must(t, err, "StockByOwner")
		if len(got) != 2 || got[0].Owner != c || got[0].Series != 2 || got[0].UsedInWindow != 5 || got[1].Owner != hub("H") || got[1].UsedInWindow != 0 {
			t.Fatalf("stock = %+v", got)
		}
		if line := series.Report(got[0], nil); line.Available != 14 {
			t.Fatalf("available = %d, want 20 - 3 drawn - 2 consumed - 1 void", line.Available)
		}
		later, err := s.StockByOwner(ctx(t), org, base.Add(24*3650*time.Hour))
		must(t, err, "StockByOwner")
		if later[0].UsedInWindow != 0 {
			t.Fatalf("uses before the window counted: %+v", later[0])
		}
	})

	h.run(t, "Thresholds", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		c := customer("C")
		sr := insert(t, s, org, newSeries(c, rng("V10", "V19"), "I"))
		if stockOf(t, s, org, sr.ID).Low {
			t.Fatal("low stock without a threshold")
		}
		must(t, s.SetThreshold(ctx(t), org, series.Threshold{Owner: c, ItemCode: "I", Level: 8}), "SetThreshold")
		if stockOf(t, s, org, sr.ID).Low {
			t.Fatal("10 available is not at or below 8")
		}
		drawAll(t, s, org, c, 2)
		if !stockOf(t, s, org, sr.ID).Low {
			t.Fatal("8 available is at or below 8")
		}
		must(t, s.SetThreshold(ctx(t), org, series.Threshold{Owner: c, ItemCode: "I", Level: 3}), "SetThreshold again")
		ths, err := s.Thresholds(ctx(t), org)
		must(t, err, "Thresholds")
		if len(ths) != 1 || ths[0].Level != 3 || stockOf(t, s, org, sr.ID).Low {
			t.Fatalf("thresholds = %+v", ths)
		}
	})
}

func errOnly[T any](_ T, err error) error { return err }

// numbersConcurrent races consumes of overlapping sets, and consumes
// against draws: every number ends consumed or drawn exactly once.
func (h harness) numbersConcurrent(t *testing.T) {
	n := h.opts.concurrency()
	h.run(t, "ConsumeOneNumber", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		c := customer("C")
		insert(t, s, org, newSeries(c, rng("V10", "V19"), "I"))
		errs := make([]error, n)
		together(n, func(i int) {
			_, errs[i] = s.MarkNumbers(ctx(t), org, markReq(series.Consume, c, fmt.Sprint(i), "V15"))
		})
		won := 0
		for i, err := range errs {
			switch {
			case err == nil:
				won++
			case fault.ReasonOf(err) != series.ReasonNumberUsed:
				t.Errorf("goroutine %d: %v, want success or %s", i, err, series.ReasonNumberUsed)
			}
		}
		if won != 1 {
			t.Fatalf("%d consumes of one number won, want exactly 1", won)
		}
	})

	h.run(t, "ConsumeOverlappingSets", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		c := customer("C")
		sr := insert(t, s, org, newSeries(c, rng("V1000", "V1999"), "I"))
		// Goroutine i consumes 8 numbers spread so that neighbours overlap.
		sets := make([][]string, n)
		for i := range n {
			for k := range 8 {
				sets[i] = append(sets[i], fmt.Sprintf("V%d", 1000+(i*3+k*5)%200))
			}
		}
		errs := make([]error, n)
		together(n, func(i int) {
			_, errs[i] = s.MarkNumbers(ctx(t), org, markReq(series.Consume, c, fmt.Sprint(i), sets[i]...))
		})
		owner := map[string]int{}
		for i, err := range errs {
			if err != nil {
				if fault.ReasonOf(err) != series.ReasonNumberUsed {
					t.Errorf("goroutine %d: %v", i, err)
				}
				continue
			}
			for _, num := range sets[i] {
				if j, dup := owner[num]; dup && j != i {
					t.Fatalf("%s was consumed by both %d and %d", num, j, i)
				}
				owner[num] = i
			}
		}
		for num, i := range owner {
			if st, ref := stateOf(t, s, org, num); st != series.Used || ref != fmt.Sprint(i) {
				t.Fatalf("%s = %s %q, want used by %d", num, st, ref, i)
			}
		}
		if st := stockOf(t, s, org, sr.ID); st.Used != uint64(len(owner)) {
			t.Fatalf("used = %d, want %d", st.Used, len(owner))
		}
	})

	h.run(t, "ConsumeAgainstDraw", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		c := customer("C")
		sr := insert(t, s, org, newSeries(c, rng("V1000", "V1399"), "I"))
		var mu sync.Mutex
		took := map[string]string{}
		defer func() {
			// The series' counts of marks stayed in step with every race.
			if st := stockOf(t, s, org, sr.ID); st.Used != uint64(len(took)) || st.Available != 400-uint64(len(took)) {
				t.Errorf("stock = %+v, but %d numbers were handed out", st, len(took))
			}
		}()

		claim := func(num, by string) {
			mu.Lock()
			defer mu.Unlock()
			if prev, dup := took[num]; dup {
				t.Errorf("%s was handed out to %s and to %s", num, prev, by)
			}
			took[num] = by
		}
		together(n, func(i int) {
			for k := range 10 {
				if i%2 == 0 {
					ds, err := s.DrawNext(ctx(t), org, ports.DrawQuery{Owner: c, ItemCode: "I", Count: 2})
					if err != nil {
						t.Errorf("draw: %v", err)
						return
					}
					for _, d := range ds {
						cnt, _ := d.Range.Count().Uint64()
						for j := range cnt {
							x, _ := d.Range.First().Add(j)
							claim(x.String(), fmt.Sprintf("draw %d", i))
						}
					}
					continue
				}
				num := fmt.Sprintf("V%d", 1000+(i*7+k*3)%(n*3))
				_, err := s.MarkNumbers(ctx(t), org, markReq(series.Consume, c, "", num))
				switch {
				case err == nil:
					claim(num, fmt.Sprintf("consume %d", i))
				case fault.ReasonOf(err) != series.ReasonNumberUsed:
					t.Errorf("consume %s: %v", num, err)
				}
			}
		})
	})
}

// scaleSize and scaleUsed are the scale case's series size and scattered
// consumed numbers: the 1,000,000 and 100,000.
const (
	scaleSize = 1_000_000
	scaleUsed = 100_000
)

// numbersScale consumes 100,000 scattered numbers of a 1,000,000-number
// series, then checks that consume, release, lookup, draw and the stock
// report stay correct; it logs how long each took.
func (h harness) numbersScale(t *testing.T) {
	h.run(t, "MillionNumbers", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		c := customer("C")
		sr := insert(t, s, org, newSeries(c, rng("S0000000", "S0999999"), "I"))
		// Every 10th number, with a stride so that runs are never adjacent:
		// offset 10k+3 for k < 100,000.
		start := time.Now()
		for batch := range scaleUsed / series.MaxMark {
			nums := make([]string, 0, series.MaxMark)
			for k := batch * series.MaxMark; k < (batch+1)*series.MaxMark; k++ {
				nums = append(nums, fmt.Sprintf("S%07d", 10*k+3))
			}
			must(t, errOnly(s.MarkNumbers(ctx(t), org, markReq(series.Consume, c, "", nums...))), "consume a batch")
		}
		t.Logf("consumed %d scattered numbers in %v", scaleUsed, time.Since(start))

		timed := func(what string, f func()) {
			t.Helper()
			start := time.Now()
			f()
			t.Logf("%s: %v", what, time.Since(start))
		}
		timed("stock report", func() {
			if st := stockOf(t, s, org, sr.ID); st.Used != scaleUsed || st.Available != scaleSize-scaleUsed {
				t.Fatalf("stock = %+v", st)
			}
		})
		timed("lookup", func() {
			if st, _ := stateOf(t, s, org, "S0500003"); st != series.Used {
				t.Fatalf("S0500003 = %s", st)
			}
		})
		timed("consume one", func() {
			must(t, errOnly(s.MarkNumbers(ctx(t), org, markReq(series.Consume, c, "", "S0500004"))), "consume")
		})
		timed("release one", func() {
			must(t, errOnly(s.MarkNumbers(ctx(t), org, markReq(series.Release, c, "", "S0500003"))), "release")
		})
		timed("draw 1000", func() {
			got := drawAll(t, s, org, c, 1000)
			// 0, 1, 2, 4, ..., skipping every offset 10k+3.
			if len(got) != 1000 || got[3] != "S0000004" || slices.Contains(got, "S0000013") || got[999] != "S0001110" {
				t.Fatalf("draw = %v…%v", got[:5], got[len(got)-3:])
			}
		})
		timed("draw 10000", func() {
			if got := drawAll(t, s, org, c, 10_000); len(got) != 10_000 || slices.Contains(got, "S0001113") {
				t.Fatalf("draw of 10,000 handed out a consumed number")
			}
		})
	})
}
