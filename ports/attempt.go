package ports

import (
	"context"
	"time"
)

// AttemptStore counts attempts per key and window for the guessing limits
// of domain/attempt. Keys are attempt.Key values; windows are identified
// by their start.
type AttemptStore interface {
	// ReserveAttempt adds one to the count of key in the window beginning
	// at window and returns the new count, in one atomic step: concurrent
	// calls, in any process, each get a different count. It may forget
	// the counts of windows that began before forgetBefore.
	ReserveAttempt(ctx context.Context, key string, window, forgetBefore time.Time) (int, error)
	// ReleaseAttempt takes back one attempt of key in the window beginning
	// at window (an attempt that succeeded); it never goes below zero.
	ReleaseAttempt(ctx context.Context, key string, window time.Time) error
	// AttemptCount returns the count of key in the window beginning at
	// window, 0 when there is none.
	AttemptCount(ctx context.Context, key string, window time.Time) (int, error)
	// ClearAttempts forgets every count of key.
	ClearAttempts(ctx context.Context, key string) error
}

// clientAddressKey is the context key of the client's address.
type clientAddressKey struct{}

// WithClientAddress returns ctx carrying addr, the network address of the
// client a request came from, which the guessing limits count per address.
// Adapters set it on every request; a context without one counts under "".
func WithClientAddress(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, clientAddressKey{}, addr)
}

// ClientAddress returns the client address ctx carries, or "".
func ClientAddress(ctx context.Context) string {
	s, _ := ctx.Value(clientAddressKey{}).(string)
	return s
}

// ReasonSchemaOutdated is the reason of SchemaChecker's error.
const ReasonSchemaOutdated = "SCHEMA_OUTDATED"

// SchemaChecker is implemented by stores with versioned migrations.
type SchemaChecker interface {
	// CheckSchema returns nil when the database holds every migration this
	// build needs; otherwise Unavailable SCHEMA_OUTDATED, whose message
	// names the database's migration, this build's and the command to run.
	CheckSchema(ctx context.Context) error
}
