package bunstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/allot-io/allot/integration/pgtest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/allot-io/allot/app/service"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
	"github.com/allot-io/allot/ports/porttest"
)

// pgEnv names the admin DSN of a PostgreSQL server the tests may create and
// drop databases on; without it they start one with integration/pgtest,
// the one PostgreSQL harness of the repository.
const pgEnv = "ALLOT_TEST_PG_DSN"

func TestMain(m *testing.M) {
	code := m.Run()
	dropPGTemplate()
	if sqliteTemplate.path != "" {
		_ = os.RemoveAll(filepath.Dir(sqliteTemplate.path))
	}
	if pgServer.srv != nil {
		if err := pgServer.srv.Close(context.Background()); err != nil {
			fmt.Fprintln(os.Stderr, "bunstore: stop PostgreSQL:", err)
			code = max(code, 1)
		}
	}
	os.Exit(code)
}

// pgServer is the PostgreSQL container the tests started, once, when no
// pgEnv was given.
var pgServer struct {
	once sync.Once
	srv  *pgtest.Server
	dsn  string
	err  error
}

// openSQLiteTest opens a migrated SQLite store in a file of its own: a
// copy of a template migrated once per test binary, since migrating every
// test's file anew took most of this package's time under -race.
func openSQLiteTest(t *testing.T) *Store {
	t.Helper()
	sqliteTemplate.once.Do(func() { sqliteTemplate.path, sqliteTemplate.err = makeSQLiteTemplate() })
	if sqliteTemplate.err != nil {
		t.Fatalf("SQLite template: %v", sqliteTemplate.err)
	}
	path := filepath.Join(t.TempDir(), "allot.db")
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(sqliteTemplate.path + suffix)
		if errors.Is(err, os.ErrNotExist) && suffix != "" {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path+suffix, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	s, err := Open(t.Context(), "sqlite:"+path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	// The copy is as migrated as the template; CheckSchema proves it.
	if err := s.CheckSchema(t.Context()); err != nil {
		t.Fatalf("the template copy: %v", err)
	}
	return s
}

// sqliteTemplate is the migrated SQLite file openSQLiteTest copies.
var sqliteTemplate struct {
	once sync.Once
	path string
	err  error
}

func makeSQLiteTemplate() (string, error) {
	dir, err := os.MkdirTemp("", "allot-sqlite-template-")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "template.db")
	ctx := context.Background()
	s, err := Open(ctx, "sqlite:"+path)
	if err != nil {
		return "", err
	}
	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return "", err
	}
	// Closing checkpoints the write-ahead log into the file.
	return path, s.Close()
}

// pg holds the migrated template database the PostgreSQL tests copy.
var pg struct {
	once     sync.Once
	admin    *url.URL
	template string
	err      error
}

