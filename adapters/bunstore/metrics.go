package bunstore

import (
	"database/sql"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/ports"
)

// WithMetrics makes the store count on m every database failure it
// returns, by the fault code it returns it as (unavailable or internal).
// Refusals that are answers, such as an overlap or a missing row, are not
// failures and are not counted.
func WithMetrics(m ports.Metrics) Option {
	return func(cfg *config) {
		if m != nil {
			cfg.metrics = m
		}
	}
}

// failed counts a database failure translated to err and returns err.
func (s *Store) failed(err *fault.Error) error {
	if s.metrics != nil {
		s.metrics.StoreError(err.Code)
	}
	return err
}

// Pools returns the store's connection pools by name, for their
// statistics: "primary", and on a SQLite file also "read", the read-only
// connections look-ups use.
func (s *Store) Pools() map[string]*sql.DB {
	pools := map[string]*sql.DB{"primary": s.db.DB}
	if s.ro != s.db {
		pools["read"] = s.ro.DB
	}
	return pools
}
