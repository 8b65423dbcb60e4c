// Package idempotency holds the rules of the Idempotency-Key header, as
// Stripe documents them and the IETF Idempotency-Key draft describes: the
// key's shape, what identifies a request, whose keys they are, and which
// outcomes are kept for replay. The HTTP adapter and the service both call
// these rules; neither has a copy.
package idempotency

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"strings"

	"github.com/allot-io/allot/domain/fault"
)

// Header is the request header that carries the key.
const Header = "Idempotency-Key"

// MaxKey is the longest key accepted.
const MaxKey = 255

// Reasons of the idempotency rules.
const (
	ReasonKeyReused     = "IDEMPOTENCY_KEY_REUSED"
	ReasonKeyInProgress = "IDEMPOTENCY_KEY_IN_PROGRESS"
	ReasonKeyInvalid    = "INVALID_IDEMPOTENCY_KEY"
)

// ParseKey checks a client's key: 1 to MaxKey printable ASCII characters
// without spaces.
func ParseKey(s string) (string, error) {
	if s == "" || len(s) > MaxKey {
		return "", fault.InvalidField(Header, "length", ReasonKeyInvalid, "Idempotency-Key must be 1 to 255 characters")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return "", fault.InvalidField(Header, "pattern", ReasonKeyInvalid, "Idempotency-Key must be printable ASCII without spaces")
		}
	}
	return s, nil
}

// Scoped returns the key under which a store keeps key for one credential
// (an API key's public prefix): keys belong to the credential that sent
// them, so that two API keys of one organisation never receive each
// other's responses. The separator, U+001F, is in neither part (keys are
// printable ASCII), so the parts cannot run into each other.
func Scoped(credential, key string) string { return credential + scopeSeparator + key }

const scopeSeparator = "\x1f"

// ParseScoped checks a key as Scoped made it (or an unscoped one): its
// client part must pass ParseKey.
func ParseScoped(s string) (string, error) {
	key := s
	if i := strings.LastIndex(s, scopeSeparator); i >= 0 {
		key = s[i+1:]
	}
	if _, err := ParseKey(key); err != nil {
		return "", err
	}
	return s, nil
}

// Replayable decides what a request whose key is already reserved gets:
// nil when the stored response may be replayed (the same request, whose
// first run finished); otherwise the Invalid error of a key reused with a
// different request, or the Conflict of a first run still in progress.
func Replayable(stored, fingerprint []byte, done bool) error {
	if !bytes.Equal(stored, fingerprint) {
		return fault.New(fault.Invalid, ReasonKeyReused, "this Idempotency-Key was already used with a different request")
	}
	if !done {
		return fault.New(fault.Conflict, ReasonKeyInProgress, "a request with this Idempotency-Key is still in progress; retry later")
	}
	return nil
}

// Fingerprint identifies a request by method, path and body. A JSON body
// counts by its canonical form (object keys sorted, no insignificant
// space, numbers as written), so that the same JSON re-ordered or
// re-spaced is the same request; any other body counts byte for byte.
// Each part is length-prefixed, so that no two requests share an encoding.
func Fingerprint(method, path string, body []byte) []byte {
	h := sha256.New()
	for _, part := range [][]byte{[]byte(method), []byte(path), Canonical(body)} {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(part)))
		h.Write(n[:])
		h.Write(part)
	}
	return h.Sum(nil)
}

// Canonical returns the canonical form of a JSON body, or body itself when
// it is not one JSON value.
func Canonical(body []byte) []byte {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return body
	}
	if _, err := dec.Token(); err == nil {
		// More after the value: not one JSON value.
		return body
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return body
	}
	return bytes.TrimSuffix(out.Bytes(), []byte("\n"))
}

// Keeps reports whether a response is kept for replay under its key: not
// when the request failed validation (code Invalid: nothing ran, and the
// corrected retry must run) and not a server error (status 500 or more,
// which a retry may not meet again). Every other outcome, business
// refusals such as an overlap included, is the request's answer.
func Keeps(status int, code fault.Code) bool {
	return status < 500 && code != fault.Invalid
}
