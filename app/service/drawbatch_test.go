package service

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// fakeDrawStore hands out the numbers A000000001, A000000002, ... of one
// series, atomically per call, like the store's draw: a failing call draws
// nothing. When gated, each call announces itself on entered and waits for
// a release.
type fakeDrawStore struct {
	mu      sync.Mutex
	drawn   uint64 // numbers handed out so far
	stock   uint64 // numbers in all; 0 means unlimited
	calls   []uint64
	failAt  map[int]error // call index (from 0) → its error
	panicAt int           // call index that panics; -1 for none
	gated   bool
	entered chan ports.DrawQuery
	release chan struct{}
}

func newFakeDraws(gated bool) *fakeDrawStore {
	return &fakeDrawStore{panicAt: -1, gated: gated, entered: make(chan ports.DrawQuery, 100), release: make(chan struct{}), failAt: map[int]error{}}
}

func drawNumber(t testing.TB, n uint64) series.Number {
	v, err := series.ParseNumber(fmt.Sprintf("A%09d", n))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func (f *fakeDrawStore) DrawNext(_ context.Context, _ tenant.OrgID, q ports.DrawQuery) ([]series.Drawn, error) {
	if f.gated {
		f.entered <- q
		<-f.release
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	i := len(f.calls)
	f.calls = append(f.calls, q.Count)
	if i == f.panicAt {
		panic("store broke")
	}
	if err := f.failAt[i]; err != nil {
		return nil, err
	}
	if f.stock > 0 && f.drawn+q.Count > f.stock {
		return nil, fault.New(fault.Conflict, series.ReasonExhausted, "exhausted")
	}
	first, _ := series.ParseNumber(fmt.Sprintf("A%09d", f.drawn+1))
	last, _ := series.ParseNumber(fmt.Sprintf("A%09d", f.drawn+q.Count))
	f.drawn += q.Count
	// Two runs when more than one number, as a draw across two series
	// returns, so that splits cross run boundaries.
	if q.Count == 1 {
		r, _ := series.NewRange(first, last)
		return []series.Drawn{{SeriesID: 1, Range: r}}, nil
	}
	mid, _ := first.Add(q.Count/2 - 1)
	midNext, _ := mid.Add(1)
	r1, _ := series.NewRange(first, mid)
	r2, _ := series.NewRange(midNext, last)
	return []series.Drawn{{SeriesID: 1, Range: r1}, {SeriesID: 2, Range: r2}}, nil
}

func (f *fakeDrawStore) callCounts() []uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]uint64(nil), f.calls...)
}

// pending returns the draws queued behind a running one, over all kinds.
func pendingDraws(c *DrawCoalescer) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, l := range c.lanes {
		n += len(l.pending)
	}
	return n
}

