// Package fault is Allot's error model: a closed set of codes, a business
// reason, a human message and the field violations that caused it. Every
// adapter maps Code to its own protocol in exactly one table.
package fault

import (
	"errors"
	"fmt"
	"strings"
)

// Code classifies an error so that adapters can map it to a protocol status.
type Code string

// The closed set of error codes.
const (
	Invalid      Code = "invalid"
	NotFound     Code = "not_found"
	Conflict     Code = "conflict"
	Unauthorized Code = "unauthorized"
	Forbidden    Code = "forbidden"
	Unavailable  Code = "unavailable"
	Internal     Code = "internal"
)

// Violation is one broken rule of one field. Line is the 1-based line of a
// multi-line request, or 0 when the field is not part of a line.
type Violation struct {
	Line    int
	Field   string
	Rule    string
	Reason  string
	Message string
}

// Error is the error value every use case returns. Reason is an upper-snake
// business reason (for example SERIES_OVERLAP) that protocols such as the
// series API expose verbatim; Message is safe to show to a client.
type Error struct {
	Code       Code
	Reason     string
	Message    string
	Violations []Violation
	// Err is the underlying cause; it is logged, never shown to a client.
	Err error
}

// Error implements the error interface.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Code))
	if e.Reason != "" {
		b.WriteString(" ")
		b.WriteString(e.Reason)
	}
	b.WriteString(": ")
	b.WriteString(e.Message)
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// New returns an Error with the given code, reason and message.
func New(code Code, reason, message string) *Error {
	return &Error{Code: code, Reason: reason, Message: message}
}

// Errorf returns an Error whose message is formatted.
func Errorf(code Code, reason, format string, args ...any) *Error {
	return &Error{Code: code, Reason: reason, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an Internal error that keeps err as its cause and shows
// clients only a generic message.
func Wrap(err error, what string) *Error {
	if err == nil {
		return nil
	}
	var fe *Error
	if errors.As(err, &fe) {
		return fe
	}
	return &Error{Code: Internal, Reason: "INTERNAL", Message: "internal error", Err: fmt.Errorf("%s: %w", what, err)}
}

// Unavailablef returns an Unavailable error with cause err.
func Unavailablef(err error, format string, args ...any) *Error {
	return &Error{Code: Unavailable, Reason: "UNAVAILABLE", Message: fmt.Sprintf(format, args...), Err: err}
}

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var fe *Error
	if errors.As(err, &fe) {
		return fe, true
	}
	return nil, false
}

// CodeOf returns the code of err: "" for nil, Internal for an error that is
// not an *Error.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	if fe, ok := As(err); ok {
		return fe.Code
	}
	return Internal
}

// ReasonOf returns the reason of err, or "" when it has none.
func ReasonOf(err error) string {
	if fe, ok := As(err); ok {
		return fe.Reason
	}
	return ""
}

// Violations collects field violations so that validation reports every
// broken rule rather than the first.
type Violations []Violation

// Add appends a violation.
func (vs *Violations) Add(v Violation) { *vs = append(*vs, v) }

// Err returns nil when nothing was violated, or an Invalid error whose reason
// and message are those of the first violation and which carries them all.
func (vs Violations) Err() error {
	if len(vs) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Reason: vs[0].Reason, Message: vs[0].Message, Violations: append([]Violation(nil), vs...)}
}

// InvalidField returns an Invalid error for a single field.
func InvalidField(field, rule, reason, message string) *Error {
	v := Violation{Field: field, Rule: rule, Reason: reason, Message: message}
	return &Error{Code: Invalid, Reason: reason, Message: message, Violations: []Violation{v}}
}

// MaxListed is the most violations an adapter lists in one response; the
// rest are only counted, so that no request can make an error response
// grow with its body.
const MaxListed = 20

// Listed returns the violations a response lists (at most MaxListed) and
// how many more there are.
func (e *Error) Listed() (listed []Violation, omitted int) {
	if len(e.Violations) <= MaxListed {
		return e.Violations, 0
	}
	return e.Violations[:MaxListed], len(e.Violations) - MaxListed
}
