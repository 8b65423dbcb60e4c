package token

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/allot-io/allot/domain/fault"
)

// State is where a token is in its lifecycle.
type State int

// The states of a token. Consumed and Expired are final.
const (
	// Issued: the token may be used once.
	Issued State = iota + 1
	// Consumed: the token has been used.
	Consumed
	// Expired: the token's time to live has passed without it being used.
	Expired
)

// String returns "issued", "consumed" or "expired".
func (s State) String() string {
	switch s {
	case Issued:
		return "issued"
	case Consumed:
		return "consumed"
	case Expired:
		return "expired"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// Bounds of the time to live, which the operator configures
// (allot serve --token-ttl, ALLOT_TOKEN_TTL).
const (
	// DefaultTTL is the time to live when none is configured.
	DefaultTTL = 15 * time.Minute
	// MinTTL is the shortest time to live accepted: a shorter one would
	// expire tokens before a client could use them.
	MinTTL = time.Second
	// MaxTTL is the longest time to live accepted: a token is a bearer
	// secret, and a long-lived one is worth stealing.
	MaxTTL = 24 * time.Hour
)

// Sizes of the secrets.
const (
	// MinRandomBytes is the fewest random bytes a token is made of (256 bits).
	MinRandomBytes = 32
	// MaxRandomBytes is the most random bytes a token is made of; the
	// bound lets WellFormed refuse oversized headers before any hashing.
	MaxRandomBytes = 64
	// MinKeyBytes is the shortest digest key CheckKey accepts.
	MinKeyBytes = 32
)

// Reasons of token errors.
const (
	// ReasonInvalid: no such token (or not a token at all).
	ReasonInvalid = "TOKEN_INVALID"
	// ReasonUsed: the token has already been consumed.
	ReasonUsed = "TOKEN_USED"
	// ReasonExpired: the token's time to live has passed.
	ReasonExpired = "TOKEN_EXPIRED"
	// ReasonInvalidTTL: a configured time to live is out of bounds.
	ReasonInvalidTTL = "INVALID_TOKEN_TTL"
)

// The vendor's exact messages (msg_code RESTAPI001).
const (
	// MsgInvalid is the message for an unknown token.
	MsgInvalid = "Invalid Token"
	// MsgUsed is the message for a token already consumed.
	MsgUsed = "Token already used"
	// MsgExpired is the message for an expired token. The vendor's
	// wording, grammar included.
	MsgExpired = "Token expire"
)

// InvalidError returns the Unauthorized error for a token the store does
// not know, or a header that is not a token at all.
func InvalidError() error { return fault.New(fault.Unauthorized, ReasonInvalid, MsgInvalid) }

func usedError() error    { return fault.New(fault.Unauthorized, ReasonUsed, MsgUsed) }
func expiredError() error { return fault.New(fault.Unauthorized, ReasonExpired, MsgExpired) }

// Token is the stored record of a token: its digest, who it was issued to,
// and when it was issued, expires and was consumed. Its fields are
// unexported so that a Token changes only through Consume.
type Token struct {
	digest     []byte
	org        int64
	vendorID   string
	issuedAt   time.Time
	expiresAt  time.Time
	consumedAt time.Time // zero while not consumed
}

// Issue returns a token issued at issuedAt to vendorID of organisation org,
// living for ttl. digest is the token's keyed digest (see Digest); it is
// copied. A ttl that is not positive yields a token that is already
// expired, never one that lives forever; configuration is checked with
// CheckTTL before any token is issued.
func Issue(digest []byte, org int64, vendorID string, issuedAt time.Time, ttl time.Duration) Token {
	if ttl < 0 {
		ttl = 0
	}
	return Token{
		digest:    append([]byte(nil), digest...),
		org:       org,
		vendorID:  vendorID,
		issuedAt:  issuedAt,
		expiresAt: issuedAt.Add(ttl),
	}
}

// Restore rebuilds a token the store has kept. A zero consumedAt means the
// token has not been consumed.
func Restore(digest []byte, org int64, vendorID string, issuedAt, expiresAt, consumedAt time.Time) Token {
	return Token{
		digest:     append([]byte(nil), digest...),
		org:        org,
		vendorID:   vendorID,
		issuedAt:   issuedAt,
		expiresAt:  expiresAt,
		consumedAt: consumedAt,
	}
}

// Digest returns a copy of the token's keyed digest, the store's key.
func (t Token) Digest() []byte { return append([]byte(nil), t.digest...) }

// OrgID returns the organisation the token was issued for.
func (t Token) OrgID() int64 { return t.org }

// VendorID returns the vendor credential the token was issued to.
func (t Token) VendorID() string { return t.vendorID }

// IssuedAt returns when the token was issued.
func (t Token) IssuedAt() time.Time { return t.issuedAt }

// ExpiresAt returns the first instant at which the token is expired.
func (t Token) ExpiresAt() time.Time { return t.expiresAt }

// ConsumedAt returns when the token was consumed, and false if it has not
// been.
func (t Token) ConsumedAt() (time.Time, bool) { return t.consumedAt, !t.consumedAt.IsZero() }

// State returns the token's state at now. A token is expired when
// now >= ExpiresAt: the time to live is a half-open interval
// [IssuedAt, ExpiresAt), so a ttl of 15 minutes means that a call exactly
// 15 minutes later is refused. A consumed token stays Consumed after it
// would have expired, since "already used" is the more useful answer.
func (t Token) State(now time.Time) State {
	switch {
	case !t.consumedAt.IsZero():
		return Consumed
	case !now.Before(t.expiresAt):
		return Expired
	}
	return Issued
}

// Consume returns the token consumed at now, or an Unauthorized error:
// TOKEN_USED "Token already used" when it was consumed before, or
// TOKEN_EXPIRED "Token expire" when it has expired. A now before IssuedAt
// (clocks of two servers disagreeing) is not an error: the token was issued
// and is unused.
func (t Token) Consume(now time.Time) (Token, error) {
	switch t.State(now) {
	case Consumed:
		return t, usedError()
	case Expired:
		return t, expiredError()
	}
	t.consumedAt = now
	return t, nil
}

// CheckTTL reports whether ttl is within [MinTTL, MaxTTL], with an Invalid
// error otherwise. The adapter that reads the configuration names its flag
// or variable in what it shows the operator.
func CheckTTL(ttl time.Duration) error {
	if ttl < MinTTL || ttl > MaxTTL {
		return fault.Errorf(fault.Invalid, ReasonInvalidTTL, "token time to live %s is out of bounds: it must be between %s and %s", ttl, MinTTL, MaxTTL)
	}
	return nil
}

// CheckKey reports whether key is long enough to key digests: a short key
// would let whoever reads the stored digests guess it and test tokens
// offline.
func CheckKey(key []byte) error {
	if len(key) < MinKeyBytes {
		return fault.Errorf(fault.Invalid, "INVALID_TOKEN_KEY", "token digest key must be at least %d bytes, got %d", MinKeyBytes, len(key))
	}
	return nil
}

// Generate encodes random, which the caller reads from a cryptographic
// random source, as an opaque URL-safe token (unpadded base64url). It
// needs MinRandomBytes to MaxRandomBytes bytes.
func Generate(random []byte) (raw string, err error) {
	if len(random) < MinRandomBytes || len(random) > MaxRandomBytes {
		return "", fault.Errorf(fault.Internal, "TOKEN_ENTROPY", "a token needs %d to %d random bytes, got %d", MinRandomBytes, MaxRandomBytes, len(random))
	}
	return base64.RawURLEncoding.EncodeToString(random), nil
}

// WellFormed reports whether raw could be a token Generate returned. It
// lets the caller answer "Invalid Token" to garbage without touching the
// store.
func WellFormed(raw string) bool {
	if len(raw) < base64.RawURLEncoding.EncodedLen(MinRandomBytes) || len(raw) > base64.RawURLEncoding.EncodedLen(MaxRandomBytes) {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(raw)
	return err == nil
}

// Digest returns HMAC-SHA256 of raw under key, the only form of a token
// that is stored. Keying it means a copy of the store alone does not let
// anyone check guesses, and hashing it means the store cannot replay a
// token it holds.
func Digest(key []byte, raw string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(raw))
	return m.Sum(nil)
}
