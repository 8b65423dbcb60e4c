package bunstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/driver/sqliteshim"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/ports"
)

// DefaultPoolSize is the default number of open PostgreSQL connections.
const DefaultPoolSize = 20

// sqliteBusyTimeout is how long a SQLite statement waits for another
// process's lock before failing with SQLITE_BUSY.
const sqliteBusyTimeout = 5 * time.Second

// ReasonInvalidDSN is the reason of the Invalid error Open returns for a DSN
// it cannot use.
const ReasonInvalidDSN = "INVALID_DSN"

var _ ports.Store = (*Store)(nil)

// Store is ports.Store on a bun database. It is safe for concurrent use.
type Store struct {
	db      *bun.DB
	dialect dialect
	clock   ports.Clock
	// least is the SQL name of the two-argument minimum: LEAST in
	// PostgreSQL, the scalar MIN in SQLite (the dialect's, kept here for
	// the hot paths' string building).
	least string
	// ro runs the look-ups that need no transaction: db itself, except on
	// a SQLite file, where it is a pool of read-only connections.
	ro *bun.DB
	// group runs the SQLite store's series inserts in shared
	// transactions (see groupcommit.go); nil on PostgreSQL.
	group *groupCommit
	// auth caches the rows that authenticate requests, on PostgreSQL
	// only (see authcache.go); nil caches nothing.
	auth *authCache
	// metrics counts database failures (see WithMetrics); nil counts none.
	metrics ports.Metrics
	// jobs inserts River jobs (see jobs.go), made on first use.
	jobsOnce sync.Once
	jobs     *river.Client[*sql.Tx]
	jobsErr  error
	// failAt, set by tests only, fails a transaction at a named stage, to
	// prove that what came before it is rolled back.
	failAt func(stage string) error
}

// stage returns the error tests inject at stage, nil otherwise.
func (s *Store) stage(name string) error {
	if s.failAt == nil {
		return nil
	}
	return s.failAt(name)
}

type config struct {
	clock    ports.Clock
	poolSize int
	metrics  ports.Metrics
}

// Option configures Open.
type Option func(*config)

// WithClock makes the store take the times it assigns (CreatedAt of new
// rows) from c instead of the UTC wall clock.
func WithClock(c ports.Clock) Option {
	return func(cfg *config) {
		if c != nil {
			cfg.clock = c
		}
	}
}

// WithPoolSize sets the most connections the store opens to PostgreSQL
// (default DefaultPoolSize). SQLite always uses exactly one connection, so
// that writes serialise, and ignores it.
func WithPoolSize(n int) Option {
	return func(cfg *config) {
		if n > 0 {
			cfg.poolSize = n
		}
	}
}

// Open connects to the database named by dsn and checks that it answers. A
// dsn starting with postgres:// or postgresql:// opens PostgreSQL through pgx;
// sqlite:PATH opens (and creates) the SQLite file PATH, which may be
// relative, and sqlite::memory: a private in-memory database. Open does not
// migrate; call Migrate.
//
// Invalid INVALID_DSN when the dsn follows neither form; Unavailable when the
// database does not answer.
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	cfg := config{
		clock:    ports.ClockFunc(func() time.Time { return time.Now().UTC() }),
		poolSize: DefaultPoolSize,
	}
	for _, o := range opts {
		o(&cfg)
	}

	d, err := ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	var s *Store
	switch d.Kind {
	case DialectPostgres:
		s, err = openPostgres(d.URL, cfg)
	case DialectSQLite:
		s, err = openSQLite(d.Path)
	default:
		return nil, fault.Errorf(fault.Internal, ReasonInvalidDSN, "no store for databases of kind %q", d.Kind)
	}
	if err != nil {
		return nil, err
	}
	s.clock = cfg.clock
	s.metrics = cfg.metrics
	if err := s.Ping(ctx); err != nil {
		_ = s.db.Close()
		return nil, err
	}
	return s, nil
}

func openPostgres(dsn string, cfg config) (*Store, error) {
	pgcfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// The parse error is dropped, not wrapped: it quotes the dsn.
		return nil, fault.New(fault.Invalid, ReasonInvalidDSN, "the PostgreSQL DSN cannot be parsed")
	}
	// bun renders arguments into the SQL text itself, so every statement
	// is unique; the simple protocol avoids filling pgx's statement cache
	// with statements that are never reused.
	pgcfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	sqldb := stdlib.OpenDB(*pgcfg)
	sqldb.SetMaxOpenConns(cfg.poolSize)
	sqldb.SetMaxIdleConns(cfg.poolSize)
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	db := bun.NewDB(sqldb, pgdialect.New())
	notify := func(ctx context.Context, payload string) error {
		_, err := db.ExecContext(ctx, "SELECT pg_notify(?, ?)", authChannel, payload)
		return err
	}
	return &Store{
		db:      db,
		ro:      db,
		dialect: postgres{},
		least:   postgres{}.least(),
		auth:    newAuthCache(pgcfg, notify),
	}, nil
}

