package operator

import (
	"fmt"
	"time"

	"github.com/allot-io/allot/domain/attempt"
	"github.com/allot-io/allot/domain/fault"
)

// DefaultPolicy is the sign-in lockout per email: 5 sign-ins within a
// 15-minute window are checked, the next are refused until the window
// ends, whatever the password. Attempts are counted per email, known or
// not, so that the lockout reveals nothing about which emails have an
// account; a successful sign-in forgets the email's count.
var DefaultPolicy = attempt.Policy{Max: 5, Window: 15 * time.Minute}

// DefaultAddressPolicy is the sign-in limit per client address: 50
// failed sign-ins within a 15-minute window, whatever the emails, so that
// one client cannot try a few passwords on every email.
var DefaultAddressPolicy = attempt.Policy{Max: 50, Window: 15 * time.Minute}

// LockedError is the error of a sign-in refused by the lockout until
// until, telling the person when to try again.
func LockedError(until, now time.Time) error {
	wait := until.Sub(now)
	minutes := int((wait + time.Minute - 1) / time.Minute)
	unit := "minutes"
	if minutes == 1 {
		unit = "minute"
	}
	return &fault.Error{Code: fault.Forbidden, Reason: ReasonLocked,
		Message: fmt.Sprintf("Too many failed sign-ins; try again in %d %s", minutes, unit),
		Err:     &attempt.Wait{Seconds: attempt.RetryAfterSeconds(until, now)}}
}
