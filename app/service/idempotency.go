package service

import (
	"context"
	"time"

	"github.com/allot-io/allot/domain/idempotency"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// Idempotency implements ports.IdempotencyService.
type Idempotency struct {
	store ports.IdempotencyStore
	clock ports.Clock
	ttl   time.Duration
}

var _ ports.IdempotencyService = (*Idempotency)(nil)

// Begin implements ports.IdempotencyService. key is a client's key, or one
// scoped to its credential by idempotency.Scoped.
func (s *Idempotency) Begin(ctx context.Context, org tenant.OrgID, key string, fingerprint []byte) (*ports.Replay, error) {
	if _, err := idempotency.ParseScoped(key); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	rec := ports.IdempotencyRecord{Key: key, Fingerprint: fingerprint, CreatedAt: now}
	got, created, err := s.store.ReserveIdempotencyKey(ctx, org, rec, now.Add(-s.ttl))
	if err != nil || created {
		return nil, err
	}
	if err := idempotency.Replayable(got.Fingerprint, fingerprint, got.Done); err != nil {
		return nil, err
	}
	return &ports.Replay{Status: got.Status, Body: got.Body}, nil
}

// Finish implements ports.IdempotencyService.
func (s *Idempotency) Finish(ctx context.Context, org tenant.OrgID, key string, status int, body []byte) error {
	return s.store.CompleteIdempotencyKey(ctx, org, key, status, body)
}

// Abandon implements ports.IdempotencyService.
func (s *Idempotency) Abandon(ctx context.Context, org tenant.OrgID, key string) error {
	return s.store.ReleaseIdempotencyKey(ctx, org, key)
}

// Health implements ports.HealthService.
type Health struct{ store ports.Pinger }

var _ ports.HealthService = (*Health)(nil)

// Ready implements ports.HealthService: the database answers and, for a
// store with migrations, holds every one this build needs (an unmigrated
// database answers every call with an error, so it is not ready).
func (s *Health) Ready(ctx context.Context) error {
	if err := s.store.Ping(ctx); err != nil {
		return err
	}
	if sc, ok := s.store.(ports.SchemaChecker); ok {
		return sc.CheckSchema(ctx)
	}
	return nil
}