func openSQLite(path string) (*Store, error) {
	if path != ":memory:" {
		if dir := filepath.Dir(path); dir != "." {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fault.Unavailablef(err, "cannot create the directory of the SQLite database")
			}
		}
	}
	if !sqliteshim.HasDriver() {
		return nil, fault.New(fault.Invalid, ReasonInvalidDSN, "SQLite is not available on this platform; use PostgreSQL")
	}
	sqldb, err := sql.Open(sqliteshim.ShimName, path+"?"+sqliteParams(sqliteshim.DriverName()))
	if err != nil {
		return nil, fault.Wrap(err, "open sqlite")
	}
	// One connection: every statement and transaction of this process is
	// serialised, so a check followed by a write in one transaction cannot
	// interleave with another writer, and SQLite never sees two writers of
	// ours at once. It also keeps a :memory: database alive and shared.
	sqldb.SetMaxOpenConns(1)
	sqldb.SetMaxIdleConns(1)
	sqldb.SetConnMaxLifetime(0)
	sqldb.SetConnMaxIdleTime(0)
	db := bun.NewDB(sqldb, sqlitedialect.New())
	s := &Store{
		db:      db,
		ro:      db,
		dialect: sqlite{},
		least:   sqlite{}.least(),
		group:   &groupCommit{db: db},
	}
	if path != ":memory:" {
		// Look-ups need not wait behind the writer's transactions, which
		// wait for the disk: in WAL mode readers on connections of their
		// own see every committed write and never block the writer.
		rodb, err := sql.Open(sqliteshim.ShimName, path+"?"+sqliteReadParams(sqliteshim.DriverName()))
		if err != nil {
			_ = sqldb.Close()
			return nil, fault.Wrap(err, "open sqlite")
		}
		rodb.SetMaxOpenConns(sqliteReaders)
		rodb.SetMaxIdleConns(sqliteReaders)
		s.ro = bun.NewDB(rodb, sqlitedialect.New())
	}
	return s, nil
}

// sqliteReaders is the most read-only connections a SQLite store opens.
const sqliteReaders = 4

// sqliteReadParams returns the parameters of the read-only connections:
// query_only, and the busy timeout. The journal mode is the file's, set by
// the writer.
func sqliteReadParams(driver string) string {
	ms := sqliteBusyTimeout.Milliseconds()
	if driver == "sqlite3" { // mattn/go-sqlite3
		return fmt.Sprintf("_busy_timeout=%d&_query_only=1", ms)
	}
	return fmt.Sprintf("_pragma=busy_timeout(%d)&_pragma=query_only(1)", ms)
}

// sqliteParams returns the connection parameters in the syntax of the driver
// sqliteshim picked: WAL journal, a busy timeout, foreign keys on, and
// BEGIN IMMEDIATE so that a transaction that will write takes the write lock
// at once rather than failing to upgrade when another process writes.
func sqliteParams(driver string) string {
	ms := sqliteBusyTimeout.Milliseconds()
	if driver == "sqlite3" { // mattn/go-sqlite3
		return fmt.Sprintf("_busy_timeout=%d&_journal_mode=WAL&_foreign_keys=1&_txlock=immediate", ms)
	}
	// modernc.org/sqlite. temp_store(MEMORY) keeps the statement and
	// savepoint journals of a transaction in memory instead of spilling
	// them to a temporary file: a group commit's savepoints would otherwise
	// cost a write system call per page.
	return fmt.Sprintf("_pragma=busy_timeout(%d)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=temp_store(2)&_txlock=immediate", ms)
}

// Dialect returns DialectPostgres ("pg") or DialectSQLite ("sqlite").
func (s *Store) Dialect() string { return s.dialect.name() }

// DB returns the underlying database, for tests and benchmarks.
func (s *Store) DB() *bun.DB { return s.db }

// Ping reports whether the database answers. Unavailable when not.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return s.failed(fault.Unavailablef(err, "the database does not answer"))
	}
	// A ping may be answered from a pooled connection without a round trip;
	// a trivial query proves the server works.
	var one int
	if err := s.db.NewRaw("SELECT 1").Scan(ctx, &one); err != nil {
		return s.failed(fault.Unavailablef(err, "the database does not answer"))
	}
	return nil
}

// Close releases the database.
func (s *Store) Close() error {
	s.auth.close()
	if s.ro != s.db {
		_ = s.ro.Close()
	}
	if err := s.db.Close(); err != nil {
		return fault.Wrap(err, "close database")
	}
	return nil
}

// now returns the store clock's time as it will read back from either
// database: UTC, to the microsecond.
func (s *Store) now() time.Time { return dbTime(s.clock.Now()) }

// dbTime normalises t to what both databases keep: UTC, microseconds.
func dbTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// timeOr returns dbTime(t), or the store's now when t is zero.
func (s *Store) timeOr(t time.Time) time.Time {
	if t.IsZero() {
		return s.now()
	}
	return dbTime(t)
}

// inTx runs fn in a transaction of the default isolation level (READ
// COMMITTED on PostgreSQL, serialised on SQLite), committing when fn returns
// nil.
func (s *Store) inTx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	return s.db.RunInTx(ctx, nil, fn)
}

// maxTxAttempts is how often inTxRetrying runs a transaction in all.
const maxTxAttempts = 3

// inTxRetrying is inTx for writes that concurrent requests may cross in
// opposite orders: when PostgreSQL breaks the transaction to end a
// deadlock or a serialisation failure (retryable), fn runs again in a new
// one, at most maxTxAttempts times in all. fn must set everything it
// returns through its closure afresh on each run.
func (s *Store) inTxRetrying(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := s.inTx(ctx, fn)
		if !retryable(err) || attempt == maxTxAttempts {
			return err
		}
	}
}

// errNoRows reports whether err says a query found no row.
func errNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