// openPG returns a migrated store on a new database of its own, copied from
// a template migrated once per test binary, or skips the test when no
// server is configured.
func openPG(t *testing.T) *Store {
	t.Helper()
	dsn := requirePG(t)
	pg.once.Do(func() { pg.err = makePGTemplate(dsn) })
	if pg.err != nil {
		t.Fatalf("PostgreSQL template: %v", pg.err)
	}
	name := "allot_test_" + randomSuffix()
	adminExec(t.Context(), t, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, pg.template))
	t.Cleanup(func() { adminExec(context.Background(), t, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
	s, err := Open(t.Context(), dbURL(name))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// requirePG returns the admin DSN of pgEnv, or of a server started with
// integration/pgtest; without Docker it skips t with a one-line reason,
// or fails it where the PostgreSQL tests must run (CI=true).
func requirePG(t *testing.T) string {
	t.Helper()
	if dsn := os.Getenv(pgEnv); dsn != "" {
		return dsn
	}
	pgServer.once.Do(func() {
		ctx := context.Background()
		if pgServer.err = pgtest.Available(ctx); pgServer.err != nil {
			return
		}
		if pgServer.srv, pgServer.err = pgtest.Start(ctx); pgServer.err != nil {
			return
		}
		pgServer.dsn, pgServer.err = pgServer.srv.DSN(ctx, "")
	})
	if pgServer.err != nil {
		if pgtest.Required() {
			t.Fatalf("PostgreSQL must run here (CI=true): %v", pgServer.err)
		}
		t.Skipf("no PostgreSQL (%v): set %s or run Docker with the image of integration/pgimage", pgServer.err, pgEnv)
	}
	return pgServer.dsn
}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// dbURL returns the admin DSN pointed at database name.
func dbURL(name string) string {
	u := *pg.admin
	u.Path = "/" + name
	return u.String()
}

func makePGTemplate(dsn string) error {
	u, err := url.Parse(dsn)
	if err != nil {
		return fmt.Errorf("%s is not a URL", pgEnv)
	}
	pg.admin = u
	pg.template = "allot_tpl_" + randomSuffix()
	ctx := context.Background()
	admin, err := Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer admin.Close()
	if _, err := admin.DB().ExecContext(ctx, "CREATE DATABASE "+pg.template); err != nil {
		return err
	}
	s, err := Open(ctx, dbURL(pg.template))
	if err != nil {
		return err
	}
	// Close before copying: CREATE DATABASE refuses a template in use.
	defer s.Close()
	return s.Migrate(ctx)
}

func dropPGTemplate() {
	if pg.template == "" || pg.admin == nil {
		return
	}
	ctx := context.Background()
	admin, err := Open(ctx, pg.admin.String())
	if err != nil {
		return
	}
	defer admin.Close()
	_, _ = admin.DB().ExecContext(ctx, "DROP DATABASE IF EXISTS "+pg.template+" WITH (FORCE)")
}

func adminExec(ctx context.Context, t *testing.T, query string) {
	t.Helper()
	admin, err := Open(ctx, pg.admin.String(), WithPoolSize(1))
	if err != nil {
		t.Fatalf("admin connection: %v", err)
	}
	defer admin.Close()
	if _, err := admin.DB().ExecContext(ctx, query); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// dialects lists the stores every test runs over.
var dialects = []dialectCase{
	{"SQLite", openSQLiteTest},
	{"PostgreSQL", openPG},
}

type dialectCase struct {
	name string
	open func(t *testing.T) *Store
}

// run runs f as the subtest of the dialect, skipped as a whole when the
// dialect's server is not configured.
func (d dialectCase) run(t *testing.T, f func(t *testing.T)) {
	t.Run(d.name, func(t *testing.T) {
		if d.name == "PostgreSQL" {
			requirePG(t)
		}
		f(t)
	})
}

// TestConformance runs the ports conformance suite over both databases.
// InsertSeries checks no overlap itself, so every overlap the suite makes,
// the concurrent ones included, is rejected by the database alone:
// PostgreSQL's exclusion constraint (SQLSTATE 23P01) and SQLite's trigger.
func TestConformance(t *testing.T) {
	for _, d := range dialects {
		d.run(t, func(t *testing.T) {
			porttest.RunStoreWith(t, func(t *testing.T) ports.Store { return d.open(t) }, porttest.Options{Parallel: true})
		})
	}
}

// TestCoalescedDrawConformance runs the coalesced-draw cases of the
// conformance suite over both databases, through service.Coalesced.
func TestCoalescedDrawConformance(t *testing.T) {
	for _, d := range dialects {
		d.run(t, func(t *testing.T) {
			porttest.RunCoalescedDraws(t, func(t *testing.T) ports.Store { return d.open(t) },
				func(s ports.SeriesStore) ports.SeriesStore { return service.Coalesced(s) })
		})
	}
}

// TestOverlapConstraint inserts overlapping rows past InsertSeries and
// checks that the database itself refuses them with the code classify
// reads, and that InsertSeries then names the conflicting range.
func TestOverlapConstraint(t *testing.T) {
	for _, d := range dialects {
		d.run(t, func(t *testing.T) {
			s := d.open(t)
			ctx := t.Context()
			org, err := s.CreateOrg(ctx, tenant.Organisation{Code: "acme", Name: "Acme"})
			if err != nil {
				t.Fatal(err)
			}
			other, err := s.CreateOrg(ctx, tenant.Organisation{Code: "other", Name: "Other"})
			if err != nil {
				t.Fatal(err)
			}
			raw := func(org tenant.OrgID, first, last string) error {
				_, err := s.DB().ExecContext(ctx, `INSERT INTO series (org_id, prefix, width, first_digits, last_digits, size,
					owner_kind, owner_code, type, item_code, created_at) VALUES (?, 'V', 3, ?, ?, 1, 'customer', 'C', 'virtual', 'I', ?)`,
					int64(org), first, last, s.now())
				return err
			}
			if err := raw(org.ID, "011", "020"); err != nil {
				t.Fatal(err)
			}
			if err := raw(other.ID, "011", "020"); err != nil {
				t.Fatalf("another organisation's range: %v", err)
			}
			if err := raw(org.ID, "021", "030"); err != nil {
				t.Fatalf("a touching range: %v", err)
			}
			err = raw(org.ID, "015", "025")
			if got := classify(err); got != kindOverlap {
				t.Fatalf("overlapping insert: kind %v, error %v; want the overlap kind", got, err)
			}
			var pe *pgconn.PgError
			if s.Dialect() == DialectPostgres && (!errors.As(err, &pe) || pe.Code != "23P01") {
				t.Fatalf("overlapping insert: %v, want SQLSTATE 23P01", err)
			}

			_, err = s.InsertSeries(ctx, org.ID, series.Series{Owner: series.Owner{Kind: series.Hub, Code: "H"},
				Range: series.MustParseRange("V019", "V019"), ItemCode: "X"})
			if fault.CodeOf(err) != fault.Conflict || fault.ReasonOf(err) != series.ReasonOverlap {
				t.Fatalf("InsertSeries: %v, want Conflict %s", err, series.ReasonOverlap)
			}
			if fe, _ := fault.As(err); !strings.Contains(fe.Message, "V011-V020") {
				t.Fatalf("message %q does not name the existing range V011-V020", fe.Message)
			}
		})
	}
}

func TestMigrate(t *testing.T) {
	for _, d := range dialects {
		d.run(t, func(t *testing.T) {
			var s *Store
			if d.name == "SQLite" {
				var err error
				s, err = Open(t.Context(), "sqlite:"+filepath.Join(t.TempDir(), "sub", "dir", "fresh.db"))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = s.Close() })
			} else {
				s = openPG(t) // already migrated from the template
			}
			ctx := t.Context()
			n, err := s.PendingMigrations(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if d.name == "SQLite" && n == 0 {
				t.Fatal("a fresh database has no pending migrations")
			}
			for range 2 { // the second run must be a no-op
				if err := s.Migrate(ctx); err != nil {
					t.Fatalf("Migrate: %v", err)
				}
				if n, err := s.PendingMigrations(ctx); err != nil || n != 0 {
					t.Fatalf("PendingMigrations after Migrate = %d, %v; want 0", n, err)
				}
			}
			var applied int
			if err := s.DB().NewRaw("SELECT COUNT(*) FROM bun_migrations").Scan(ctx, &applied); err != nil {
				t.Fatal(err)
			}
			m, err := s.migrator()
			if err != nil {
				t.Fatal(err)
			}
			all, err := m.MigrationsWithStatus(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if applied != len(all) {
				t.Fatalf("%d migrations recorded, want %d: migrating twice applied some again", applied, len(all))
			}

			// The down migrations undo the up ones exactly: after a
			// rollback the schema can be migrated again.
			if _, err := m.Rollback(ctx); err != nil {
				t.Fatalf("Rollback: %v", err)
			}
			if n, err := s.PendingMigrations(ctx); err != nil || n != len(all) {
				t.Fatalf("PendingMigrations after rollback = %d, %v; want %d", n, err, len(all))
			}
			if err := s.Migrate(ctx); err != nil {
				t.Fatalf("Migrate after rollback: %v", err)
			}
		})
	}
}

// TestConcurrentMigrate migrates one fresh database from several stores at
// once, as several servers started with --migrate do: the migration lock
// makes them take turns, and every one succeeds.
func TestConcurrentMigrate(t *testing.T) {
	for _, d := range dialects {
		d.run(t, func(t *testing.T) {
			var dsn string
			if d.name == "SQLite" {
				dsn = "sqlite:" + filepath.Join(t.TempDir(), "allot.db")
			} else {
				openPG(t) // sets up pg.admin
				name := "allot_test_" + randomSuffix()
				adminExec(t.Context(), t, "CREATE DATABASE "+name)
				t.Cleanup(func() { adminExec(context.Background(), t, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
				dsn = dbURL(name)
			}
			const n = 4
			stores := make([]*Store, n)
			for i := range stores {
				s, err := Open(t.Context(), dsn)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = s.Close() })
				stores[i] = s
			}
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i, s := range stores {
				wg.Go(func() { errs[i] = s.Migrate(t.Context()) })
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("Migrate %d: %v", i, err)
				}
			}
			if n, err := stores[0].PendingMigrations(t.Context()); err != nil || n != 0 {
				t.Fatalf("PendingMigrations = %d, %v; want 0", n, err)
			}
		})
	}
}

// TestMigrationsMatch checks that both dialects have the same migration ids,
// so that a version means the same logical schema on either database.
func TestMigrationsMatch(t *testing.T) {
	names := func(dialect string) []string {
		entries, err := migrationFiles.ReadDir("migrations/" + dialect)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	}
	pgNames, sqliteNames := names(DialectPostgres), names(DialectSQLite)
	if strings.Join(pgNames, ",") != strings.Join(sqliteNames, ",") {
		t.Fatalf("migration files differ:\npg:     %v\nsqlite: %v", pgNames, sqliteNames)
	}
}

func TestOpenDSN(t *testing.T) {
	ctx := t.Context()
	for _, dsn := range []string{
		"",
		"mysql://user:s3cret@localhost/db",
		"file:allot.db",
		"sqlite:",
		"sqlite:a.db?mode=ro",
		"postgres://user:s3cret@localhost:notaport/db",
	} {
		_, err := Open(ctx, dsn)
		if fault.CodeOf(err) != fault.Invalid || fault.ReasonOf(err) != ReasonInvalidDSN {
			t.Errorf("Open(%q) = %v, want Invalid %s", dsn, err, ReasonInvalidDSN)
		}
		if err != nil && strings.Contains(err.Error(), "s3cret") {
			t.Errorf("Open(%q) echoes the password: %v", dsn, err)
		}
	}

	s, err := Open(ctx, "sqlite::memory:")
	if err != nil {
		t.Fatalf("in-memory SQLite: %v", err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate in memory: %v", err)
	}
	if s.Dialect() != DialectSQLite {
		t.Fatalf("Dialect() = %q", s.Dialect())
	}
	if _, err := s.CreateOrg(ctx, tenant.Organisation{Code: "a", Name: "A"}); err != nil {
		t.Fatalf("in-memory store does not keep its schema: %v", err)
	}
}

// TestParseDSN: the one place a DSN's kind is decided.
func TestParseDSN(t *testing.T) {
	for dsn, want := range map[string]DSN{
		"postgres://u@h/db":   {Kind: DialectPostgres, URL: "postgres://u@h/db"},
		"postgresql://u@h/db": {Kind: DialectPostgres, URL: "postgresql://u@h/db"},
		"sqlite:allot.db":     {Kind: DialectSQLite, Path: "allot.db"},
		"sqlite://var/a.db":   {Kind: DialectSQLite, Path: "var/a.db"},
		"sqlite::memory:":     {Kind: DialectSQLite, Path: ":memory:"},
	} {
		if got, err := ParseDSN(dsn); err != nil || got != want {
			t.Errorf("ParseDSN(%q) = %+v, %v; want %+v", dsn, got, err, want)
		}
	}
	if d, _ := ParseDSN("sqlite::memory:"); !d.InMemory() {
		t.Error("sqlite::memory: is not in memory")
	}
	if d, _ := ParseDSN("sqlite:a.db"); d.InMemory() {
		t.Error("sqlite:a.db is in memory")
	}
	for _, dsn := range []string{"", "mysql://h/db", "file:a.db", "sqlite:", "sqlite:a.db#x", "pg://u:s3cret@h/db"} {
		_, err := ParseDSN(dsn)
		if fault.ReasonOf(err) != ReasonInvalidDSN || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("ParseDSN(%q) = %v", dsn, err)
		}
	}
}

func TestOpenUnreachablePostgres(t *testing.T) {
	// Port 1 on the loopback refuses connections at once.
	_, err := Open(t.Context(), "postgres://user:s3cret@127.0.0.1:1/db?connect_timeout=2")
	if fault.CodeOf(err) != fault.Unavailable {
		t.Fatalf("Open of an unreachable server = %v, want Unavailable", err)
	}
	if fe, _ := fault.As(err); strings.Contains(fe.Message, "s3cret") {
		t.Fatalf("message echoes the password: %q", fe.Message)
	}
}

// TestTerminatedConnection kills the store's server session, as a server
// restart does, and checks that the next query either succeeds on a new
// connection or fails Unavailable, never Internal.
func TestTerminatedConnection(t *testing.T) {
	s := openPG(t)
	ctx := t.Context()
	s.DB().SetMaxOpenConns(1)
	var pid int
	if err := s.DB().NewRaw("SELECT pg_backend_pid()").Scan(ctx, &pid); err != nil {
		t.Fatal(err)
	}
	adminExec(ctx, t, fmt.Sprintf("SELECT pg_terminate_backend(%d)", pid))
	for range 3 {
		_, err := s.OrgByCode(ctx, "x")
		switch fault.CodeOf(err) {
		case fault.NotFound:
			return // reconnected
		case fault.Unavailable:
			t.Logf("query on a terminated session: %v", err)
		default:
			t.Fatalf("query on a terminated session = %v, want NotFound after reconnecting or Unavailable", err)
		}
	}
	t.Fatal("the store did not reconnect after its session was terminated")
}

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want kind
	}{
		{&pgconn.PgError{Code: "23505"}, kindUnique},
		{fmt.Errorf("wrapped: %w", &pgconn.PgError{Code: "23P01"}), kindOverlap},
		{&pgconn.PgError{Code: "23503"}, kindForeignKey},
		{&pgconn.PgError{Code: "23514"}, kindCheck},
		{&pgconn.PgError{Code: "08006"}, kindUnavailable},
		{&pgconn.PgError{Code: "57P01"}, kindUnavailable},
		{&pgconn.PgError{Code: "57P03"}, kindUnavailable},
		{&pgconn.PgError{Code: "42601"}, kindOther},
		{pgconn.ErrConnClosed, kindUnavailable},
		{context.DeadlineExceeded, kindUnavailable},
		{errors.New("boom"), kindOther},
		{fakeSQLiteError(sqliteConstraintUnique), kindUnique},
		{fakeSQLiteError(sqliteConstraintPrimaryKey), kindUnique},
		{fakeSQLiteError(sqliteConstraintTrigger), kindOverlap},
		{fakeSQLiteError(sqliteConstraintForeignKey), kindForeignKey},
		{fakeSQLiteError(517), kindUnavailable}, // SQLITE_BUSY_SNAPSHOT
		{fakeSQLiteError(1), kindOther},
	} {
		if got := classify(tc.err); got != tc.want {
			t.Errorf("classify(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

type fakeSQLiteError int

func (e fakeSQLiteError) Error() string { return fmt.Sprintf("sqlite error %d", int(e)) }
func (e fakeSQLiteError) Code() int     { return int(e) }

func TestDialectStrings(t *testing.T) {
	s := openSQLiteTest(t)
	if s.Dialect() != "sqlite" || s.least != "MIN" {
		t.Fatalf("SQLite store: dialect %q, least %q", s.Dialect(), s.least)
	}
}
