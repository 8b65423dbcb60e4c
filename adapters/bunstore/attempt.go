package bunstore

import (
	"context"
	"time"

	"github.com/allot-io/allot/ports"
)

// The counters of the guessing limits (ports.AttemptStore). Each call is
// one statement: the upsert's row lock serialises concurrent increments
// of one key on PostgreSQL, in any number of processes, and SQLite has a
// single writer; so every caller sees its own count.

var _ ports.AttemptStore = (*Store)(nil)

// ReserveAttempt implements ports.AttemptStore. Forgetting old windows
// runs only on the first attempt of a window (count 1), so that a flood
// of attempts does not also mean a flood of deletes.
func (s *Store) ReserveAttempt(ctx context.Context, key string, window, forgetBefore time.Time) (int, error) {
	var n int
	err := s.db.NewRaw(`INSERT INTO attempts (attempt_key, window_start, count) VALUES (?, ?, 1)
		ON CONFLICT (attempt_key, window_start) DO UPDATE SET count = attempts.count + 1
		RETURNING count`, key, window.Unix()).Scan(ctx, &n)
	if err != nil {
		return 0, s.dbError(err, "reserve attempt")
	}
	if n == 1 {
		if _, err := s.db.NewRaw("DELETE FROM attempts WHERE window_start < ?", forgetBefore.Unix()).Exec(ctx); err != nil {
			return 0, s.dbError(err, "forget attempts")
		}
	}
	return n, nil
}

// ReleaseAttempt implements ports.AttemptStore.
func (s *Store) ReleaseAttempt(ctx context.Context, key string, window time.Time) error {
	_, err := s.db.NewRaw(`UPDATE attempts SET count = count - 1
		WHERE attempt_key = ? AND window_start = ? AND count > 0`, key, window.Unix()).Exec(ctx)
	return s.dbError(err, "release attempt")
}

// AttemptCount implements ports.AttemptStore.
func (s *Store) AttemptCount(ctx context.Context, key string, window time.Time) (int, error) {
	var n []int
	err := s.db.NewRaw(`SELECT count FROM attempts WHERE attempt_key = ? AND window_start = ?`, key, window.Unix()).Scan(ctx, &n)
	if err != nil {
		return 0, s.dbError(err, "count attempts")
	}
	if len(n) == 0 {
		return 0, nil
	}
	return n[0], nil
}

// ClearAttempts implements ports.AttemptStore.
func (s *Store) ClearAttempts(ctx context.Context, key string) error {
	_, err := s.db.NewRaw("DELETE FROM attempts WHERE attempt_key = ?", key).Exec(ctx)
	return s.dbError(err, "clear attempts")
}
