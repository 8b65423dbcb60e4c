package operator

import (
	"fmt"
	"slices"
	"time"

	"github.com/allot-io/allot/domain/fault"
)

// Policy is the sign-in lockout: after MaxFailures failed sign-ins for one
// email within Window, sign-in for that email is refused for Lock, whatever
// the password. Failures are counted per email, known or not, so that the
// lockout reveals nothing about which emails have an account.
type Policy struct {
	MaxFailures int
	Window      time.Duration
	Lock        time.Duration
}

// DefaultPolicy is 5 failures within 15 minutes locking for 15 minutes.
var DefaultPolicy = Policy{MaxFailures: 5, Window: 15 * time.Minute, Lock: 15 * time.Minute}

// Horizon is how far back failures matter at all: a failure older than
// Window+Lock can neither lock nor extend a lock. Stores may forget them.
func (p Policy) Horizon() time.Duration { return p.Window + p.Lock }

// LockedUntil returns when the lock that failures impose ends, and false
// when they impose none at now. A lock starts at the failure that makes
// MaxFailures within Window, and lasts Lock from there. failures need not
// be sorted.
func (p Policy) LockedUntil(failures []time.Time, now time.Time) (time.Time, bool) {
	if p.MaxFailures <= 0 || len(failures) < p.MaxFailures {
		return time.Time{}, false
	}
	ts := slices.Clone(failures)
	slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
	var until time.Time
	for i := p.MaxFailures - 1; i < len(ts); i++ {
		// ts[i] is the MaxFailures-th failure of a run that began at
		// ts[i-MaxFailures+1]; within Window it locks.
		if ts[i].Sub(ts[i-p.MaxFailures+1]) < p.Window {
			if end := ts[i].Add(p.Lock); end.After(until) {
				until = end
			}
		}
	}
	if until.IsZero() || !now.Before(until) {
		return time.Time{}, false
	}
	return until, true
}

// LockedError is the error of a sign-in refused by the lockout until
// until, telling the person when to try again.
func LockedError(until, now time.Time) error {
	wait := until.Sub(now)
	minutes := int((wait + time.Minute - 1) / time.Minute)
	unit := "minutes"
	if minutes == 1 {
		unit = "minute"
	}
	return fault.Errorf(fault.Forbidden, ReasonLocked,
		"Too many failed sign-ins for this email; try again in %d %s", minutes, unit)
}

// String describes the policy for logs and help texts.
func (p Policy) String() string {
	return fmt.Sprintf("%d failures within %s lock for %s", p.MaxFailures, p.Window, p.Lock)
}
