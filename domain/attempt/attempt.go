// Package attempt is the policy that limits guessing credentials: a count
// of attempts per key (a credential or a client address) within a fixed
// window, reserved before the credential is checked, and the decision
// taken on that count.
//
// The rule is the domain's; the count is the store's, which must make
// "add one and tell me the total" a single atomic step, so that the limit
// holds under any concurrency and across processes: an attacker gets at
// most Max checks per key and window however many guesses it sends at once.
//
// Windows are fixed (aligned on multiples of Window since the zero time),
// so a key is never refused for longer than the rest of its window: an
// attacker cannot lock a victim out beyond it, and a correct credential
// presented after the window always gets checked.
package attempt

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/allot-io/allot/domain/fault"
)

// Policy limits attempts: at most Max attempts per key are checked within
// one Window; later ones are refused until the window ends.
type Policy struct {
	Max    int
	Window time.Duration
}

// Enabled reports whether p limits anything.
func (p Policy) Enabled() bool { return p.Max > 0 && p.Window > 0 }

// WindowStart returns the start of the window holding now.
func (p Policy) WindowStart(now time.Time) time.Time {
	if p.Window <= 0 {
		return time.Time{}
	}
	return now.UTC().Truncate(p.Window)
}

// WindowEnd returns when the window holding now ends.
func (p Policy) WindowEnd(now time.Time) time.Time { return p.WindowStart(now).Add(p.Window) }

// Horizon is the start before which no window can matter at now: stores
// may forget counts of windows that began before it.
func (p Policy) Horizon(now time.Time) time.Time { return p.WindowStart(now).Add(-p.Window) }

// Decision is what a reserved attempt may do.
type Decision uint8

const (
	// Check: the credential may be checked.
	Check Decision = iota + 1
	// CheckLast: the credential may be checked, and it is the window's last
	// such attempt: if it fails, say the key is now refused.
	CheckLast
	// Refuse: the key has had Max attempts in this window; refuse without
	// checking the credential.
	Refuse
)

// Decide returns the decision for the attempt that made count (the
// window's count including it, as the store returned it).
func (p Policy) Decide(count int) Decision {
	switch {
	case !p.Enabled() || count < p.Max:
		return Check
	case count == p.Max:
		return CheckLast
	default:
		return Refuse
	}
}

// Scope names what a key counts attempts of.
type Scope string

// The scopes Allot limits.
const (
	// SignInEmail: dashboard sign-ins per email tried.
	SignInEmail Scope = "signin-email"
	// SignInAddress: dashboard sign-ins per client address.
	SignInAddress Scope = "signin-addr"
	// VendorCredential: failed /authenticate calls per vendor id and username.
	VendorCredential Scope = "vendor"
	// VendorAddress: failed /authenticate calls per client address.
	VendorAddress Scope = "vendor-addr"
	// AgentPassword: failed agent passwords per organisation and agent.
	AgentPassword Scope = "agent"
	// AgentAddress: failed agent passwords per client address.
	AgentAddress Scope = "agent-addr"
	// APIKey: failed API keys per key presented.
	APIKey Scope = "apikey"
	// APIKeyAddress: failed API keys per client address.
	APIKeyAddress Scope = "apikey-addr"
)

// Key returns the store key of subject (a credential's identity, parts
// joined unambiguously, or a client address) in scope. Subjects are
// hashed, so that no credential, email or address is stored in clear and
// every key has the same short length.
func Key(scope Scope, subject ...string) string {
	h := sha256.New()
	for _, s := range subject {
		fmt.Fprintf(h, "%d:%s;", len(s), s)
	}
	return string(scope) + ":" + hex.EncodeToString(h.Sum(nil)[:16])
}

// Limit is one policy applied to one key.
type Limit struct {
	Key    string
	Policy Policy
}

// ReasonTooMany is the reason of an attempt refused by a limit.
const ReasonTooMany = "TOO_MANY_ATTEMPTS"

// MsgTooMany is the message of an attempt refused by a limit, for APIs
// whose messages are fixed texts.
const MsgTooMany = "Too many attempts; try again later"

// Wait is the cause carried by a TooManyError: how long the client should
// wait, for the adapters' Retry-After headers.
type Wait struct{ Seconds int }

// Error implements error.
func (w *Wait) Error() string { return fmt.Sprintf("retry after %d seconds", w.Seconds) }

// TooManyError is the error of an attempt refused until until (the end of
// its window): Forbidden TOO_MANY_ATTEMPTS, telling when to try again. Its
// cause is a *Wait, so that adapters can send the wait as Retry-After.
func TooManyError(until, now time.Time) error {
	secs := RetryAfterSeconds(until, now)
	return &fault.Error{Code: fault.Forbidden, Reason: ReasonTooMany,
		Message: fmt.Sprintf("%s (in %d seconds)", MsgTooMany, secs), Err: &Wait{Seconds: secs}}
}

// RetryAfterSeconds is the whole number of seconds from now to until,
// rounded up, at least 1.
func RetryAfterSeconds(until, now time.Time) int {
	s := int((until.Sub(now) + time.Second - 1) / time.Second)
	return max(s, 1)
}

// The default limits of guessing credentials. Failures are what count
// (an attempt that succeeds gives its count back), per credential and per
// client address, in 15-minute windows except for API keys, whose
// failures are only ever guesses or misconfigurations and are limited per
// 5 minutes.
var (
	// DefaultVendorPolicy limits failed /authenticate calls per vendor id.
	DefaultVendorPolicy = Policy{Max: 10, Window: 15 * time.Minute}
	// DefaultVendorAddressPolicy limits failed /authenticate calls per
	// client address.
	DefaultVendorAddressPolicy = Policy{Max: 30, Window: 15 * time.Minute}
	// DefaultAgentPolicy limits wrong passwords per agent.
	DefaultAgentPolicy = Policy{Max: 10, Window: 15 * time.Minute}
	// DefaultAgentAddressPolicy limits wrong agent passwords per client
	// address.
	DefaultAgentAddressPolicy = Policy{Max: 30, Window: 15 * time.Minute}
	// DefaultAPIKeyPolicy limits failures per API key presented.
	DefaultAPIKeyPolicy = Policy{Max: 10, Window: 5 * time.Minute}
	// DefaultAPIKeyAddressPolicy limits failed API keys per client address.
	DefaultAPIKeyAddressPolicy = Policy{Max: 30, Window: 5 * time.Minute}
)

// ReasonAgentTooMany is the reason of an agent password refused by a
// limit, apart from ReasonTooMany because the BSS API answers it under the
// agent's msg_code (RESTAPI104) rather than the token's (RESTAPI001).
const ReasonAgentTooMany = "AGENT_TOO_MANY_ATTEMPTS"

// AgentTooManyError is TooManyError for agent passwords.
func AgentTooManyError(until, now time.Time) error {
	err := TooManyError(until, now).(*fault.Error)
	err.Reason = ReasonAgentTooMany
	return err
}
