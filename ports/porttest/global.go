package porttest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// drawnNumbers lists the numbers of ds one by one, as clients see them.
func drawnNumbers(ds []series.Drawn) []string {
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

// span lists the numbers prefix+lo .. prefix+hi, zero-padded to 6 digits.
func span(prefix string, lo, hi int) []string {
	var out []string
	for i := lo; i <= hi; i++ {
		out = append(out, fmt.Sprintf("%s%06d", prefix, i))
	}
	return out
}

// globalPools covers series of the organisation's global pool and the
// customers that draw from it once their own stock is exhausted.
func (h harness) globalPools(t *testing.T) {
	h.run(t, "CustomerFlag", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		c, err := s.AddCustomer(ctx(t), org, tenant.Customer{Code: "C", Name: "C", UseGlobal: true})
		must(t, err, "AddCustomer")
		if !c.UseGlobal {
			t.Fatal("AddCustomer dropped UseGlobal")
		}
		_, err = s.AddCustomer(ctx(t), org, tenant.Customer{Code: "D", Name: "D"})
		must(t, err, "AddCustomer D")
		got, err := s.Customer(ctx(t), org, "C")
		must(t, err, "Customer")
		if !got.UseGlobal {
			t.Fatal("Customer C: UseGlobal not stored")
		}
		got, err = s.SetCustomerUseGlobal(ctx(t), org, "C", false)
		must(t, err, "SetCustomerUseGlobal")
		if got.UseGlobal || got.Code != "C" {
			t.Fatalf("SetCustomerUseGlobal(false) = %+v", got)
		}
		_, err = s.SetCustomerUseGlobal(ctx(t), org, "D", true)
		must(t, err, "SetCustomerUseGlobal D")
		list, err := s.ListCustomers(ctx(t), org, ports.CustomerQuery{})
		must(t, err, "ListCustomers")
		if len(list) != 2 || list[0].UseGlobal || !list[1].UseGlobal {
			t.Fatalf("ListCustomers = %+v, want C without and D with the flag", list)
		}
		_, err = s.SetCustomerUseGlobal(ctx(t), org, "NOPE", true)
		wantFault(t, err, fault.NotFound, tenant.ReasonNotFound)
		// Another organisation's customer of the same code is not touched.
		other := mkOrg(t, s, "other")
		_, err = s.SetCustomerUseGlobal(ctx(t), other, "D", false)
		wantFault(t, err, fault.NotFound, tenant.ReasonNotFound)
	})

	h.run(t, "GlobalSeries", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		g := insert(t, s, org, newSeries(series.GlobalPool, rng("G000001", "G000010"), "I"))
		insert(t, s, org, newSeries(customer("C"), rng("C000001", "C000010"), "I"))
		got, err := s.SeriesByID(ctx(t), org, g.ID)
		must(t, err, "SeriesByID")
		if got.Owner != series.GlobalPool {
			t.Fatalf("owner = %+v, want the global pool", got.Owner)
		}
		list, total, err := s.ListSeries(ctx(t), org, ports.SeriesQuery{Global: true})
		must(t, err, "ListSeries")
		if total != 1 || len(list) != 1 || list[0].ID != g.ID {
			t.Fatalf("global series = %+v (total %d)", list, total)
		}
		// Global ranges obey the one no-overlap rule of the organisation.
		_, err = s.InsertSeries(ctx(t), org, newSeries(customer("C"), rng("G000005", "G000020"), "I"))
		wantFault(t, err, fault.Conflict, series.ReasonOverlap)
		// A global pool has a threshold like any owner.
		must(t, s.SetThreshold(ctx(t), org, series.Threshold{Owner: series.GlobalPool, ItemCode: "I", Level: 10}), "SetThreshold")
		if st := stockOf(t, s, org, g.ID); !st.Low || st.Available != 10 {
			t.Fatalf("global stock = %+v, want 10 available and low", st)
		}
	})

	h.run(t, "DrawOwnThenGlobal", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		c := customer("C")
		insert(t, s, org, newSeries(c, rng("C000001", "C000005"), "I"))
		// Oldest global series first: G1 was allotted before G2, although
		// its numbers come later.
		g1 := insert(t, s, org, newSeries(series.GlobalPool, rng("G000101", "G000104"), "I"))
		g2 := insert(t, s, org, newSeries(series.GlobalPool, rng("G000001", "G000010"), "I", "EXPRESS"))
		insert(t, s, org, newSeries(series.GlobalPool, rng("H000001", "H000100"), "OTHER"))
		q := ports.DrawQuery{Owner: c, ItemCode: "I", Count: 7, UseGlobal: true, Actor: "cli:test"}

		ds, err := s.DrawNext(ctx(t), org, q)
		must(t, err, "DrawNext")
		want := append(span("C", 1, 5), span("G", 101, 102)...)
		if got := drawnNumbers(ds); !slices.Equal(got, want) {
			t.Fatalf("drew %v, want own stock then the oldest global series: %v", got, want)
		}
		// Without the flag the owner's own stock is all there is.
		_, err = s.DrawNext(ctx(t), org, ports.DrawQuery{Owner: c, ItemCode: "I", Count: 1})
		wantFault(t, err, fault.Conflict, series.ReasonExhausted)
		// More than the global pool holds: nothing is drawn.
		q.Count = 13
		_, err = s.DrawNext(ctx(t), org, q)
		wantFault(t, err, fault.Conflict, series.ReasonExhausted)
		if st := stockOf(t, s, org, g1.ID); st.Used != 2 {
			t.Fatalf("a refused draw changed the global series: %+v", st)
		}
		// A service type picks among the global series too.
		q.Count, q.ServiceType = 3, "EXPRESS"
		ds, err = s.DrawNext(ctx(t), org, q)
		must(t, err, "DrawNext EXPRESS")
		if got := drawnNumbers(ds); !slices.Equal(got, span("G", 1, 3)) {
			t.Fatalf("EXPRESS drew %v, want G000001-G000003", got)
		}
		q.Count, q.ServiceType = 3, ""
		ds, err = s.DrawNext(ctx(t), org, q)
		must(t, err, "DrawNext across global series")
		want = []string{"G000103", "G000104", "G000004"}
		if got := drawnNumbers(ds); !slices.Equal(got, want) {
			t.Fatalf("drew %v, want %v", got, want)
		}
		// Every global draw is in the global series' history, by its actor.
		es, _, err := s.History(ctx(t), org, ports.HistoryQuery{SeriesID: g2.ID})
		must(t, err, "History")
		var drawn uint64
		for _, e := range es {
			if e.Action == series.ActionDraw {
				drawn += e.Count
				if e.Actor != "cli:test" {
					t.Fatalf("draw entry by %q", e.Actor)
				}
			}
		}
		if drawn != 4 {
			t.Fatalf("history of G2 records %d numbers drawn, want 4", drawn)
		}
	})
}

