package service

import (
	"bytes"
	"context"
	"time"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// Reasons of the idempotency rules.
const (
	ReasonKeyReused     = "IDEMPOTENCY_KEY_REUSED"
	ReasonKeyInProgress = "IDEMPOTENCY_KEY_IN_PROGRESS"
	ReasonKeyInvalid    = "INVALID_IDEMPOTENCY_KEY"
)

// MaxIdempotencyKey is the longest Idempotency-Key accepted.
const MaxIdempotencyKey = 255

// Idempotency implements ports.IdempotencyService.
type Idempotency struct {
	store ports.Store
	clock ports.Clock
	ttl   time.Duration
}

var _ ports.IdempotencyService = (*Idempotency)(nil)

// Begin implements ports.IdempotencyService.
func (s *Idempotency) Begin(ctx context.Context, org tenant.OrgID, key string, fingerprint []byte) (*ports.Replay, error) {
	if key == "" || len(key) > MaxIdempotencyKey {
		return nil, fault.InvalidField("Idempotency-Key", "length", ReasonKeyInvalid, "Idempotency-Key must be 1 to 255 characters")
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return nil, fault.InvalidField("Idempotency-Key", "pattern", ReasonKeyInvalid, "Idempotency-Key must be printable ASCII without spaces")
		}
	}
	now := s.clock.Now()
	rec := ports.IdempotencyRecord{Key: key, Fingerprint: fingerprint, CreatedAt: now}
	got, created, err := s.store.ReserveIdempotencyKey(ctx, org, rec, now.Add(-s.ttl))
	if err != nil || created {
		return nil, err
	}
	if !bytes.Equal(got.Fingerprint, fingerprint) {
		return nil, fault.New(fault.Invalid, ReasonKeyReused, "this Idempotency-Key was already used with a different request")
	}
	if !got.Done {
		return nil, fault.New(fault.Conflict, ReasonKeyInProgress, "a request with this Idempotency-Key is still in progress; retry later")
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
type Health struct{ store ports.Store }

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
