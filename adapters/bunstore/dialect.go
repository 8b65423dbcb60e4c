package bunstore

import (
	"database/sql"
	"strings"

	"github.com/riverqueue/river/riverdriver"

	"github.com/allot-io/allot/domain/fault"
)

// The values Dialect returns, and the Kind of a DSN.
const (
	DialectPostgres = "pg"
	DialectSQLite   = "sqlite"
)

// DSN is a parsed database name: which database it opens and how to reach
// it. ParseDSN is the one place a DSN's kind is decided; Open, the program
// root and whoever else must know ask it, never the DSN's text.
type DSN struct {
	// Kind is DialectPostgres or DialectSQLite.
	Kind string
	// URL is the PostgreSQL connection URL (Kind DialectPostgres).
	URL string
	// Path is the SQLite file, or ":memory:" (Kind DialectSQLite).
	Path string
}

// ParseDSN parses a DSN: postgres://… or postgresql://… names PostgreSQL;
// sqlite:PATH (or sqlite://PATH) a SQLite file, sqlite::memory: a private
// in-memory database. Invalid INVALID_DSN otherwise; the error never
// echoes the DSN, which may hold a password.
func ParseDSN(dsn string) (DSN, error) {
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return DSN{Kind: DialectPostgres, URL: dsn}, nil
	case strings.HasPrefix(dsn, "sqlite:"):
		// Accept sqlite://PATH too, as URL-minded users write it.
		path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "//")
		if path == "" || strings.ContainsAny(path, "?#") {
			return DSN{}, fault.New(fault.Invalid, ReasonInvalidDSN,
				"a SQLite DSN is sqlite:PATH, with a file path that contains no '?' or '#'")
		}
		return DSN{Kind: DialectSQLite, Path: path}, nil
	}
	return DSN{}, fault.New(fault.Invalid, ReasonInvalidDSN,
		"the database DSN must start with postgres://, postgresql:// or sqlite: (for example sqlite:allot.db)")
}

// InMemory reports whether d is a SQLite database that lives only as long
// as the process.
func (d DSN) InMemory() bool { return d.Kind == DialectSQLite && strings.HasPrefix(d.Path, ":memory:") }

// dialect is everything the store's SQL and transactions do differently
// on its two databases. Each database answers in a file of its own
// (dialect_pg.go, dialect_sqlite.go); the store asks the dialect and never
// tests which database it is on.
type dialect interface {
	// name is the Kind, and the directory of the dialect's migrations.
	name() string
	// least is the SQL name of the two-argument minimum.
	least() string
	// lockClause is what a SELECT appends to lock the rows it reads until
	// the transaction ends ("" where transactions are serialised anyway).
	lockClause() string
	// readTx returns the options of a transaction that reads several
	// statements from one snapshot (nil: the database's default is one).
	readTx() *sql.TxOptions
	// secondsSince is an SQL expression of the seconds from the time
	// expression t to now, as a float.
	secondsSince(t string) string
	// jsonText is an SQL expression of River's args column as JSON text.
	jsonText(column string) string
	// tableExists is a query counting the tables named by its one argument
	// in the current schema.
	tableExists() string
	// auditsInOneStatement says that a write and its history entry can be
	// one statement (a data-modifying WITH).
	auditsInOneStatement() bool
	// river returns River's driver over db.
	river(db *sql.DB) riverdriver.Driver[*sql.Tx]
}
