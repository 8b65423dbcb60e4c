package enrollment

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"
)

// Redacted is what every printed, logged or marshalled secret shows.
const Redacted = "[REDACTED]"

// Secret holds a value that must never reach a response or a log line: a
// customer password, a port-out account password or SSN, an agent password.
// Every way of printing it (fmt with any verb, log/slog, encoding/json,
// encoding.TextMarshaler) shows Redacted; the value is only available
// through Reveal, so that each use of it is explicit and easy to audit.
//
// Secret is a struct rather than a named string so that a plain conversion
// such as string(s) cannot leak it by accident.
type Secret struct{ value string }

// NewSecret wraps s.
func NewSecret(s string) Secret { return Secret{value: s} }

// Reveal returns the secret value. Call it only where the value is hashed,
// encrypted or compared.
func (s Secret) Reveal() string { return s.value }

// IsZero reports whether the secret is empty (the field was absent).
func (s Secret) IsZero() bool { return s.value == "" }

// String returns Redacted.
func (s Secret) String() string { return Redacted }

// GoString returns Redacted, so that %#v does not print the value either.
func (s Secret) GoString() string { return Redacted }

// Format writes Redacted for every verb; without it, verbs such as %d or %x
// would make fmt print the struct's field by reflection.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(Redacted)) }

// LogValue makes log/slog record Redacted.
func (s Secret) LogValue() slog.Value { return slog.StringValue(Redacted) }

// MarshalJSON encodes the secret as the JSON string "[REDACTED]".
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + Redacted + `"`), nil }

// MarshalText returns Redacted, for encoders that use encoding.TextMarshaler.
func (s Secret) MarshalText() ([]byte, error) { return []byte(Redacted), nil }

// writeField writes sep and json:"value", or json:[REDACTED] for a secret,
// the form String methods use.
func writeField(b *strings.Builder, sep, json, v string, secret bool) {
	b.WriteString(sep)
	b.WriteString(json)
	b.WriteByte(':')
	if secret {
		b.WriteString(Redacted)
		return
	}
	b.WriteString(strconv.Quote(v))
}
