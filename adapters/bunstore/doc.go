// Package bunstore implements ports.Store on github.com/uptrace/bun for two
// databases: PostgreSQL (pgx v5 and pgdialect), the production store, and an
// embedded SQLite file (sqliteshim and sqlitedialect), the zero-configuration
// default. The same queries serve both; only what the dialects must do
// differently is split: the schema migrations, the name of the two-argument
// minimum function, and how the no-overlap rule is enforced (an EXCLUDE USING
// gist constraint on PostgreSQL, one serialised write transaction plus a
// trigger on SQLite).
//
// Database errors are translated into fault.Errors by SQLSTATE or SQLite
// extended result code, never by message text: unique violations become
// Conflict ALREADY_EXISTS, exclusion violations Conflict SERIES_OVERLAP, and
// lost or refused connections Unavailable.
//
// The enrollment API's one-use rules are decided by the database, not by a
// read followed by a write: a token is consumed, and an enrollment id claimed
// for a line, by one conditional UPDATE each, so that of concurrent callers
// exactly one changes the row; a unique (organisation, enrollment id) on
// lines backs the claim. Line secrets reach the store already hashed or
// sealed and are kept in columns of their own, never in a line's JSON
// details.
package bunstore
