package bunstore

import (
	"context"
	"time"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// maxReserveRounds bounds ReserveIdempotencyKey's retries when the record it
// found is released before it can be read.
const maxReserveRounds = 10

// ReserveIdempotencyKey stores rec as pending (CreatedAt from the store's
// clock unless rec has one) and returns (rec, true), or returns the record
// already stored under rec.Key and false. A stored record created before
// staleBefore is replaced as if absent. Insert-or-replace is one statement,
// so of concurrent reservations of one key exactly one wins.
func (s *Store) ReserveIdempotencyKey(ctx context.Context, org tenant.OrgID, rec ports.IdempotencyRecord, staleBefore time.Time) (ports.IdempotencyRecord, bool, error) {
	rec.CreatedAt = s.timeOr(rec.CreatedAt)
	rec.Done, rec.Status, rec.Body = false, 0, nil
	if rec.Fingerprint == nil {
		rec.Fingerprint = []byte{}
	}
	stale := dbTime(staleBefore)
	for range maxReserveRounds {
		// The DO UPDATE ... WHERE replaces only a stale record; a fresh one
		// makes the statement return no row.
		var n int
		err := s.db.NewRaw(`INSERT INTO idempotency_keys (org_id, "key", fingerprint, done, status, body, created_at)
			VALUES (?, ?, ?, FALSE, 0, NULL, ?)
			ON CONFLICT (org_id, "key") DO UPDATE SET fingerprint = EXCLUDED.fingerprint, done = FALSE,
				status = 0, body = NULL, created_at = EXCLUDED.created_at
			WHERE idempotency_keys.created_at < ?
			RETURNING 1`,
			int64(org), rec.Key, rec.Fingerprint, rec.CreatedAt, stale).Scan(ctx, &n)
		switch {
		case err == nil:
			return rec, true, nil
		case classify(err) == kindForeignKey:
			return ports.IdempotencyRecord{}, false, orgNotFound()
		case !errNoRows(err):
			return ports.IdempotencyRecord{}, false, s.dbError(err, "reserve idempotency key")
		}
		var r idempotencyRow
		err = s.db.NewRaw(`SELECT org_id, "key", fingerprint, done, status, body, created_at
			FROM idempotency_keys WHERE org_id = ? AND "key" = ?`, int64(org), rec.Key).Scan(ctx, &r)
		if errNoRows(err) {
			continue // released in between: try to reserve again
		}
		if err != nil {
			return ports.IdempotencyRecord{}, false, s.dbError(err, "read idempotency key")
		}
		return ports.IdempotencyRecord{
			Key:         r.Key,
			Fingerprint: r.Fingerprint,
			Done:        r.Done,
			Status:      r.Status,
			Body:        r.Body,
			CreatedAt:   r.CreatedAt.UTC(),
		}, false, nil
	}
	return ports.IdempotencyRecord{}, false, fault.Unavailablef(nil, "idempotency key %s is contended, try again", rec.Key)
}

// CompleteIdempotencyKey records the response of a reserved key. NotFound
// NOT_FOUND when org has no record under key.
func (s *Store) CompleteIdempotencyKey(ctx context.Context, org tenant.OrgID, key string, status int, body []byte) error {
	if body == nil {
		body = []byte{}
	}
	res, err := s.db.NewRaw(`UPDATE idempotency_keys SET done = TRUE, status = ?, body = ? WHERE org_id = ? AND "key" = ?`,
		status, body, int64(org), key).Exec(ctx)
	if err != nil {
		return s.dbError(err, "complete idempotency key")
	}
	if n, err := res.RowsAffected(); err != nil {
		return s.dbError(err, "complete idempotency key")
	} else if n == 0 {
		return fault.Errorf(fault.NotFound, tenant.ReasonNotFound, "idempotency key %s not found", key)
	}
	return nil
}

// ReleaseIdempotencyKey forgets a pending key so that a retry can run. A
// completed record is kept, and a missing one is not an error.
func (s *Store) ReleaseIdempotencyKey(ctx context.Context, org tenant.OrgID, key string) error {
	_, err := s.db.NewRaw(`DELETE FROM idempotency_keys WHERE org_id = ? AND "key" = ? AND done = FALSE`,
		int64(org), key).Exec(ctx)
	return s.dbError(err, "release idempotency key")
}
