package service

import (
	"context"
	"sync"
	"time"

	"github.com/allot-io/allot/domain/attempt"
	"github.com/allot-io/allot/ports"
)

// guard applies the guessing limits of domain/attempt over the store's
// atomic counters: an attempt is reserved under every limit before the
// credential is checked, so that concurrent guesses cannot all slip in
// before the first failure is recorded.
type guard struct {
	store ports.AttemptStore
	clock ports.Clock
	// local counts this process's checks in flight per key; nil disables
	// queueing (a refusal is then immediate).
	local *inflight
}

// queueFor bounds how long an attempt waits for this process's checks in
// flight under its keys before its refusal stands.
const queueFor = 3 * time.Second

// ticket is one attempt reserved under some limits.
type ticket struct {
	g         guard
	now       time.Time
	limits    []attempt.Limit
	windows   []time.Time
	decisions []attempt.Decision
	// last is set when some limit was at its last checked attempt: a
	// failure now means the key is refused for the rest of its window.
	last bool
	// until is the end of the latest window that refused or is at its last.
	until time.Time
	// keys are the limits' keys counted in flight in g.local until done.
	keys []string
}

// reserve reserves one attempt under each enabled limit. It returns
// refused true, with the ticket telling until when, when any limit has had
// its checks in this window: the credential must then not be checked.
//
// A reservation counts until it is given back, so a burst of correct
// credentials (a middleware authenticating before every call) can fill a
// window with checks in flight that will all succeed. A refused attempt
// therefore waits, up to queueFor, while checks of this process under the
// same keys are in flight, giving its own reservation back and trying
// again as each one ends. Every check still runs under an accepted
// reservation, so guesses stay bounded by the limit at any concurrency;
// a key refused for its failures, with nothing in flight, is refused at
// once. Callers call done when the check is over.
func (g guard) reserve(ctx context.Context, limits ...attempt.Limit) (t ticket, refused bool, err error) {
	keys := make([]string, 0, len(limits))
	for _, l := range limits {
		if l.Policy.Enabled() {
			keys = append(keys, l.Key)
		}
	}
	var deadline time.Time
	for {
		// Counted in flight before the reservation, so that no other
		// attempt sees this one's reservation without seeing it in flight.
		ended := g.local.enter(keys)
		t, refused, err = g.reserveOnce(ctx, limits...)
		if err != nil {
			g.local.leave(keys)
			return ticket{}, false, err
		}
		if !refused {
			t.keys = keys
			return t, false, nil
		}
		// Nothing was checked under this reservation: it is no failure.
		t.succeeded(ctx)
		g.local.leave(keys)
		if deadline.IsZero() {
			deadline = time.Now().Add(queueFor)
		}
		wait := time.Until(deadline)
		busy, now, changed := g.local.busy(keys)
		switch {
		case wait <= 0 || (!busy && now == ended):
			// No check of this process ended since the reservation, and
			// none is running: the refusal is the store's count.
			return t, true, nil
		case !busy:
			continue // a check ended meanwhile: its attempt may be free
		}
		timer := time.NewTimer(wait)
		select {
		case <-changed:
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return ticket{}, false, ctx.Err()
		}
		timer.Stop()
	}
}

func (g guard) reserveOnce(ctx context.Context, limits ...attempt.Limit) (t ticket, refused bool, err error) {
	t = ticket{g: g, now: g.clock.Now()}
	for _, l := range limits {
		if !l.Policy.Enabled() {
			continue
		}
		w := l.Policy.WindowStart(t.now)
		n, err := g.store.ReserveAttempt(ctx, l.Key, w, l.Policy.Horizon(t.now))
		if err != nil {
			return ticket{}, false, err
		}
		d := l.Policy.Decide(n)
		t.limits = append(t.limits, l)
		t.windows = append(t.windows, w)
		t.decisions = append(t.decisions, d)
		switch d {
		case attempt.Refuse:
			refused = true
			t.until = later(t.until, l.Policy.WindowEnd(t.now))
		case attempt.CheckLast:
			t.last = true
			t.until = later(t.until, l.Policy.WindowEnd(t.now))
		}
	}
	return t, refused, nil
}