func waitForDraw(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func enteredStore(t *testing.T, f *fakeDrawStore) ports.DrawQuery {
	t.Helper()
	select {
	case q := <-f.entered:
		return q
	case <-time.After(5 * time.Second):
		t.Fatal("the store was not called")
		return ports.DrawQuery{}
	}
}

// serialCoalescer returns a DrawCoalescer with one store draw of a kind
// in flight, so that every draw but the first queues.
func serialCoalescer(f *fakeDrawStore) *DrawCoalescer {
	c := NewDrawCoalescer(f)
	c.depth = 1
	return c
}

type drawResult struct {
	drawn []series.Drawn
	err   error
}

var hotDraw = ports.DrawQuery{Owner: series.Owner{Kind: series.Customer, Code: "C1"}, ItemCode: "SIM", Actor: "api-key:k"}

func withCount(q ports.DrawQuery, n uint64) ports.DrawQuery {
	q.Count = n
	return q
}

// start runs one draw in a goroutine and waits until it is either in the
// store or queued, so that draws arrive in the order they are started.
func startDraw(t *testing.T, c *DrawCoalescer, f *fakeDrawStore, org tenant.OrgID, q ports.DrawQuery, queued bool) chan drawResult {
	t.Helper()
	before := pendingDraws(c)
	ch := make(chan drawResult, 1)
	go func() {
		d, err := c.DrawNext(context.Background(), org, q)
		ch <- drawResult{d, err}
	}()
	if queued {
		waitForDraw(t, "the draw to queue", func() bool { return pendingDraws(c) == before+1 })
	} else {
		if got := enteredStore(t, f); got != q {
			t.Fatalf("store called with %+v, want %+v", got, q)
		}
	}
	return ch
}

func drawnNumbers(t *testing.T, ds []series.Drawn) []string {
	t.Helper()
	var out []string
	for _, d := range ds {
		size, _ := d.Range.Count().Uint64()
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

func wantDrawn(t *testing.T, who string, r drawResult, from, n uint64) {
	t.Helper()
	if r.err != nil {
		t.Fatalf("%s: %v", who, r.err)
	}
	got := drawnNumbers(t, r.drawn)
	var want []string
	for i := range n {
		want = append(want, drawNumber(t, from+i).String())
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("%s got %v, want %v", who, got, want)
	}
}

func TestLoneDrawIsSentAtOnce(t *testing.T) {
	f := newFakeDraws(true)
	c := serialCoalescer(f)
	ch := startDraw(t, c, f, 1, withCount(hotDraw, 1), false) // fails unless the store is entered at once
	close(f.release)
	wantDrawn(t, "lone", <-ch, 1, 1)
	if got := f.callCounts(); fmt.Sprint(got) != "[1]" {
		t.Fatalf("store calls %v, want [1]", got)
	}
}

func TestQueuedDrawsAreMergedAndSplitInArrivalOrder(t *testing.T) {
	f := newFakeDraws(true)
	c := serialCoalescer(f)
	a := startDraw(t, c, f, 1, withCount(hotDraw, 1), false)
	b := startDraw(t, c, f, 1, withCount(hotDraw, 2), true)
	cc := startDraw(t, c, f, 1, withCount(hotDraw, 3), true)
	d := startDraw(t, c, f, 1, withCount(hotDraw, 1), true)
	f.release <- struct{}{}
	wantDrawn(t, "first", <-a, 1, 1)
	if q := enteredStore(t, f); q != withCount(hotDraw, 6) {
		t.Fatalf("merged draw %+v, want count 6 of the same kind", q)
	}
	f.release <- struct{}{}
	wantDrawn(t, "second", <-b, 2, 2)
	wantDrawn(t, "third", <-cc, 4, 3)
	wantDrawn(t, "fourth", <-d, 7, 1)
	if got := f.callCounts(); fmt.Sprint(got) != "[1 6]" {
		t.Fatalf("store calls %v, want [1 6]", got)
	}
	if pendingDraws(c) != 0 || len(c.lanes) != 0 {
		t.Fatalf("lanes left behind: %v", c.lanes)
	}
}

func TestFailedBatchHandsOutNothing(t *testing.T) {
	f := newFakeDraws(true)
	boom := fault.Unavailablef(errors.New("commit failed"), "commit failed")
	f.failAt[1] = boom
	c := serialCoalescer(f)
	a := startDraw(t, c, f, 1, withCount(hotDraw, 1), false)
	b := startDraw(t, c, f, 1, withCount(hotDraw, 2), true)
	cc := startDraw(t, c, f, 1, withCount(hotDraw, 1), true)
	f.release <- struct{}{}
	wantDrawn(t, "first", <-a, 1, 1)
	enteredStore(t, f)
	f.release <- struct{}{}
	for _, r := range []drawResult{<-b, <-cc} {
		if !errors.Is(r.err, boom) || len(r.drawn) != 0 {
			t.Fatalf("a waiter of the failed batch got %v, %v; want the batch's error and no number", r.drawn, r.err)
		}
	}
	// The next draw continues right after the last number handed out.
	e := startDraw(t, c, f, 1, withCount(hotDraw, 1), false)
	f.release <- struct{}{}
	wantDrawn(t, "after the failure", <-e, 2, 1)
}

func TestDifferentKindsAreNotMerged(t *testing.T) {
	other := []struct {
		name string
		org  tenant.OrgID
		q    ports.DrawQuery
	}{
		{"organisation", 2, hotDraw},
		{"owner", 1, ports.DrawQuery{Owner: series.Owner{Kind: series.Customer, Code: "C2"}, ItemCode: hotDraw.ItemCode, Actor: hotDraw.Actor}},
		{"owner kind", 1, ports.DrawQuery{Owner: series.Owner{Kind: series.Hub, Code: "C1"}, ItemCode: hotDraw.ItemCode, Actor: hotDraw.Actor}},
		{"item", 1, ports.DrawQuery{Owner: hotDraw.Owner, ItemCode: "ESIM", Actor: hotDraw.Actor}},
		{"service type", 1, ports.DrawQuery{Owner: hotDraw.Owner, ItemCode: hotDraw.ItemCode, ServiceType: "5G", Actor: hotDraw.Actor}},
		{"actor", 1, ports.DrawQuery{Owner: hotDraw.Owner, ItemCode: hotDraw.ItemCode, Actor: "operator:x"}},
	}
	for _, tc := range other {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeDraws(true)
			c := serialCoalescer(f)
			a := startDraw(t, c, f, 1, withCount(hotDraw, 1), false)
			// Sent at once beside the running draw, not queued behind it.
			b := startDraw(t, c, f, tc.org, withCount(tc.q, 1), false)
			f.release <- struct{}{}
			f.release <- struct{}{}
			for _, r := range []drawResult{<-a, <-b} {
				if r.err != nil || len(r.drawn) != 1 {
					t.Fatalf("got %v, %v", r.drawn, r.err)
				}
			}
			if got := f.callCounts(); fmt.Sprint(got) != "[1 1]" {
				t.Fatalf("store calls %v, want [1 1]", got)
			}
		})
	}
}

func TestExhaustedBatchFallsBackToSingleDraws(t *testing.T) {
	f := newFakeDraws(true)
	f.stock = 4
	c := serialCoalescer(f)
	a := startDraw(t, c, f, 1, withCount(hotDraw, 1), false)
	b := startDraw(t, c, f, 1, withCount(hotDraw, 2), true)
	cc := startDraw(t, c, f, 1, withCount(hotDraw, 2), true)
	f.release <- struct{}{}
	wantDrawn(t, "first", <-a, 1, 1)
	close(f.release) // the merged draw of 4 and the single draws after it
	wantDrawn(t, "second", <-b, 2, 2)
	if r := <-cc; fault.ReasonOf(r.err) != series.ReasonExhausted || len(r.drawn) != 0 {
		t.Fatalf("third got %v, %v; want SERIES_EXHAUSTED", r.drawn, r.err)
	}
	if got := f.callCounts(); fmt.Sprint(got) != "[1 4 2 2]" {
		t.Fatalf("store calls %v, want [1 4 2 2]", got)
	}
}

func TestBatchStaysWithinMaxDrawBatch(t *testing.T) {
	f := newFakeDraws(true)
	c := serialCoalescer(f)
	a := startDraw(t, c, f, 1, withCount(hotDraw, 1), false)
	b := startDraw(t, c, f, 1, withCount(hotDraw, MaxDrawBatch-1), true)
	cc := startDraw(t, c, f, 1, withCount(hotDraw, 2), true)
	close(f.release)
	wantDrawn(t, "first", <-a, 1, 1)
	wantDrawn(t, "second", <-b, 2, MaxDrawBatch-1)
	wantDrawn(t, "third", <-cc, MaxDrawBatch+1, 2)
	if got := f.callCounts(); fmt.Sprint(got) != fmt.Sprint([]uint64{1, MaxDrawBatch - 1, 2}) {
		t.Fatalf("store calls %v", got)
	}
}

func TestCancelledWaiterLeavesTheQueue(t *testing.T) {
	f := newFakeDraws(true)
	c := serialCoalescer(f)
	a := startDraw(t, c, f, 1, withCount(hotDraw, 1), false)
	ctx, cancel := context.WithCancel(context.Background())
	b := make(chan drawResult, 1)
	go func() {
		d, err := c.DrawNext(ctx, 1, withCount(hotDraw, 1))
		b <- drawResult{d, err}
	}()
	waitForDraw(t, "the draw to queue", func() bool { return pendingDraws(c) == 1 })
	cancel()
	if r := <-b; !errors.Is(r.err, context.Canceled) {
		t.Fatalf("cancelled waiter got %v, %v", r.drawn, r.err)
	}
	f.release <- struct{}{}
	wantDrawn(t, "first", <-a, 1, 1)
	e := startDraw(t, c, f, 1, withCount(hotDraw, 1), false)
	f.release <- struct{}{}
	wantDrawn(t, "next", <-e, 2, 1)
	if got := f.callCounts(); fmt.Sprint(got) != "[1 1]" {
		t.Fatalf("store calls %v, want [1 1]: the cancelled draw was sent", got)
	}
}

// TestConcurrentDrawsHandOutEveryNumberOnce draws from many goroutines at
// once: every number from 1 to the total is handed out exactly once.
func TestConcurrentDrawsHandOutEveryNumberOnce(t *testing.T) {
	f := newFakeDraws(false)
	c := NewDrawCoalescer(f)
	const goroutines, each = 32, 200
	got := make([][]string, goroutines)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				d, err := c.DrawNext(context.Background(), 1, withCount(hotDraw, uint64(1+(g+i)%3)))
				if err != nil {
					t.Error(err)
					return
				}
				got[g] = append(got[g], drawnNumbers(t, d)...)
			}
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, ns := range got {
		for _, n := range ns {
			if seen[n] {
				t.Fatalf("%s handed out twice", n)
			}
			seen[n] = true
		}
	}
	f.mu.Lock()
	total := f.drawn
	f.mu.Unlock()
	if uint64(len(seen)) != total {
		t.Fatalf("%d numbers handed out, the store drew %d", len(seen), total)
	}
	for i := uint64(1); i <= total; i++ {
		if !seen[drawNumber(t, i).String()] {
			t.Fatalf("%s was drawn but not handed out", drawNumber(t, i))
		}
	}
	t.Logf("%d draws in %d store calls", goroutines*each, len(f.callCounts()))
}

