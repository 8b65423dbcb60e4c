package enrollment

import (
	"fmt"
	"time"

	"github.com/allot-io/allot/domain/fault"
)

// MaxVerifiedTTL bounds how long a server trusts vendor credentials it
// verified (POST /authenticate) without hashing them again: a removed or
// changed credential is dropped at once through the store's notification
// channel, and this bound is the last resort should that channel fail
// unnoticed.
const MaxVerifiedTTL = 5 * time.Minute

// DefaultVerifiedTTL is how long verified credentials are trusted unless
// configured otherwise.
const DefaultVerifiedTTL = MaxVerifiedTTL

// ReasonInvalidVerifiedTTL is the reason of a bad verified-credential TTL.
const ReasonInvalidVerifiedTTL = "INVALID_AUTH_CACHE_TTL"

// CheckVerifiedTTL validates a verified-credential TTL given as field: 0
// (no cache) up to MaxVerifiedTTL.
func CheckVerifiedTTL(field string, ttl time.Duration) error {
	if ttl < 0 || ttl > MaxVerifiedTTL {
		return fault.InvalidField(field, RulePattern, ReasonInvalidVerifiedTTL,
			fmt.Sprintf("%s %s is out of bounds; it must be from 0 (no cache) to %s", field, ttl, MaxVerifiedTTL))
	}
	return nil
}
