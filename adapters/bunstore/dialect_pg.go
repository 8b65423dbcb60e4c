package bunstore

import (
	"database/sql"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
)

// postgres is the dialect of PostgreSQL: row locks, repeatable-read
// snapshots, data-modifying WITH, and River's database/sql driver (which
// polls, so that a job joins bun's transaction).
type postgres struct{}

func (postgres) name() string       { return DialectPostgres }
func (postgres) least() string      { return "LEAST" }
func (postgres) lockClause() string { return " FOR UPDATE" }
func (postgres) readTx() *sql.TxOptions {
	return &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
}
func (postgres) secondsSince(t string) string {
	return "EXTRACT(EPOCH FROM (now() - " + t + "))::float8"
}
func (postgres) jsonText(column string) string { return "CAST(" + column + " AS TEXT)" }
func (postgres) tableExists() string {
	return "SELECT COUNT(*) FROM pg_catalog.pg_tables WHERE tablename = ? AND schemaname = current_schema()"
}
func (postgres) auditsInOneStatement() bool { return true }
func (postgres) river(db *sql.DB) riverdriver.Driver[*sql.Tx] {
	return riverdatabasesql.New(db)
}