// TestTwoDrawsInFlight checks the default depth: a second draw is sent
// beside the first, the third and later queue and go as one batch when
// either ends.
func TestTwoDrawsInFlight(t *testing.T) {
	if DrawsInFlight != 2 {
		t.Fatalf("DrawsInFlight = %d; this test is written for 2", DrawsInFlight)
	}
	f := newFakeDraws(true)
	c := NewDrawCoalescer(f)
	a := startDraw(t, c, f, 1, withCount(hotDraw, 1), false)
	b := startDraw(t, c, f, 1, withCount(hotDraw, 1), false)
	cc := startDraw(t, c, f, 1, withCount(hotDraw, 2), true)
	d := startDraw(t, c, f, 1, withCount(hotDraw, 1), true)
	f.release <- struct{}{}
	if q := enteredStore(t, f); q != withCount(hotDraw, 3) {
		t.Fatalf("merged draw %+v, want count 3", q)
	}
	close(f.release)
	got := map[string]int{}
	var rs []drawResult
	for i, ch := range []chan drawResult{a, b, cc, d} {
		r := <-ch
		if r.err != nil {
			t.Fatal(r.err)
		}
		rs = append(rs, r)
		for _, n := range drawnNumbers(t, r.drawn) {
			got[n] = i
		}
	}
	if len(got) != 5 {
		t.Fatalf("%d distinct numbers handed out, want 5: %v", len(got), got)
	}
	// The batch's numbers follow one another, split in arrival order.
	third, fourth := drawnNumbers(t, rs[2].drawn), drawnNumbers(t, rs[3].drawn)
	if len(third) != 2 || len(fourth) != 1 || third[1] >= fourth[0] || third[0] >= third[1] {
		t.Fatalf("batch split %v then %v, want consecutive in arrival order", third, fourth)
	}
	if calls := f.callCounts(); len(calls) != 3 {
		t.Fatalf("store calls %v, want 3", calls)
	}
	if len(c.lanes) != 0 {
		t.Fatalf("lanes left behind: %v", c.lanes)
	}
}

