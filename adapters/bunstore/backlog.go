package bunstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/uptrace/bun"

	"github.com/allot-io/allot/ports"
)

var _ ports.QueueReader = (*Store)(nil)

// ProvisioningBacklog implements ports.QueueReader: the unfinished
// provisioning jobs of every organisation and the age of the oldest, by
// the database's clock (River stamps jobs with it), in one statement.
func (s *Store) ProvisioningBacklog(ctx context.Context) (ports.QueueLevel, error) {
	age := s.dialect.secondsSince("MIN(created_at)")
	var depth int
	var seconds sql.NullFloat64
	err := s.db.NewRaw("SELECT COUNT(*), "+age+" FROM river_job WHERE kind = ? AND state IN (?)",
		provisionArgs{}.Kind(), bun.List(stateNames(uniqueStates))).Scan(ctx, &depth, &seconds)
	if err != nil {
		return ports.QueueLevel{}, s.dbError(err, "read the provisioning backlog")
	}
	out := ports.QueueLevel{Depth: depth}
	if seconds.Valid && seconds.Float64 > 0 {
		out.OldestAge = time.Duration(seconds.Float64 * float64(time.Second))
	}
	return out, nil
}
