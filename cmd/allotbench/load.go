package main

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"
)

// worker performs one operation per call; i counts the calls of one
// client from 0. It returns an error when the operation did not succeed.
type worker func(ctx context.Context, i int) error

// loadResult is what a closed-loop phase measured.
type loadResult struct {
	clients  int
	ops      int64 // successful operations that completed in the window
	errors   int64 // failed operations in the window
	firstErr error
	elapsed  time.Duration // the measured window
	lat      []time.Duration
	// stopped tells that a client ran out of work (its worker returned
	// errExhausted) before the window ended.
	stopped bool
	cpu     cpuUse
}

func (r loadResult) opsPerSec() float64 { return float64(r.ops) / r.elapsed.Seconds() }

// percentile returns the q-quantile (0 < q <= 1) of the latencies of
// successful operations, by the nearest-rank method.
func (r loadResult) percentile(q float64) time.Duration { return percentile(r.lat, q) }

func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// errExhausted is returned by a worker that has no more work.
var errExhausted = fmt.Errorf("no more work")

// runLoad runs clients closed loops of the worker each newWorker returns:
// each sends its next request as soon as the previous one completes. The
// first warmup is not measured; then operations completing within measure
// count, with their latencies. onMeasure, when set, is called as the
// measured window opens.
func runLoad(ctx context.Context, clients int, warmup, measure time.Duration, newWorker func(client int) worker, onMeasure func()) loadResult {
	type clientResult struct {
		ops, errors int64
		firstErr    error
		lat         []time.Duration
		stopped     bool
	}
	res := make([]clientResult, clients)
	start := time.Now()
	measureFrom := start.Add(warmup)
	until := measureFrom.Add(measure)
	ctx, cancel := context.WithDeadline(ctx, until.Add(30*time.Second))
	defer cancel()
	// The window's opening runs beside the clients; it is waited for
	// before returning, whether it happened or not.
	stop := make(chan struct{})
	opened := make(chan struct{})
	go func() {
		defer close(opened)
		t := time.NewTimer(time.Until(measureFrom))
		defer t.Stop()
		select {
		case <-t.C:
			if onMeasure != nil {
				onMeasure()
			}
		case <-stop:
		}
	}()
	var wg sync.WaitGroup
	for c := range clients {
		w := newWorker(c)
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &res[c]
			r.lat = make([]time.Duration, 0, 4096)
			for i := 0; ; i++ {
				t0 := time.Now()
				if !t0.Before(until) {
					return
				}
				err := w(ctx, i)
				t1 := time.Now()
				if err == errExhausted {
					r.stopped = true
					return
				}
				if t0.Before(measureFrom) || t1.After(until) {
					continue
				}
				if err != nil {
					r.errors++
					if r.firstErr == nil {
						r.firstErr = err
					}
					continue
				}
				r.ops++
				r.lat = append(r.lat, t1.Sub(t0))
			}
		}()
	}
	wg.Wait()
	end := time.Now()
	close(stop)
	<-opened
	out := loadResult{clients: clients, elapsed: until.Sub(measureFrom)}
	if end.Before(until) {
		// Every client ran out of work early: the window ended with them.
		out.elapsed = max(end.Sub(measureFrom), time.Millisecond)
	}
	for _, r := range res {
		out.ops += r.ops
		out.errors += r.errors
		if out.firstErr == nil {
			out.firstErr = r.firstErr
		}
		out.lat = append(out.lat, r.lat...)
		out.stopped = out.stopped || r.stopped
	}
	slices.Sort(out.lat)
	return out
}