// globalConcurrent races draws of two flagged customers whose own stock
// together with the shared global pool is exactly what they ask for: every
// number is drawn once, and then the stock is exhausted.
func (h harness) globalConcurrent(t *testing.T) {
	n := h.opts.concurrency()
	h.run(t, "DrawOwnThenGlobal", func(t *testing.T, s ports.Store) {
		const k = 4
		org := mkOrg(t, s, "acme")
		owners := []series.Owner{customer("C"), customer("D")}
		per := n / 2 * k / 2 // each customer's own stock: half of its demand
		stock := map[string]bool{}
		add := func(owner series.Owner, prefix string, lo, size int) {
			if size == 0 {
				return
			}
			insert(t, s, org, newSeries(owner, rng(fmt.Sprintf("%s%06d", prefix, lo), fmt.Sprintf("%s%06d", prefix, lo+size-1)), "I"))
			for _, x := range span(prefix, lo, lo+size-1) {
				stock[x] = true
			}
		}
		for i, o := range owners {
			prefix := string(rune('C' + i))
			add(o, prefix, 1, per/2)
			add(o, prefix, 1001, per-per/2)
		}
		demand := (n / 2) * 2 * k
		global := demand - 2*per
		add(series.GlobalPool, "G", 1, global/2)
		add(series.GlobalPool, "G", 5001, global-global/2)
		got := make([][]series.Drawn, n/2*2)
		errs := make([]error, len(got))
		together(len(got), func(i int) {
			got[i], errs[i] = s.DrawNext(ctx(t), org, ports.DrawQuery{Owner: owners[i%2], ItemCode: "I", Count: k, UseGlobal: true})
		})
		seen := map[string]int{}
		for i := range got {
			if errs[i] != nil {
				t.Fatalf("goroutine %d: %v", i, errs[i])
			}
			nums := drawnNumbers(got[i])
			if len(nums) != k {
				t.Fatalf("goroutine %d drew %d numbers, want %d", i, len(nums), k)
			}
			own := string(rune('C' + i%2))
			for _, x := range nums {
				if !stock[x] {
					t.Fatalf("goroutine %d drew %s, which is not in the stock", i, x)
				}
				if x[:1] != own && x[:1] != "G" {
					t.Fatalf("goroutine %d (customer %s) drew %s of the other customer", i, own, x)
				}
				if prev, dup := seen[x]; dup {
					t.Fatalf("%s drawn twice, by goroutines %d and %d", x, prev, i)
				}
				seen[x] = i
			}
		}
		if len(seen) != len(stock) {
			t.Fatalf("%d numbers drawn, want all %d", len(seen), len(stock))
		}
		for _, o := range owners {
			_, err := s.DrawNext(ctx(t), org, ports.DrawQuery{Owner: o, ItemCode: "I", Count: 1, UseGlobal: true})
			wantFault(t, err, fault.Conflict, series.ReasonExhausted)
		}
	})
}
