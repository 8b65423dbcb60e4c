package service

// Coalesced draws. A DrawCoalescer coalesces concurrent draws of one process: draws for
// the same organisation, owner, item code, service type and actor that
// arrive while such a draw is running are merged into the next one, a
// single store draw of their summed count, and its numbers are split among
// them in arrival order.
//
// On a hot owner every draw updates the same series row, so draws queue on
// its row lock, each held through its commit's WAL flush: one owner gets
// what one client gets, whatever the concurrency. Merging N draws into one
// statement hands out N draws per commit. The store's draw is atomic, so a
// merged draw is too, across processes as well: either the whole batch is
// drawn and every waiter gets its share, or nothing is and every waiter gets
// the error. A draw that arrives when fewer than DrawsInFlight of its kind
// are running is sent at once (leader/follower batching: there is no
// timer).

import (
	"context"
	"fmt"
	"sync"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// drawer is the store draw the DrawCoalescer sends its batches to
// (ports.SeriesStore.DrawNext).
type drawer interface {
	// DrawNext atomically draws the next q.Count numbers of the owner's
	// matching series, as ports.SeriesStore.DrawNext.
	DrawNext(ctx context.Context, org tenant.OrgID, q ports.DrawQuery) ([]series.Drawn, error)
}

// MaxDrawBatch is the most numbers one merged draw asks for: the domain's
// bound on one draw, so that a batch costs the store no more than the
// largest single request may.
const MaxDrawBatch = series.MaxDraw

// DrawsInFlight is how many store draws of one kind a DrawCoalescer runs at
// once. With one, the next batch starts only after the previous one has
// come back, so the owner's row sits idle for a round trip and the
// scheduling of two goroutines between commits; with two, the next batch
// already waits on the row's lock in the database when the previous one
// commits. Each batch is still one atomic store draw.
const DrawsInFlight = 2

// Coalescer merges concurrent draws of the same kind into one store draw.
// It is safe for concurrent use; the zero value is not usable (NewDrawCoalescer).
type DrawCoalescer struct {
	next drawer
	// depth is the store draws of one kind in flight at most.
	depth int

	mu sync.Mutex
	// lanes holds one lane per kind of draw that has a batch running; a
	// kind without a lane has none.
	lanes map[drawKey]*drawLane
}

var _ drawer = (*DrawCoalescer)(nil)

// NewDrawCoalescer returns a DrawCoalescer in front of next.
func NewDrawCoalescer(next drawer) *DrawCoalescer {
	return &DrawCoalescer{next: next, depth: DrawsInFlight, lanes: map[drawKey]*drawLane{}}
}

// key is what draws must share to be merged: everything of the query but
// its count. Comparing the whole query keeps draws apart that differ in a
// field added to ports.DrawQuery later.
type drawKey struct {
	org tenant.OrgID
	q   ports.DrawQuery
}

// drawLane is the draws of one kind: how many batches are running, and
// the draws waiting for one of them to end.
type drawLane struct {
	running int
	pending []*drawWaiter
}

// drawWaiter is one DrawNext call.
type drawWaiter struct {
	q ports.DrawQuery
	// ready is closed when the waiter's result is set or, when batch is
	// set, when it is to send that batch itself.
	ready chan struct{}
	batch []*drawWaiter
	// taken tells, under the DrawCoalescer's lock, that the waiter belongs
	// to a batch and must wait for its end.
	taken bool
	drawn []series.Drawn
	err   error
}

// DrawNext implements ports.SeriesStore.DrawNext: it draws q.Count numbers
// for q, merged with the draws of the same kind that queue behind a running
// one. It returns
// what the store's DrawNext would for this request alone, with one
// exception owed to atomicity: when a merged draw fails (other than for
// exhausted stock), every draw of the batch gets that error and none gets
// a number.
func (c *DrawCoalescer) DrawNext(ctx context.Context, org tenant.OrgID, q ports.DrawQuery) ([]series.Drawn, error) {
	if q.Count == 0 || q.Count > MaxDrawBatch {
		// Not mergeable; the store gives its own answer.
		return c.next.DrawNext(ctx, org, q)
	}
	k := drawKey{org: org, q: q}
	k.q.Count = 0
	w := &drawWaiter{q: q, ready: make(chan struct{})}
	c.mu.Lock()
	l := c.lanes[k]
	if l == nil {
		l = &drawLane{}
		c.lanes[k] = l
	}
	if l.running < c.depth {
		l.running++
		w.taken = true
		c.mu.Unlock()
		c.lead(ctx, org, k, []*drawWaiter{w})
		return w.drawn, w.err
	}
	l.pending = append(l.pending, w)
	c.mu.Unlock()

	select {
	case <-w.ready:
	case <-ctx.Done():
		c.mu.Lock()
		if !w.taken {
			// Still queued: leaving draws nothing for it.
			for i, p := range l.pending {
				if p == w {
					l.pending = append(l.pending[:i], l.pending[i+1:]...)
					break
				}
			}
			c.mu.Unlock()
			return nil, ctx.Err()
		}
		c.mu.Unlock()
		// Its batch is being drawn: leaving now would lose its numbers.
		<-w.ready
	}
	if w.batch != nil {
		c.lead(ctx, org, k, w.batch)
	}
	return w.drawn, w.err
}

// lead sends batch (whose first waiter is the caller), hands its place in
// the lane to the batch queued meanwhile, and releases the batch's other
// waiters.
func (c *DrawCoalescer) lead(ctx context.Context, org tenant.OrgID, k drawKey, batch []*drawWaiter) {
	// Deferred, so that a store that panics still frees the lane and its
	// waiters (send has given them an error).
	defer c.handOff(k, batch)
	// One waiter's cancelled request must not fail the others' draws.
	c.send(context.WithoutCancel(ctx), org, batch)
}

// handOff gives the batch's place in the lane to the draws queued
// meanwhile, or frees it, and releases the batch's other waiters.
func (c *DrawCoalescer) handOff(k drawKey, batch []*drawWaiter) {
	c.mu.Lock()
	l := c.lanes[k]
	next := takeDraws(l)
	if len(next) == 0 {
		if l.running--; l.running == 0 {
			delete(c.lanes, k)
		}
	}
	c.mu.Unlock()
	if len(next) > 0 {
		next[0].batch = next
		close(next[0].ready)
	}
	for _, w := range batch[1:] {
		close(w.ready)
	}
}

// takeDraws removes from l the longest prefix of its queue whose counts fit in
// MaxDrawBatch (at least one waiter, when any) and marks it taken.
func takeDraws(l *drawLane) []*drawWaiter {
	var sum uint64
	n := 0
	for _, w := range l.pending {
		if n > 0 && sum+w.q.Count > MaxDrawBatch {
			break
		}
		sum += w.q.Count
		w.taken = true
		n++
	}
	batch := l.pending[:n:n]
	l.pending = append([]*drawWaiter(nil), l.pending[n:]...)
	return batch
}

// send draws the batch's numbers and sets each waiter's result.
func (c *DrawCoalescer) send(ctx context.Context, org tenant.OrgID, batch []*drawWaiter) {
	defer func() {
		if r := recover(); r != nil {
			for _, w := range batch {
				w.drawn, w.err = nil, fault.Wrap(fmt.Errorf("store draw panicked: %v", r), "draw")
			}
			panic(r)
		}
	}()
	if len(batch) == 1 {
		w := batch[0]
		w.drawn, w.err = c.next.DrawNext(ctx, org, w.q)
		return
	}
	q := batch[0].q
	q.Count = 0
	for _, w := range batch {
		q.Count += w.q.Count
	}
	drawn, err := c.next.DrawNext(ctx, org, q)
	if fault.ReasonOf(err) == series.ReasonExhausted {
		// The sum may not fit where the first draws would: each gets the
		// answer it would have had alone, in arrival order.
		for _, w := range batch {
			w.drawn, w.err = c.next.DrawNext(ctx, org, w.q)
		}
		return
	}
	if err == nil {
		err = splitDrawn(drawn, batch)
	}
	if err != nil {
		for _, w := range batch {
			w.drawn, w.err = nil, err
		}
	}
}

// splitDrawn deals drawn, in order, to the batch's waiters in arrival order,
// each its count.
func splitDrawn(drawn []series.Drawn, batch []*drawWaiter) error {
	i := 0         // the run being dealt
	var off uint64 // numbers of drawn[i] already dealt
	for _, w := range batch {
		need := w.q.Count
		var mine []series.Drawn
		for need > 0 {
			if i == len(drawn) {
				return fault.Errorf(fault.Internal, "", "a merged draw of %d numbers returned fewer", drawCount(batch))
			}
			d := drawn[i]
			size, ok := d.Range.Count().Uint64()
			if !ok {
				return fault.Errorf(fault.Internal, "", "a draw returned a run of more than 2^64 numbers")
			}
			n := min(need, size-off)
			part, ok := d.Range.Slice(off, n)
			if !ok {
				return fault.Errorf(fault.Internal, "", "a draw returned an empty run")
			}
			mine = append(mine, series.Drawn{SeriesID: d.SeriesID, Range: part, CheckDigit: d.CheckDigit})
			need -= n
			if off += n; off == size {
				i, off = i+1, 0
			}
		}
		w.drawn = mine
	}
	if i != len(drawn) {
		return fault.Errorf(fault.Internal, "", "a merged draw of %d numbers returned more", drawCount(batch))
	}
	return nil
}

func drawCount(batch []*drawWaiter) uint64 {
	var n uint64
	for _, w := range batch {
		n += w.q.Count
	}
	return n
}

// CoalescedSeries is a ports.SeriesStore whose draws go through a DrawCoalescer.
type CoalescedSeries struct {
	ports.SeriesStore
	draws *DrawCoalescer
}

var _ ports.SeriesStore = CoalescedSeries{}

// Coalesced returns store with its draws coalesced.
func Coalesced(store ports.SeriesStore) CoalescedSeries {
	return CoalescedSeries{SeriesStore: store, draws: NewDrawCoalescer(store)}
}

// DrawNext implements ports.SeriesStore through the DrawCoalescer.
func (s CoalescedSeries) DrawNext(ctx context.Context, org tenant.OrgID, q ports.DrawQuery) ([]series.Drawn, error) {
	return s.draws.DrawNext(ctx, org, q)
}
