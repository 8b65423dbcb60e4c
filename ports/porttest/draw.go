package porttest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// runs renders drawn runs as "id:FIRST-LAST" for comparison.
func runs(ds []series.Drawn) string {
	var b strings.Builder
	for i, d := range ds {
		if i > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "%d:%s", d.SeriesID, d.Range)
	}
	return b.String()
}

// drawn returns how many numbers series id has had drawn.
func drawnOf(t *testing.T, s ports.Store, org tenant.OrgID, id int64) uint64 {
	t.Helper()
	sr, err := s.SeriesByID(ctx(t), org, id)
	must(t, err, "SeriesByID")
	return sr.Drawn
}

func (h harness) draw(t *testing.T) {
	h.run(t, "OldestFirstAcrossSeries", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		// Inserted first, so older, although its numbers are higher.
		s1 := insert(t, s, org, newSeries(customer("C"), rng("V101", "V105"), "I"))
		s2 := insert(t, s, org, newSeries(customer("C"), rng("V001", "V005"), "I"))
		q := ports.DrawQuery{Owner: customer("C"), ItemCode: "I", Count: 3}
		got, err := s.DrawNext(ctx(t), org, q)
		must(t, err, "DrawNext")
		if want := fmt.Sprintf("%d:V101-V103", s1.ID); runs(got) != want {
			t.Fatalf("first draw = %s, want %s", runs(got), want)
		}
		q.Count = 4
		got, err = s.DrawNext(ctx(t), org, q)
		must(t, err, "DrawNext")
		if want := fmt.Sprintf("%d:V104-V105 %d:V001-V002", s1.ID, s2.ID); runs(got) != want {
			t.Fatalf("spanning draw = %s, want %s", runs(got), want)
		}
		if d1, d2 := drawnOf(t, s, org, s1.ID), drawnOf(t, s, org, s2.ID); d1 != 5 || d2 != 2 {
			t.Fatalf("drawn = %d and %d, want 5 and 2", d1, d2)
		}
		sr, err := s.SeriesByID(ctx(t), org, s2.ID)
		must(t, err, "SeriesByID")
		if next, ok := sr.Next(); !ok || next.String() != "V003" {
			t.Fatalf("next available = %v %v, want V003", next, ok)
		}
	})
	h.run(t, "ExhaustedDrawsNothing", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		s1 := insert(t, s, org, newSeries(customer("C"), rng("V001", "V003"), "I"))
		s2 := insert(t, s, org, newSeries(customer("C"), rng("V011", "V012"), "I"))
		q := ports.DrawQuery{Owner: customer("C"), ItemCode: "I", Count: 6}
		_, err := s.DrawNext(ctx(t), org, q)
		wantFault(t, err, fault.Conflict, series.ReasonExhausted)
		if d1, d2 := drawnOf(t, s, org, s1.ID), drawnOf(t, s, org, s2.ID); d1 != 0 || d2 != 0 {
			t.Fatalf("a failed draw drew %d and %d numbers", d1, d2)
		}
		q.Count = 5
		got, err := s.DrawNext(ctx(t), org, q)
		must(t, err, "DrawNext of exactly the stock")
		if want := fmt.Sprintf("%d:V001-V003 %d:V011-V012", s1.ID, s2.ID); runs(got) != want {
			t.Fatalf("draw = %s, want %s", runs(got), want)
		}
		q.Count = 1
		_, err = s.DrawNext(ctx(t), org, q)
		wantFault(t, err, fault.Conflict, series.ReasonExhausted)
		_, err = s.DrawNext(ctx(t), org, ports.DrawQuery{Owner: customer("nobody"), ItemCode: "I", Count: 1})
		wantFault(t, err, fault.Conflict, series.ReasonExhausted)
	})
	h.run(t, "OnlyTheOwnersItem", func(t *testing.T, s ports.Store) {
		a, b := mkOrg(t, s, "a"), mkOrg(t, s, "b")
		insert(t, s, a, newSeries(customer("D"), rng("V001", "V010"), "I")) // another customer
		insert(t, s, a, newSeries(hub("C"), rng("V011", "V020"), "I"))      // a hub with the code
		insert(t, s, a, newSeries(customer("C"), rng("V021", "V030"), "J")) // another item
		insert(t, s, b, newSeries(customer("C"), rng("V001", "V010"), "I")) // another organisation
		mine := insert(t, s, a, newSeries(customer("C"), rng("V031", "V032"), "I"))
		del := insert(t, s, a, newSeries(customer("C"), rng("V041", "V050"), "I"))
		must(t, s.DeleteSeries(ctx(t), a, []int64{del.ID}, base), "DeleteSeries") // deleted
		got, err := s.DrawNext(ctx(t), a, ports.DrawQuery{Owner: customer("C"), ItemCode: "I", Count: 2})
		must(t, err, "DrawNext")
		if want := fmt.Sprintf("%d:V031-V032", mine.ID); runs(got) != want {
			t.Fatalf("draw = %s, want %s", runs(got), want)
		}
		_, err = s.DrawNext(ctx(t), a, ports.DrawQuery{Owner: customer("C"), ItemCode: "I", Count: 1})
		wantFault(t, err, fault.Conflict, series.ReasonExhausted)
		got, err = s.DrawNext(ctx(t), a, ports.DrawQuery{Owner: hub("C"), ItemCode: "I", Count: 1})
		must(t, err, "DrawNext for the hub")
		if runs(got) == "" || got[0].Range.First().String() != "V011" {
			t.Fatalf("hub draw = %s, want V011", runs(got))
		}
	})
	h.run(t, "ServiceType", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		exp := insert(t, s, org, newSeries(customer("C"), rng("V001", "V010"), "I", "EXP"))
		std := insert(t, s, org, newSeries(customer("C"), rng("V101", "V110"), "I", "STD", "EXP"))
		got, err := s.DrawNext(ctx(t), org, ports.DrawQuery{Owner: customer("C"), ItemCode: "I", ServiceType: "STD", Count: 2})
		must(t, err, "DrawNext STD")
		if want := fmt.Sprintf("%d:V101-V102", std.ID); runs(got) != want {
			t.Fatalf("STD draw = %s, want %s", runs(got), want)
		}
		got, err = s.DrawNext(ctx(t), org, ports.DrawQuery{Owner: customer("C"), ItemCode: "I", ServiceType: "EXP", Count: 11})
		must(t, err, "DrawNext EXP")
		if want := fmt.Sprintf("%d:V001-V010 %d:V103-V103", exp.ID, std.ID); runs(got) != want {
			t.Fatalf("EXP draw = %s, want %s", runs(got), want)
		}
		_, err = s.DrawNext(ctx(t), org, ports.DrawQuery{Owner: customer("C"), ItemCode: "I", ServiceType: "NONE", Count: 1})
		wantFault(t, err, fault.Conflict, series.ReasonExhausted)
		got, err = s.DrawNext(ctx(t), org, ports.DrawQuery{Owner: customer("C"), ItemCode: "I", Count: 1})
		must(t, err, "DrawNext without a service type")
		if want := fmt.Sprintf("%d:V104-V104", std.ID); runs(got) != want {
			t.Fatalf("draw = %s, want %s", runs(got), want)
		}
	})
	h.run(t, "TwentyDigits", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		sr := insert(t, s, org, newSeries(customer("C"), rng("18446744073709551614", "18446744073709551625"), "SIM"))
		got, err := s.DrawNext(ctx(t), org, ports.DrawQuery{Owner: customer("C"), ItemCode: "SIM", Count: 3})
		must(t, err, "DrawNext")
		// 18446744073709551615 is the largest uint64; the run crosses it.
		if want := fmt.Sprintf("%d:18446744073709551614-18446744073709551616", sr.ID); runs(got) != want {
			t.Fatalf("draw = %s, want %s", runs(got), want)
		}
	})
}