// done ends the ticket's check in this process's count of checks in
// flight. It is safe to call on any ticket, once.
func (t ticket) done() { t.g.local.done(t.keys) }

// succeeded gives the ticket's attempts back: only failures count. A
// failure to release only makes the limit stricter, so it is not an
// error of the call.
func (t ticket) succeeded(ctx context.Context) {
	ctx = context.WithoutCancel(ctx)
	for i, l := range t.limits {
		_ = t.g.store.ReleaseAttempt(ctx, l.Key, t.windows[i])
	}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// blocklist remembers, in this process, the keys refused until the end of
// their window, so that a flood from a refused address costs no database
// round trip. It is only a shortcut: the count that decides is the store's,
// shared by every process, and each process learns of a refusal at its own
// first failure past the limit.
type blocklist struct {
	mu    sync.Mutex
	until map[string]time.Time
}

// blocked returns when key's refusal ends, if it is refused at now.
func (b *blocklist) blocked(key string, now time.Time) (time.Time, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	until, ok := b.until[key]
	if ok && !now.Before(until) {
		delete(b.until, key)
		return time.Time{}, false
	}
	return until, ok
}

// block refuses key until until.
func (b *blocklist) block(key string, until time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.until == nil {
		b.until = map[string]time.Time{}
	}
	if len(b.until) > 100_000 {
		// A flood of addresses: start again rather than grow without
		// bound; the store still counts.
		clear(b.until)
	}
	b.until[key] = until
}

// failed records one failure of an attempt that was checked without a
// reservation, under each limit, and returns refused true, with until,
// when some limit has reached its window's maximum; those keys are then
// blocked here too.
func (g guard) failed(ctx context.Context, b *blocklist, limits ...attempt.Limit) (until time.Time, refused bool, err error) {
	// The check is over: the failure is counted as it is, with no queueing.
	t, _, err := g.reserveOnce(ctx, limits...)
	if err != nil {
		return time.Time{}, false, err
	}
	for i, l := range t.limits {
		if d := t.decisions[i]; d == attempt.Refuse || d == attempt.CheckLast {
			end := l.Policy.WindowEnd(t.now)
			b.block(l.Key, end)
			until, refused = later(until, end), true
		}
	}
	return until, refused, nil
}

// inflight counts, in this process, the credential checks in flight per
// limit key, and tells waiters when one ends.
type inflight struct {
	mu      sync.Mutex
	n       map[string]int
	ended   uint64        // checks ended so far
	changed chan struct{} // closed, and replaced, whenever a check ends
}

// enter counts an attempt under keys in flight and returns how many
// checks had ended.
func (f *inflight) enter(keys []string) uint64 {
	if f == nil || len(keys) == 0 {
		return 0
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n == nil {
		f.n = map[string]int{}
	}
	for _, k := range keys {
		f.n[k]++
	}
	return f.ended
}

// leave uncounts an attempt that checked nothing; it wakes nobody.
func (f *inflight) leave(keys []string) {
	if f == nil || len(keys) == 0 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.uncount(keys)
}

// done ends a check under keys and wakes the attempts waiting for one.
func (f *inflight) done(keys []string) {
	if f == nil || len(keys) == 0 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.uncount(keys)
	f.ended++
	if f.changed != nil {
		close(f.changed)
		f.changed = nil
	}
}

func (f *inflight) uncount(keys []string) {
	for _, k := range keys {
		if f.n[k]--; f.n[k] <= 0 {
			delete(f.n, k)
		}
	}
}

// busy reports whether a check under any of keys is in flight, how many
// checks have ended, and a channel closed when the next one ends.
func (f *inflight) busy(keys []string) (bool, uint64, <-chan struct{}) {
	if f == nil {
		return false, 0, nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	any := false
	for _, k := range keys {
		if f.n[k] > 0 {
			any = true
		}
	}
	if f.changed == nil {
		f.changed = make(chan struct{})
	}
	return any, f.ended, f.changed
}
