package bunstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/allot-io/allot/domain/fault"
)

// kind is what a database error means to the store, decided by SQLSTATE or
// SQLite result code and by Go error types, never by message text.
type kind int

const (
	kindOther kind = iota
	kindUnique
	kindOverlap
	kindForeignKey
	kindCheck
	kindUnavailable
)

// SQLite result codes (https://sqlite.org/rescode.html). The primary code
// is the low byte of an extended code.
const (
	sqliteBusy                 = 5
	sqliteLocked               = 6
	sqliteInterrupt            = 9
	sqliteCantOpen             = 14
	sqliteConstraintCheck      = 275
	sqliteConstraintForeignKey = 787
	sqliteConstraintPrimaryKey = 1555
	sqliteConstraintTrigger    = 1811
	sqliteConstraintUnique     = 2067
)

// sqliteError is what modernc.org/sqlite's *Error offers, the driver
// sqliteshim uses on every platform this project builds for. Matching a
// method keeps this package free of a direct driver import.
type sqliteError interface {
	error
	Code() int
}

// classify tells what err means; kindOther for anything unrecognised.
func classify(err error) kind {
	if err == nil {
		return kindOther
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return classifySQLState(pe.Code)
	}
	var se sqliteError
	if errors.As(err, &se) {
		return classifySQLite(se.Code())
	}
	if unavailable(err) {
		return kindUnavailable
	}
	return kindOther
}

func classifySQLState(code string) kind {
	switch {
	case code == "23505": // unique_violation
		return kindUnique
	case code == "23P01": // exclusion_violation
		return kindOverlap
	case code == "23503": // foreign_key_violation
		return kindForeignKey
	case code == "23514": // check_violation
		return kindCheck
	case strings.HasPrefix(code, "08"), // connection exception
		code == "57P01", // admin_shutdown
		code == "57P02", // crash_shutdown
		code == "57P03", // cannot_connect_now
		code == "57014", // query_canceled: statement timeout or cancelled request
		code == "53300", // too_many_connections
		code == "40001", // serialization_failure: retrying may succeed
		code == "40P01", // deadlock_detected: retrying may succeed
		code == "55P03": // lock_not_available: a lock_timeout expired
		return kindUnavailable
	}
	return kindOther
}

func classifySQLite(code int) kind {
	switch code {
	case sqliteConstraintUnique, sqliteConstraintPrimaryKey:
		return kindUnique
	case sqliteConstraintTrigger:
		// The no-overlap triggers are the RAISE(ABORT) the store can meet;
		// the history's append-only triggers fire only on statements no
		// store code runs.
		return kindOverlap
	case sqliteConstraintForeignKey:
		return kindForeignKey
	case sqliteConstraintCheck:
		return kindCheck
	}
	switch code & 0xff {
	case sqliteBusy, sqliteLocked, sqliteCantOpen:
		return kindUnavailable
	case sqliteInterrupt:
		// The driver interrupts a statement whose context ends: a
		// deadline or a cancelled request, as on PostgreSQL.
		return kindUnavailable
	}
	return kindOther
}

// unavailable reports whether err says the database could not be reached or
// went away: the kind of failure a client may retry once it is back.
func unavailable(err error) bool {
	var ce *pgconn.ConnectError
	var ne net.Error
	switch {
	case errors.Is(err, driver.ErrBadConn),
		errors.Is(err, sql.ErrConnDone),
		errors.Is(err, pgconn.ErrConnClosed),
		errors.As(err, &ce),
		errors.As(err, &ne),
		errors.Is(err, io.EOF),
		errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE),
		errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, context.Canceled),
		pgconn.Timeout(err),
		pgconn.SafeToRetry(err):
		return true
	}
	return false
}

// dbError turns an error of the database into a fault.Error: one that
// already is passes through; a lost or refused connection is Unavailable;
// anything else is Internal, keeping err as the logged cause.
func (s *Store) dbError(err error, what string) error {
	if err == nil {
		return nil
	}
	if _, ok := fault.As(err); ok {
		return err
	}
	if classify(err) == kindUnavailable {
		return s.failed(fault.Unavailablef(err, "the database is unavailable, try again later"))
	}
	if undefinedTable(err) {
		// An unmigrated database: say so, and what to run, rather than
		// `relation "organisations" does not exist`.
		return s.schemaError(err)
	}
	return s.failed(fault.Wrap(err, what))
}

// retryable reports whether err is a transaction conflict (serialization
// failure, deadlock, or a lock_timeout a retry set itself) that a fresh
// attempt may not meet again.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01" || pe.Code == "55P03")
}