// TestPanickingStoreFreesTheLane checks that a store draw that panics fails
// the batch's other waiters instead of leaving them waiting, and that the
// next draw of the kind is sent at once.
func TestPanickingStoreFreesTheLane(t *testing.T) {
	f := newFakeDraws(true)
	f.panicAt = 1
	c := serialCoalescer(f)
	a := startDraw(t, c, f, 1, withCount(hotDraw, 1), false)
	b := make(chan drawResult, 1)
	go func() {
		defer func() {
			if r := recover(); r == nil {
				b <- drawResult{err: errors.New("the batch's leader did not panic")}
			}
		}()
		d, err := c.DrawNext(context.Background(), 1, withCount(hotDraw, 1))
		b <- drawResult{d, err}
	}()
	waitForDraw(t, "the draw to queue", func() bool { return pendingDraws(c) == 1 })
	cc := startDraw(t, c, f, 1, withCount(hotDraw, 2), true)
	f.release <- struct{}{}
	wantDrawn(t, "first", <-a, 1, 1)
	enteredStore(t, f)
	f.release <- struct{}{}
	if r := <-cc; fault.CodeOf(r.err) != fault.Internal || len(r.drawn) != 0 {
		t.Fatalf("the panicking batch's waiter got %v, %v; want an internal error", r.drawn, r.err)
	}
	// b led the batch and panicked: it sends nothing on b (the recover
	// above only reports a missing panic).
	select {
	case r := <-b:
		t.Fatalf("leader: %v", r.err)
	case <-time.After(50 * time.Millisecond):
	}
	e := startDraw(t, c, f, 1, withCount(hotDraw, 1), false)
	f.release <- struct{}{}
	wantDrawn(t, "after the panic", <-e, 2, 1)
}
