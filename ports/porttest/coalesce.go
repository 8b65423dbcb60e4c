package porttest

import (
	"sync"
	"testing"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/ports"
)

// RunCoalescedDraws checks a layer that merges concurrent draws (coalesce
// returns it in front of a store) against a real store: draws from many
// goroutines, through two such layers at once as two processes would use,
// hand out every number of the owner's stock once, in series order, with
// none skipped, and the series' counters equal the numbers handed out;
// draws that exhaust the stock midway fail alone; draws of different owners
// stay apart. newStore is as for RunStore.
func RunCoalescedDraws(t *testing.T, newStore func(t *testing.T) ports.Store, coalesce func(ports.SeriesStore) ports.SeriesStore) {
	t.Run("HotOwnerEveryNumberOnce", func(t *testing.T) {
		s := newStore(t)
		org := mkOrg(t, s, "acme")
		// Two series, so that merged draws cross from one to the next.
		s1 := insert(t, s, org, newSeries(customer("C"), rng("V000001", "V000700"), "I"))
		s2 := insert(t, s, org, newSeries(customer("C"), rng("V001001", "V002000"), "I"))
		layers := []ports.SeriesStore{coalesce(s), coalesce(s)}
		const goroutines, each = 24, 20
		got := make([][]string, goroutines)
		var asked uint64
		var mu sync.Mutex
		var wg sync.WaitGroup
		for g := range goroutines {
			wg.Add(1)
			go func() {
				defer wg.Done()
				layer := layers[g%len(layers)]
				for i := range each {
					n := uint64(1 + (g+i)%3)
					ds, err := layer.DrawNext(ctx(t), org, ports.DrawQuery{Owner: customer("C"), ItemCode: "I", Count: n, Actor: "test"})
					if err != nil {
						t.Errorf("DrawNext(%d): %v", n, err)
						return
					}
					nums := numbersOf(t, ds)
					if uint64(len(nums)) != n {
						t.Errorf("DrawNext(%d) handed out %d numbers: %s", n, len(nums), runs(ds))
					}
					got[g] = append(got[g], nums...)
					mu.Lock()
					asked += n
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if t.Failed() {
			return
		}
		seen := map[string]bool{}
		for _, ns := range got {
			for _, n := range ns {
				if seen[n] {
					t.Fatalf("%s handed out twice", n)
				}
				seen[n] = true
			}
		}
		if uint64(len(seen)) != asked {
			t.Fatalf("%d numbers handed out, %d asked for", len(seen), asked)
		}
		// None skipped: what was handed out is the stock's first numbers.
		stock := append(numbersOf(t, []series.Drawn{{Range: s1.Range}}), numbersOf(t, []series.Drawn{{Range: s2.Range}})...)
		for i, n := range stock[:asked] {
			if !seen[n] {
				t.Fatalf("%s (number %d of the stock) was skipped", n, i+1)
			}
		}
		if d := drawnOf(t, s, org, s1.ID) + drawnOf(t, s, org, s2.ID); d != asked {
			t.Fatalf("the series count %d drawn, %d were handed out", d, asked)
		}
	})
	t.Run("ExhaustedMidwayFailsAlone", func(t *testing.T) {
		s := newStore(t)
		org := mkOrg(t, s, "acme")
		sr := insert(t, s, org, newSeries(customer("C"), rng("V001", "V010"), "I"))
		layer := coalesce(s)
		const racers = 8
		errs := make([]error, racers)
		var wg sync.WaitGroup
		for i := range racers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = layer.DrawNext(ctx(t), org, ports.DrawQuery{Owner: customer("C"), ItemCode: "I", Count: 3})
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case fault.ReasonOf(err) != series.ReasonExhausted:
				t.Fatalf("DrawNext: %v, want success or %s", err, series.ReasonExhausted)
			}
		}
		// 10 numbers serve three draws of 3 whatever the batching.
		if ok != 3 {
			t.Fatalf("%d draws of 3 succeeded on a stock of 10, want 3", ok)
		}
		if d := drawnOf(t, s, org, sr.ID); d != 9 {
			t.Fatalf("drawn = %d, want 9", d)
		}
	})
	t.Run("OwnersApart", func(t *testing.T) {
		s := newStore(t)
		org := mkOrg(t, s, "acme")
		insert(t, s, org, newSeries(customer("A"), rng("V001", "V100"), "I"))
		insert(t, s, org, newSeries(customer("B"), rng("W001", "W100"), "I"))
		layer := coalesce(s)
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				owner, prefix := "A", "V"
				if i%2 == 1 {
					owner, prefix = "B", "W"
				}
				ds, err := layer.DrawNext(ctx(t), org, ports.DrawQuery{Owner: customer(owner), ItemCode: "I", Count: 2})
				if err != nil {
					t.Errorf("DrawNext(%s): %v", owner, err)
					return
				}
				for _, n := range numbersOf(t, ds) {
					if n[:1] != prefix {
						t.Errorf("owner %s got %s", owner, n)
					}
				}
			}()
		}
		wg.Wait()
	})
}

// numbersOf lists every number of ds, in order.
func numbersOf(t *testing.T, ds []series.Drawn) []string {
	t.Helper()
	var out []string
	for _, d := range ds {
		size, ok := d.Range.Count().Uint64()
		if !ok {
			t.Fatalf("run %s too large", d.Range)
		}
		for i := range size {
			r, ok := d.Range.Slice(i, 1)
			if !ok {
				t.Fatalf("run %s has no number %d", d.Range, i)
			}
			out = append(out, r.First().String())
		}
	}
	return out
}
