package pgtest_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/allot-io/allot/integration/pgtest"
)

// srv is the package's PostgreSQL server, started by TestMain.
var srv *pgtest.Server

func TestMain(m *testing.M) {
	os.Exit(pgtest.Main(m, func(ctx context.Context, s *pgtest.Server) error {
		srv = s
		// Stands in for the migrations: every per-test database must start with this table.
		return s.PrepareTemplate(ctx, func(ctx context.Context, dsn string) error {
			db, err := sql.Open("pgx", dsn)
			if err != nil {
				return err
			}
			defer db.Close()
			for _, q := range []string{
				"CREATE TABLE template_marker (note text NOT NULL)",
				"INSERT INTO template_marker VALUES ('from template')",
			} {
				if _, err := db.ExecContext(ctx, q); err != nil {
					return err
				}
			}
			return nil
		})
	}))
}

// open returns a pool on a fresh per-test database, logging how long creating it took.
func open(t *testing.T) (*sql.DB, string) {
	t.Helper()
	began := time.Now()
	dsn := srv.NewDatabase(t)
	t.Logf("per-test database created in %s", time.Since(began).Round(time.Microsecond))
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db, dsn
}

func exec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.ExecContext(t.Context(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// sqlState returns the SQLSTATE of err, or "" when err is not a PostgreSQL error.
func sqlState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func TestNewDatabaseIsClonedFromTemplateAndIsolated(t *testing.T) {
	a, _ := open(t)
	b, _ := open(t)

	var note string
	if err := a.QueryRowContext(t.Context(), "SELECT note FROM template_marker").Scan(&note); err != nil {
		t.Fatalf("template table missing in per-test database: %v", err)
	}
	if note != "from template" {
		t.Fatalf("note = %q, want %q", note, "from template")
	}

	exec(t, a, "INSERT INTO template_marker VALUES ('only in a')")
	var n int
	if err := b.QueryRowContext(t.Context(), "SELECT count(*) FROM template_marker").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("database b sees %d rows, want 1: per-test databases are not isolated", n)
	}
}

func TestExclusionConstraintRejectsOverlap(t *testing.T) {
	db, _ := open(t)
	exec(t, db, "CREATE EXTENSION IF NOT EXISTS btree_gist")
	exec(t, db, `CREATE TABLE ranges (
		series int NOT NULL,
		lo numeric NOT NULL,
		hi numeric NOT NULL,
		CONSTRAINT ranges_no_overlap EXCLUDE USING gist (series WITH =, numrange(lo, hi, '[]') WITH &&))`)

	exec(t, db, "INSERT INTO ranges VALUES (1, 1, 10)")
	exec(t, db, "INSERT INTO ranges VALUES (2, 5, 15)")  // other series
	exec(t, db, "INSERT INTO ranges VALUES (1, 11, 20)") // adjacent, no overlap

	for _, overlap := range [][2]int{{5, 15}, {10, 10}, {0, 100}} {
		_, err := db.ExecContext(t.Context(), "INSERT INTO ranges VALUES (1, $1, $2)", overlap[0], overlap[1])
		if got := sqlState(err); got != "23P01" {
			t.Errorf("insert [%d, %d] into series 1: err = %v (SQLSTATE %q), want exclusion_violation 23P01", overlap[0], overlap[1], err, got)
			continue
		}
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.ConstraintName != "ranges_no_overlap" {
			t.Errorf("constraint = %q, want ranges_no_overlap", pe.ConstraintName)
		}
	}
}

// TestExclusionOverTextCastToNumeric answers whether an EXCLUDE constraint may compute its
// range from TEXT columns: text::numeric is an I/O conversion through textout and numeric_in,
// both IMMUTABLE, so PostgreSQL accepts it (a STABLE cast such as text::timestamptz is refused).
func TestExclusionOverTextCastToNumeric(t *testing.T) {
	db, _ := open(t)
	exec(t, db, "CREATE EXTENSION IF NOT EXISTS btree_gist")
	exec(t, db, `CREATE TABLE text_ranges (
		series int NOT NULL,
		lo_text text NOT NULL,
		hi_text text NOT NULL,
		CONSTRAINT text_ranges_no_overlap
			EXCLUDE USING gist (series WITH =, numrange(lo_text::numeric, hi_text::numeric, '[]') WITH &&))`)

	exec(t, db, "INSERT INTO text_ranges VALUES (1, '0001', '0010')")
	// '9' < '10' as numbers although not as strings: the constraint compares numerically.
	_, err := db.ExecContext(t.Context(), "INSERT INTO text_ranges VALUES (1, '9', '20')")
	if got := sqlState(err); got != "23P01" {
		t.Fatalf("overlapping insert: err = %v (SQLSTATE %q), want 23P01", err, got)
	}
	_, err = db.ExecContext(t.Context(), "INSERT INTO text_ranges VALUES (1, 'abc', '20')")
	if got := sqlState(err); got != "22P02" {
		t.Fatalf("non-numeric text: err = %v (SQLSTATE %q), want invalid_text_representation 22P02", err, got)
	}

	// The contrast: a cast that depends on the TimeZone setting is not immutable.
	_, err = db.ExecContext(t.Context(), `CREATE TABLE text_times (t text NOT NULL,
		EXCLUDE USING gist (tstzrange(t::timestamptz, t::timestamptz, '[]') WITH &&))`)
	if got := sqlState(err); got != "42P17" {
		t.Fatalf("EXCLUDE over text::timestamptz: err = %v (SQLSTATE %q), want invalid_object_definition 42P17", err, got)
	}
}

// TestStopStart restarts PostgreSQL under a per-test database: the data survives, and the
// DSN must be refreshed because Docker may publish the port elsewhere. It runs last, and no
// test may run in parallel with it.
func TestStopStart(t *testing.T) {
	db, dsn := open(t)
	exec(t, db, "CREATE TABLE survives (v int)")
	exec(t, db, "INSERT INTO survives VALUES (42)")

	ctx := t.Context()
	began := time.Now()
	if err := srv.Stop(ctx, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	stopped := time.Since(began)
	if err := db.PingContext(ctx); err == nil {
		t.Fatal("ping succeeded while the container is stopped")
	}
	began = time.Now()
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("stop took %s, start until connectable %s", stopped.Round(time.Millisecond), time.Since(began).Round(time.Millisecond))

	fresh, err := srv.RefreshDSN(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if fresh != dsn {
		t.Logf("DSN changed after restart: port moved")
	}
	db2, err := sql.Open("pgx", fresh)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	var v int
	if err := db2.QueryRowContext(ctx, "SELECT v FROM survives").Scan(&v); err != nil {
		t.Fatalf("after restart: %v", err)
	}
	if v != 42 {
		t.Fatalf("v = %d, want 42", v)
	}
	// The server is usable for new databases again.
	_ = srv.NewDatabase(t)
}
