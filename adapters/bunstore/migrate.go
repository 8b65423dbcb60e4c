package bunstore

import (
	"context"
	"embed"
	"errors"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/uptrace/bun/migrate"

	"github.com/allot-io/allot/domain/fault"
)

// migrationFiles holds one directory of versioned SQL migrations per dialect.
// Both directories use the same version ids, so that "migration N" means the
// same logical schema on either database.
//
//go:embed migrations/pg/*.sql migrations/sqlite/*.sql
var migrationFiles embed.FS

// lockWait is how long Migrate waits for another process's migration lock.
const lockWait = 30 * time.Second

func (s *Store) migrator() (*migrate.Migrator, error) {
	m, _, err := s.migratorWith()
	return m, err
}

// migratorWith is migrator, also returning this build's migrations.
func (s *Store) migratorWith() (*migrate.Migrator, *migrate.Migrations, error) {
	sub, err := fs.Sub(migrationFiles, "migrations/"+s.dialect.name())
	if err != nil {
		return nil, nil, fault.Wrap(err, "open migrations")
	}
	ms := migrate.NewMigrations()
	if err := ms.Discover(sub); err != nil {
		return nil, nil, fault.Wrap(err, "discover migrations")
	}
	// Mark a migration applied only once it has succeeded: bun's default
	// marks it first, so a failed migration would never be retried.
	return migrate.NewMigrator(s.db, ms, migrate.WithMarkAppliedOnSuccess(true)), ms, nil
}

// Migrate applies every pending migration, holding the migration lock so
// that processes migrating at once take turns. Applying none is not an
// error. Unavailable when the database does not answer or another process
// holds the lock for longer than 30 seconds.
func (s *Store) Migrate(ctx context.Context) error {
	m, err := s.migrator()
	if err != nil {
		return err
	}
	if err := s.lock(ctx, m); err != nil {
		return err
	}
	// Unlock even when ctx is cancelled, or the lock stays taken.
	defer func() { _ = m.Unlock(context.WithoutCancel(ctx)) }()
	if _, err := m.Migrate(ctx); err != nil {
		return s.dbError(err, "migrate")
	}
	// River's tables, under the same lock, and the old queue's rows moved
	// into its jobs; the SIMs of the old line_sims moved into marks.
	if err := s.migrateJobs(ctx); err != nil {
		return err
	}
	return s.drainLineSIMs(ctx)
}

// lock creates the migration tables and takes the migration lock, retrying
// while another process holds it. bun's lock is a row in a table, so a
// concurrent holder shows as a unique violation.
func (s *Store) lock(ctx context.Context, m *migrate.Migrator) error {
	deadline := time.Now().Add(lockWait)
	for {
		err := m.Init(ctx)
		if err == nil {
			err = m.Lock(ctx)
		}
		if err == nil {
			return nil
		}
		if !lockRace(err) {
			return s.dbError(err, "lock migrations")
		}
		if time.Now().After(deadline) {
			return fault.Unavailablef(err, "the migration lock is held by another process; if none is migrating, delete the row of bun_migration_locks")
		}
		select {
		case <-ctx.Done():
			return s.dbError(ctx.Err(), "lock migrations")
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// lockRace reports whether err is what a process gets for creating the
// migration tables or taking the lock while another does the same: the lock
// row's unique violation, or, from PostgreSQL's concurrent CREATE TABLE IF
// NOT EXISTS, a duplicate table (42P07) or type (42710).
func lockRace(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && (pe.Code == "42P07" || pe.Code == "42710") {
		return true
	}
	return classify(err) == kindUnique
}

// PendingMigrations returns how many migrations Migrate would apply.
func (s *Store) PendingMigrations(ctx context.Context) (int, error) {
	m, err := s.migrator()
	if err != nil {
		return 0, err
	}
	// Init only creates bun's bookkeeping tables if they are missing; it
	// is what lets a fresh database report every migration as pending.
	// A process migrating at the same time may win the race to create
	// them, which is as good.
	err = m.Init(ctx)
	for try := 0; err != nil && lockRace(err) && try < 3; try++ {
		err = m.Init(ctx)
	}
	if err != nil {
		return 0, s.dbError(err, "init migrations")
	}
	ms, err := m.MigrationsWithStatus(ctx)
	if err != nil {
		return 0, s.dbError(err, "migration status")
	}
	return len(ms.Unapplied()), nil
}
