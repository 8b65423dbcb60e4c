package service

import (
	"context"
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
	g       guard
	now     time.Time
	limits  []attempt.Limit
	windows []time.Time
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
		t.limits = append(t.limits, l)
		t.windows = append(t.windows, w)
		switch l.Policy.Decide(n) {
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
