// Package signature is the HMAC-SHA256 signing both of Allot's signed
// conversations use: the carrier gateway's (a signature over the body) and
// the webhooks' (over a timestamp and the body). It is pure: keys, bodies
// and times come in as arguments.
package signature

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"
)

// BodyPrefix starts a body signature: "sha256=" and the hex HMAC.
const BodyPrefix = "sha256="

// Body returns the signature of body under secret: BodyPrefix and the hex
// HMAC-SHA256 of the body.
func Body(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return BodyPrefix + hex.EncodeToString(m.Sum(nil))
}

// BodyValid reports whether sig is body's signature under secret, in
// constant time.
func BodyValid(secret, body []byte, sig string) bool {
	return hmac.Equal([]byte(sig), []byte(Body(secret, body)))
}

// TimedPrefix starts a timestamped signature: the scheme's version and
// the hex HMAC.
const TimedPrefix = "v1="

// Timed returns the signature of body sent at ts under secret: TimedPrefix
// and the hex HMAC-SHA256 of the decimal Unix seconds of ts, a full stop
// and the body. Signing the time with the body is what lets a receiver
// refuse a replayed request: an attacker cannot move the timestamp without
// the secret.
func Timed(secret []byte, ts time.Time, body []byte) string {
	return TimedUnix(secret, strconv.FormatInt(ts.Unix(), 10), body)
}

// TimedUnix is Timed with the timestamp as sent: decimal Unix seconds.
func TimedUnix(secret []byte, unix string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(unix))
	m.Write([]byte{'.'})
	m.Write(body)
	return TimedPrefix + hex.EncodeToString(m.Sum(nil))
}

// TimedValid reports whether sig is the timed signature of body sent at
// unix (decimal Unix seconds, as sent) under secret, in constant time.
func TimedValid(secret []byte, unix string, body []byte, sig string) bool {
	return hmac.Equal([]byte(sig), []byte(TimedUnix(secret, unix, body)))
}
