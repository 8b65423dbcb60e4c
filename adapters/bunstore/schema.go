package bunstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/ports"
)

// ReasonSchemaOutdated is the reason of the error of a database whose
// schema is older than this build's migrations.
const ReasonSchemaOutdated = ports.ReasonSchemaOutdated

var _ ports.SchemaChecker = (*Store)(nil)

// CheckSchema implements ports.SchemaChecker: nil when every migration of
// this build is applied; otherwise Unavailable SCHEMA_OUTDATED, saying
// where the database is, what this build needs, and to run `allot
// migrate`. It never changes the database (bun's own tables included).
func (s *Store) CheckSchema(ctx context.Context) error {
	m, all, err := s.migratorWith()
	if err != nil {
		return err
	}
	sorted := all.Sorted()
	if len(sorted) == 0 {
		return nil
	}
	want := sorted[len(sorted)-1].String()
	current := "none (it was never migrated)"
	var tables int
	if err := s.db.NewRaw(s.dialect.tableExists(), "bun_migrations").Scan(ctx, &tables); err != nil {
		return s.dbError(err, "migration status")
	}
	if tables > 0 {
		// Without the bookkeeping table the database was never migrated.
		ms, err := m.MigrationsWithStatus(ctx)
		if err != nil {
			return s.dbError(err, "migration status")
		}
		if len(ms.Unapplied()) == 0 {
			return nil
		}
		if applied := ms.Applied(); len(applied) > 0 {
			current = applied[0].String()
		}
	}
	return &fault.Error{Code: fault.Unavailable, Reason: ReasonSchemaOutdated, Message: fmt.Sprintf(
		"the database is at migration %s, this build needs %s: run `allot migrate`", current, want)}
}

// undefinedTable reports whether err is PostgreSQL's undefined_table or
// undefined_column: the schema lacks what a query of this build uses.
func undefinedTable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "42P01" || pe.Code == "42703")
}

// schemaError explains an undefined table or column met by a query: when
// the schema is behind this build, that is the error, not the query's.
func (s *Store) schemaError(err error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if serr := s.CheckSchema(ctx); fault.ReasonOf(serr) == ReasonSchemaOutdated {
		return serr
	}
	return fault.Wrap(err, "query")
}
