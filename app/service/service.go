// Package service implements the driving ports (use cases) on top of the
// domain rules and the driven ports. It imports no framework, driver or
// adapter, so every rule lives once and the HTTP API, the CLI and the
// dashboard all go through it.
package service

import (
	"crypto/rand"
	"io"
	"time"

	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/ports"
)

// Config tunes the use cases.
type Config struct {
	// Series bounds series sizes.
	Series series.Limits
	// IdempotencyTTL is how long a response is kept for replay; default 24h.
	IdempotencyTTL time.Duration
}

// Deps are the driven ports the use cases need.
type Deps struct {
	Store ports.Store
	// Clock defaults to the UTC wall clock.
	Clock ports.Clock
	// Random is the source of key material; defaults to crypto/rand.
	Random io.Reader
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
	orgs := &Orgs{store: deps.Store, clock: deps.Clock}
	return ports.Services{
		Auth:         &Auth{store: deps.Store},
		Orgs:         orgs,
		APIKeys:      &APIKeys{store: deps.Store, clock: deps.Clock, random: deps.Random},
		Customers:    &Customers{store: deps.Store},
		Hubs:         &Hubs{store: deps.Store},
		ServiceTypes: &ServiceTypes{store: deps.Store},
		Series:       &Series{store: deps.Store, clock: deps.Clock, limits: cfg.Series},
		Idempotency:  &Idempotency{store: deps.Store, clock: deps.Clock, ttl: cfg.IdempotencyTTL},
		Health:       &Health{store: deps.Store},
	}
}
