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
}

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
}

// reserve reserves one attempt under each enabled limit. It returns
// refused true, with the ticket telling until when, when any limit has had
// its checks in this window: the credential must then not be checked.
func (g guard) reserve(ctx context.Context, limits ...attempt.Limit) (t ticket, refused bool, err error) {
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
	t, _, err := g.reserve(ctx, limits...)
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
