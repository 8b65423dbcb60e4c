package porttest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/token"
	"github.com/allot-io/allot/ports"
)

// together runs f(0..n-1) on n goroutines released at once, so that they
// really race, and waits for all of them.
func together(n int, f func(i int)) {
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			f(i)
		})
	}
	close(start)
	wg.Wait()
}

func (h harness) concurrent(t *testing.T) {
	n := h.opts.concurrency()

	// Goroutines 2p and 2p+1 insert ranges that overlap each other and no
	// other pair's, so exactly one of each pair must win, whatever the
	// order: the expected result is exact.
	h.run(t, "InsertNoOverlap", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		errs := make([]error, n)
		together(n, func(i int) {
			p := i / 2
			lo := p*100 + 1 + (i%2)*5 // [p01..p10] and [p06..p15]
			owner := customer(fmt.Sprintf("C%d", i))
			typ := series.Virtual
			if i%2 == 1 {
				owner, typ = hub(fmt.Sprintf("H%d", i)), series.Physical
			}
			r := rng(fmt.Sprintf("R%06d", lo), fmt.Sprintf("R%06d", lo+9))
			_, errs[i] = s.InsertSeries(ctx(t), org, series.Series{Owner: owner, Type: typ, Range: r, ItemCode: "I"})
		})
		winners := 0
		for p := 0; 2*p < n; p++ {
			won := 0
			for i := 2 * p; i < min(2*p+2, n); i++ {
				switch err := errs[i]; {
				case err == nil:
					won++
				case fault.CodeOf(err) != fault.Conflict || fault.ReasonOf(err) != series.ReasonOverlap:
					t.Errorf("goroutine %d: got %v, want success or Conflict %s", i, err, series.ReasonOverlap)
				}
			}
			if won != 1 {
				t.Errorf("pair %d: %d inserts won, want exactly 1", p, won)
			}
			winners += won
		}
		list, total, err := s.ListSeries(ctx(t), org, ports.SeriesQuery{Query: ports.Query{Limit: 1000}})
		must(t, err, "ListSeries")
		if total != winners || len(list) != winners {
			t.Fatalf("stored %d series (total %d), want the %d winners", len(list), total, winners)
		}
		for i := range list {
			for j := i + 1; j < len(list); j++ {
				if list[i].Range.Overlaps(list[j].Range) {
					t.Errorf("stored series %s and %s overlap", list[i].Range, list[j].Range)
				}
			}
		}
	})

	// n goroutines each draw k numbers from a stock of exactly n*k spread
	// over three series: every number is drawn once, none is lost, and the
	// stock is then exhausted.
	h.run(t, "DrawNoDuplicates", func(t *testing.T, s ports.Store) {
		const k = 5
		org := mkOrg(t, s, "acme")
		owner := customer("C")
		total := n * k
		sizes := []int{total / 2, total / 4, total - total/2 - total/4}
		stock := map[string]bool{}
		lo := 1
		for _, size := range sizes {
			if size == 0 {
				continue
			}
			r := rng(fmt.Sprintf("D%06d", lo), fmt.Sprintf("D%06d", lo+size-1))
			insert(t, s, org, newSeries(owner, r, "I"))
			for i := range size {
				stock[fmt.Sprintf("D%06d", lo+i)] = true
			}
			lo += size + 1000
		}
		got := make([][]series.Drawn, n)
		errs := make([]error, n)
		together(n, func(i int) {
			got[i], errs[i] = s.DrawNext(ctx(t), org, ports.DrawQuery{Owner: owner, ItemCode: "I", Count: k})
		})
		seen := map[string]int{}
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("goroutine %d: %v", i, errs[i])
			}
			count := 0
			for _, d := range got[i] {
				c, _ := d.Range.Count().Uint64()
				for j := range c {
					num, _ := d.Range.First().Add(j)
					if !stock[num.String()] {
						t.Fatalf("goroutine %d drew %s, which is not in the stock", i, num)
					}
					if prev, dup := seen[num.String()]; dup {
						t.Fatalf("%s drawn twice, by goroutines %d and %d", num, prev, i)
					}
					seen[num.String()] = i
					count++
				}
			}
			if count != k {
				t.Fatalf("goroutine %d drew %d numbers, want %d", i, count, k)
			}
		}
		if len(seen) != total {
			t.Fatalf("%d numbers drawn, want all %d", len(seen), total)
		}
		_, err := s.DrawNext(ctx(t), org, ports.DrawQuery{Owner: owner, ItemCode: "I", Count: 1})
		wantFault(t, err, fault.Conflict, series.ReasonExhausted)
	})

	h.run(t, "ReserveOneWinner", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		fresh := make([]bool, n)
		errs := make([]error, n)
		together(n, func(i int) {
			rec := ports.IdempotencyRecord{Key: "same", Fingerprint: []byte(fmt.Sprint(i)), CreatedAt: base}
			_, fresh[i], errs[i] = s.ReserveIdempotencyKey(ctx(t), org, rec, base.Add(-1))
		})
		won := 0
		for i := range n {
			must(t, errs[i], "ReserveIdempotencyKey")
			if fresh[i] {
				won++
			}
		}
		if won != 1 {
			t.Fatalf("%d concurrent reservations of one key won, want exactly 1", won)
		}
	})

	h.run(t, "ConsumeTokenOnce", func(t *testing.T, s ports.Store) {
		racers := h.opts.tokenRacers()
		org := mkOrg(t, s, "acme")
		d := saveToken(t, s, org, "contended", base)
		errs := make([]error, racers)
		together(racers, func(i int) {
			_, errs[i] = s.ConsumeToken(ctx(t), d, base.Add(time.Minute))
		})
		won := 0
		for i, err := range errs {
			switch {
			case err == nil:
				won++
			case fault.CodeOf(err) != fault.Unauthorized || fault.ReasonOf(err) != token.ReasonUsed:
				t.Errorf("goroutine %d: got %v, want success or Unauthorized %s", i, err, token.ReasonUsed)
			}
		}
		if won != 1 {
			t.Fatalf("%d of %d concurrent consumptions of one token succeeded, want exactly 1", won, racers)
		}
	})

	// Goroutine i opens account Pi with lines Pi and SHARED: exactly one
	// request gets SHARED, and the others write nothing, not even their
	// own, uncontended account and line.
	h.run(t, "CreateEnrollmentOnce", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		issue(t, s, org, "SHARED")
		es := make([]ports.NewEnrollment, n)
		parents := make([]string, n)
		for i := range n {
			parents[i] = fmt.Sprintf("P%d", i)
			issue(t, s, org, parents[i])
			es[i] = newEnrollment(t, parents[i], attached(parents[i]), queued("SHARED"))
		}
		errs := make([]error, n)
		together(n, func(i int) {
			_, _, errs[i] = s.CreateEnrollment(ctx(t), org, es[i])
		})
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil:
				if winner >= 0 {
					t.Fatalf("goroutines %d and %d both created a line for SHARED", winner, i)
				}
				winner = i
			case fault.CodeOf(err) != fault.Conflict || fault.ReasonOf(err) != enrollment.ReasonEnrollmentIDUsed:
				t.Errorf("goroutine %d: got %v, want success or Conflict %s", i, err, enrollment.ReasonEnrollmentIDUsed)
			}
		}
		if winner < 0 {
			t.Fatal("no request created a line for SHARED")
		}
		list, err := s.ListAccounts(ctx(t), org, ports.Query{Limit: 1000})
		must(t, err, "ListAccounts")
		if len(list) != 1 || list[0].ParentEnrollmentID != parents[winner] || len(list[0].Lines) != 2 {
			t.Fatalf("stored accounts %+v, want only the winner's %s with its 2 lines", list, parents[winner])
		}
		u := used(t, s, org, parents...)
		for i, p := range parents {
			if u[p] != (i == winner) {
				t.Fatalf("enrollment id %s used = %v; only the winner's %s may be", p, u[p], parents[winner])
			}
		}
		q, err := s.ProvisioningQueue(ctx(t), org)
		must(t, err, "ProvisioningQueue")
		if len(q) != 1 || q[0] != list[0].Lines[1].CustomerID {
			t.Fatalf("ProvisioningQueue = %v, want only the winner's SHARED line", q)
		}
	})
}
