package operator

import (
	"encoding/base64"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/domain/token"
)

// Operator is a person who signs in to the dashboard. An operator belongs
// to exactly one organisation and sees only its data. Email is unique
// across organisations, because the sign-in form names no organisation.
type Operator struct {
	ID           int64
	Org          tenant.OrgID
	Email        string
	PasswordHash string
	CreatedAt    time.Time
}

// Limits of emails and passwords.
const (
	// MaxEmail is the longest email accepted (RFC 5321's path limit).
	MaxEmail = 254
	// MinPassword is the fewest characters a chosen password may have.
	MinPassword = 12
	// MaxPassword is the most bytes a password may have; the bound keeps a
	// sign-in from making the server hash megabytes.
	MaxPassword = 128
	// GeneratedPassword is the length of a password the service generates.
	GeneratedPassword = 24
)

// Reasons of operator errors.
const (
	ReasonInvalidEmail    = "INVALID_EMAIL"
	ReasonInvalidPassword = "INVALID_PASSWORD"
	// ReasonCredentials: the email or the password is wrong. Which one is
	// never said, so that sign-in does not reveal who has an account.
	ReasonCredentials = "INVALID_CREDENTIALS"
	// ReasonLocked: too many failed sign-ins for the email; see Policy.
	ReasonLocked = "SIGN_IN_LOCKED"
	// ReasonSessionInvalid: no such session, or it expired or was ended.
	ReasonSessionInvalid = "SESSION_INVALID"
)

// Messages shown to a person signing in.
const (
	MsgCredentials    = "Wrong email or password"
	MsgSessionInvalid = "Your session has ended; please sign in again"
)

// CredentialsError is the error of a failed sign-in, whatever failed.
func CredentialsError() error {
	return fault.New(fault.Unauthorized, ReasonCredentials, MsgCredentials)
}

// SessionInvalidError is the error of a session that cannot be used.
func SessionInvalidError() error {
	return fault.New(fault.Unauthorized, ReasonSessionInvalid, MsgSessionInvalid)
}

// ParseEmail checks an email given in field and returns it trimmed and in
// lower case, the form in which it is stored and compared: one '@'
// between a local part of printable characters and a domain of dot-separated
// labels (letters, digits, '-'), with at least one dot.
func ParseEmail(field, s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	bad := func(msg string) (string, error) {
		return "", fault.InvalidField(field, "pattern", ReasonInvalidEmail, msg)
	}
	if s == "" {
		return "", fault.InvalidField(field, "required", ReasonInvalidEmail, field+" is required")
	}
	if len(s) > MaxEmail {
		return bad(fmt.Sprintf("%s must be at most %d characters", field, MaxEmail))
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || domain == "" || strings.Contains(domain, "@") {
		return bad(field + " must look like name@example.com")
	}
	for i := 0; i < len(local); i++ {
		c := local[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),:;<>[\]`, c) >= 0 {
			return bad(field + " must look like name@example.com")
		}
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return bad(field + " must look like name@example.com")
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return bad(field + " must look like name@example.com")
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') {
				return bad(field + " must look like name@example.com")
			}
		}
	}
	return s, nil
}

// CheckPassword checks a password an operator chose: MinPassword to
// MaxPassword characters, no control characters. Surrounding spaces are
// part of the password.
func CheckPassword(field, p string) error {
	bad := func(msg string) error { return fault.InvalidField(field, "pattern", ReasonInvalidPassword, msg) }
	if !utf8.ValidString(p) {
		return bad(field + " must be valid text")
	}
	if utf8.RuneCountInString(p) < MinPassword {
		return bad(fmt.Sprintf("%s must have at least %d characters", field, MinPassword))
	}
	if len(p) > MaxPassword {
		return bad(fmt.Sprintf("%s must be at most %d bytes", field, MaxPassword))
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f {
			return bad(field + " must not contain control characters")
		}
	}
	return nil
}

// DefaultFailureDelay is how long a failed sign-in waits before it
// answers, unless configured otherwise: it slows a guesser down without
// costing a person anything.
const DefaultFailureDelay = 500 * time.Millisecond

// DefaultSessionTTL is how long a dashboard session lasts when none is
// configured: a working day, after which the operator signs in again.
const DefaultSessionTTL = 12 * time.Hour

// Session is the stored record of a signed-in operator. The session id
// itself is a random secret (token.Generate) held only by the browser;
// the store keeps its keyed digest (token.Digest).
type Session struct {
	Digest     []byte
	OperatorID int64
	CreatedAt  time.Time
	ExpiresAt  time.Time
}

// Expired reports whether the session is over at now: its lifetime is the
// half-open interval [CreatedAt, ExpiresAt), as a token's is.
func (s Session) Expired(now time.Time) bool { return !now.Before(s.ExpiresAt) }

// CSRFToken returns the anti-forgery token of the session whose id is raw:
// a keyed digest of the id, so that it needs no storage, differs from the
// digest the store keeps, and cannot be computed by whoever lacks the key.
// Every form of a signed-in page carries it, and every POST must send it
// back.
func CSRFToken(key []byte, raw string) string {
	return base64.RawURLEncoding.EncodeToString(token.Digest(key, "csrf\x00"+raw))
}
