package porttest

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/allot-io/allot/ports"
)

func (h harness) attempts(t *testing.T) {
	w := base.Truncate(time.Minute)
	h.run(t, "ReserveReleaseClear", func(t *testing.T, s ports.Store) {
		for want := 1; want <= 3; want++ {
			n, err := s.ReserveAttempt(ctx(t), "a", w, w.Add(-time.Hour))
			must(t, err, "ReserveAttempt")
			if n != want {
				t.Fatalf("ReserveAttempt #%d = %d", want, n)
			}
		}
		// Another key and another window count apart.
		if n, err := s.ReserveAttempt(ctx(t), "b", w, w.Add(-time.Hour)); err != nil || n != 1 {
			t.Fatalf("ReserveAttempt(b) = %d, %v", n, err)
		}
		if n, err := s.ReserveAttempt(ctx(t), "a", w.Add(time.Minute), w.Add(-time.Hour)); err != nil || n != 1 {
			t.Fatalf("ReserveAttempt(a, next window) = %d, %v", n, err)
		}
		must(t, s.ReleaseAttempt(ctx(t), "a", w), "ReleaseAttempt")
		if n, err := s.AttemptCount(ctx(t), "a", w); err != nil || n != 2 {
			t.Fatalf("AttemptCount after release = %d, %v", n, err)
		}
		must(t, s.ClearAttempts(ctx(t), "a"), "ClearAttempts")
		for _, win := range []time.Time{w, w.Add(time.Minute)} {
			if n, err := s.AttemptCount(ctx(t), "a", win); err != nil || n != 0 {
				t.Fatalf("AttemptCount after clear = %d, %v", n, err)
			}
		}
		if n, err := s.AttemptCount(ctx(t), "b", w); err != nil || n != 1 {
			t.Fatalf("clearing a changed b: %d, %v", n, err)
		}
		// Releasing never goes below zero.
		must(t, s.ReleaseAttempt(ctx(t), "never", w), "ReleaseAttempt")
	})
	h.run(t, "Forget", func(t *testing.T, s ports.Store) {
		old := w.Add(-2 * time.Hour)
		_, err := s.ReserveAttempt(ctx(t), "old", old, old.Add(-time.Hour))
		must(t, err, "ReserveAttempt")
		_, err = s.ReserveAttempt(ctx(t), "new", w, w.Add(-time.Hour))
		must(t, err, "ReserveAttempt")
		if n, err := s.AttemptCount(ctx(t), "old", old); err != nil || n != 0 {
			t.Fatalf("a window before forgetBefore was kept: %d, %v", n, err)
		}
	})
	h.run(t, "ConcurrentReserveGetsDistinctCounts", func(t *testing.T, s ports.Store) {
		const n = 40
		counts := make([]int, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { counts[i], errs[i] = s.ReserveAttempt(ctx(t), "hot", w, w.Add(-time.Hour)) })
		}
		wg.Wait()
		for _, err := range errs {
			must(t, err, "ReserveAttempt")
		}
		slices.Sort(counts)
		for i, c := range counts {
			if c != i+1 {
				t.Fatalf("concurrent counts = %v, want 1..%d each once", counts, n)
			}
		}
	})
}
