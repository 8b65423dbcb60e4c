// Package service implements the driving ports (use cases) on top of the
// domain rules and the driven ports. It imports no framework, driver or
// adapter, so every rule lives once and the HTTP API, the CLI and the
// dashboard all go through it.
package service

import (
	"crypto/rand"
	"io"
	"time"

	"github.com/allot-io/allot/domain/attempt"
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
	// SignInLockout is the dashboard's sign-in lockout per email; the zero
	// Policy means operator.DefaultPolicy.
	SignInLockout attempt.Policy
	// SignInAddressLimit limits sign-ins per client address; the zero
	// Policy means operator.DefaultAddressPolicy.
	SignInAddressLimit attempt.Policy
	// SignInFailureDelay is added to every failed sign-in; zero means
	// DefaultSignInFailureDelay and a negative value none (for tests).
	SignInFailureDelay time.Duration
	// VerifiedCredentialTTL is how long POST /authenticate trusts vendor
	// credentials it verified without hashing them again (verifiedCreds);
	// zero means enrollment.DefaultVerifiedTTL, a negative value turns the
	// cache off, and it is never more than enrollment.MaxVerifiedTTL.
	VerifiedCredentialTTL time.Duration
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
	// Orders stores orders and their configuration; nil means Store, when
	// it keeps them too. Without either the order service is nil.
	Orders ports.OrderStore
	// Gateway charges cards; nil means card payments are refused.
	Gateway ports.PaymentGateway
	// Metrics receives the events operators watch; nil records nothing.
	Metrics ports.Metrics
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
	g := guard{store: deps.Store, clock: deps.Clock, local: &inflight{}}
	deps.Metrics = metricsOr(deps.Metrics)
	orgs := &Orgs{store: deps.Store, clock: deps.Clock}
	if deps.Orders == nil {
		deps.Orders, _ = deps.Store.(ports.OrderStore)
	}
	seriesSvc := &Series{store: deps.Store, draws: NewDrawCoalescer(deps.Store), clock: deps.Clock, limits: cfg.Series, metrics: deps.Metrics}
	enr := &Enrollment{
		store: deps.Store, orders: deps.Orders, clock: deps.Clock, random: deps.Random,
		hasher: deps.Hasher, sealer: deps.Sealer, tokenKey: deps.TokenKey,
		ttl: cfg.TokenTTL, limits: cfg.Enrollment, guard: g, metrics: deps.Metrics,
		verified: newVerifiedCreds(deps.Store, deps.TokenKey, verifiedTTL(cfg.VerifiedCredentialTTL), deps.Clock),
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = operator.DefaultSessionTTL
	}
	if cfg.SignInLockout == (attempt.Policy{}) {
		cfg.SignInLockout = operator.DefaultPolicy
	}
	if cfg.SignInAddressLimit == (attempt.Policy{}) {
		cfg.SignInAddressLimit = operator.DefaultAddressPolicy
	}
	switch {
	case cfg.SignInFailureDelay == 0:
		cfg.SignInFailureDelay = operator.DefaultFailureDelay
	case cfg.SignInFailureDelay < 0:
		cfg.SignInFailureDelay = 0
	}
	ops := &Operators{
		store: deps.Store, clock: deps.Clock, random: deps.Random, hasher: deps.Hasher,
		key: deps.SessionKey, ttl: cfg.SessionTTL, policy: cfg.SignInLockout, addrPolicy: cfg.SignInAddressLimit, guard: g,
		delay: cfg.SignInFailureDelay, metrics: deps.Metrics,
	}
	if deps.Hasher != nil {
		// Any valid hash serves; its secret is never checked for a match.
		enr.dummyHash, _ = deps.Hasher.Hash("allot-dummy")
		ops.dummyHash = enr.dummyHash
	}
	svc := ports.Services{
		Auth:         &Auth{store: deps.Store, guard: g, blocked: &blocklist{}, metrics: deps.Metrics},
		Orgs:         orgs,
		APIKeys:      &APIKeys{store: deps.Store, clock: deps.Clock, random: deps.Random},
		Customers:    &Customers{store: deps.Store},
		Hubs:         &Hubs{store: deps.Store},
		ServiceTypes: &ServiceTypes{store: deps.Store},
		Series:       seriesSvc,
		Numbers:      &Numbers{store: deps.Store, clock: deps.Clock, series: seriesSvc, metrics: deps.Metrics},
		Idempotency:  &Idempotency{store: deps.Store, clock: deps.Clock, ttl: cfg.IdempotencyTTL},
		Health:       &Health{store: deps.Store},
		Enrollment:   enr,
		Operators:    ops,
	}
	if deps.Orders != nil {
		maxLines := cfg.Enrollment.MaxLines
		if maxLines <= 0 {
			maxLines = enrollment.DefaultMaxLines
		}
		svc.Orders = &Orders{store: deps.Orders, enr: enr, clock: deps.Clock, gateway: deps.Gateway, maxLines: maxLines}
	}
	return svc
}

// verifiedTTL applies Config.VerifiedCredentialTTL's default and bound.
func verifiedTTL(ttl time.Duration) time.Duration {
	if ttl == 0 {
		return enrollment.DefaultVerifiedTTL
	}
	return min(ttl, enrollment.MaxVerifiedTTL)
}
