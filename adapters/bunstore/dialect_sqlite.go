package bunstore

import (
	"database/sql"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riversqlite"
)

// sqlite is the dialect of the embedded SQLite file. Its one writer
// connection serialises every transaction, so nothing is locked; its
// transactions are snapshots already (asking the driver for an isolation
// level would only be refused); it has no data-modifying WITH.
type sqlite struct{}

func (sqlite) name() string           { return DialectSQLite }
func (sqlite) least() string          { return "MIN" }
func (sqlite) lockClause() string     { return "" }
func (sqlite) readTx() *sql.TxOptions { return nil }
func (sqlite) secondsSince(t string) string {
	return "(julianday('now') - julianday(" + t + ")) * 86400.0"
}

// riversqlite keeps args as JSONB, which json() renders as text.
func (sqlite) jsonText(column string) string { return "json(" + column + ")" }
func (sqlite) tableExists() string {
	return "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?"
}
func (sqlite) auditsInOneStatement() bool { return false }
func (sqlite) river(db *sql.DB) riverdriver.Driver[*sql.Tx] {
	return riversqlite.New(db)
}
