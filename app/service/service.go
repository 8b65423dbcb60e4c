// Package service implements the driving ports (use cases) on top of the
// domain rules and the driven ports. It imports no framework, driver or
// adapter, so every rule lives once and the HTTP API, the CLI and the
// dashboard all go through it.
package service

import (
	"crypto/rand"
	"io"
	"time"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/operator"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/token"
	"github.com/allot-io/allot/ports"
)

// Config tunes the use cases.
type Config struct {
	// Series bounds series sizes.
	Series series.Limits
	// IdempotencyTTL is how long a response is kept for replay; default 24h.
	IdempotencyTTL time.Duration
	// TokenTTL is how long an enrollment API token lives; default 15m.
	TokenTTL time.Duration
	// Enrollment bounds enrollment requests.
	Enrollment enrollment.Limits
	// SessionTTL is how long a dashboard session lasts; default
	// operator.DefaultSessionTTL.
	SessionTTL time.Duration
	// SignInLockout is the dashboard's sign-in lockout; the zero Policy
	// means operator.DefaultPolicy.
	SignInLockout operator.Policy
	// SignInFailureDelay is added to every failed sign-in; zero means
	// DefaultSignInFailureDelay and a negative value none (for tests).
	SignInFailureDelay time.Duration
}

// Deps are the driven ports the use cases need.
type Deps struct {
	Store ports.Store
	// Clock defaults to the UTC wall clock.
	Clock ports.Clock
	// Random is the source of key material; defaults to crypto/rand.
	Random io.Reader
	// Hasher hashes passwords and pins.
	Hasher ports.PasswordHasher
	// Sealer encrypts secrets kept for carriers; without it (and TokenKey)
	// the enrollment API answers Unavailable, which suits CLI-only use.
	Sealer ports.Sealer
	// TokenKey keys the digests under which tokens are stored.
	TokenKey []byte
	// SessionKey keys the digests under which dashboard sessions are
	// stored and their CSRF tokens; without it sign-in answers Unavailable.
	SessionKey []byte
}

// New returns every service over deps.
func New(deps Deps, cfg Config) ports.Services {
	if deps.Clock == nil {
		deps.Clock = ports.ClockFunc(func() time.Time { return time.Now().UTC() })
	}
	if deps.Random == nil {
		deps.Random = rand.Reader
	}
	if cfg.IdempotencyTTL <= 0 {
		cfg.IdempotencyTTL = 24 * time.Hour
	}
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = token.DefaultTTL
	}
	orgs := &Orgs{store: deps.Store, clock: deps.Clock}
	seriesSvc := &Series{store: deps.Store, clock: deps.Clock, limits: cfg.Series}
	enr := &Enrollment{
		store: deps.Store, clock: deps.Clock, random: deps.Random,
		hasher: deps.Hasher, sealer: deps.Sealer, tokenKey: deps.TokenKey,
		ttl: cfg.TokenTTL, limits: cfg.Enrollment,
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = operator.DefaultSessionTTL
	}
	if cfg.SignInLockout == (operator.Policy{}) {
		cfg.SignInLockout = operator.DefaultPolicy
	}
	switch {
	case cfg.SignInFailureDelay == 0:
		cfg.SignInFailureDelay = DefaultSignInFailureDelay
	case cfg.SignInFailureDelay < 0:
		cfg.SignInFailureDelay = 0
	}
	ops := &Operators{
		store: deps.Store, clock: deps.Clock, random: deps.Random, hasher: deps.Hasher,
		key: deps.SessionKey, ttl: cfg.SessionTTL, policy: cfg.SignInLockout, delay: cfg.SignInFailureDelay,
	}
	if deps.Hasher != nil {
		// Any valid hash serves; its secret is never checked for a match.
		enr.dummyHash, _ = deps.Hasher.Hash("allot-dummy")
		ops.dummyHash = enr.dummyHash
	}
	return ports.Services{
		Auth:         &Auth{store: deps.Store},
		Orgs:         orgs,
		APIKeys:      &APIKeys{store: deps.Store, clock: deps.Clock, random: deps.Random},
		Customers:    &Customers{store: deps.Store},
		Hubs:         &Hubs{store: deps.Store},
		ServiceTypes: &ServiceTypes{store: deps.Store},
		Series:       seriesSvc,
		Numbers:      &Numbers{store: deps.Store, clock: deps.Clock, series: seriesSvc},
		Idempotency:  &Idempotency{store: deps.Store, clock: deps.Clock, ttl: cfg.IdempotencyTTL},
		Health:       &Health{store: deps.Store},
		Enrollment:   enr,
		Operators:    ops,
	}
}
