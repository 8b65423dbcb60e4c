package ports

import (
	"context"
	"time"

	"github.com/allot-io/allot/domain/operator"
	"github.com/allot-io/allot/domain/tenant"
)

// OperatorStores is what the operator use cases take: the operators and
// their sessions, and the attempts that limit guessing.
type OperatorStores interface {
	OperatorStore
	AttemptStore
}

// OperatorStore stores dashboard operators and their sessions (failed
// sign-ins are counted by the AttemptStore).
type OperatorStore interface {
	// AddOperator stores op (its ID is assigned; CreatedAt from the store's
	// clock unless op has one) in organisation op.Org. Conflict
	// ALREADY_EXISTS when the email is taken in any organisation; NotFound
	// ORG_NOT_FOUND when the organisation does not exist.
	AddOperator(ctx context.Context, op operator.Operator) (operator.Operator, error)
	// OperatorByEmail returns the operator with email (exact match; emails
	// are stored lower-case) and its organisation. NotFound NOT_FOUND.
	OperatorByEmail(ctx context.Context, email string) (tenant.Organisation, operator.Operator, error)
	// ListOperators returns org's operators ordered by email.
	ListOperators(ctx context.Context, org tenant.OrgID) ([]operator.Operator, error)

	// CreateOperatorSession stores s. Conflict ALREADY_EXISTS when a
	// session has the same digest; NotFound NOT_FOUND when its operator does
	// not exist.
	CreateOperatorSession(ctx context.Context, s operator.Session) error
	// OperatorSession returns the session with digest, expired or not, with
	// its operator and the operator's organisation. Unauthorized
	// SESSION_INVALID when there is none.
	OperatorSession(ctx context.Context, digest []byte) (operator.Session, operator.Operator, tenant.Organisation, error)
	// DeleteOperatorSession removes the session with digest; removing one
	// that does not exist is not an error.
	DeleteOperatorSession(ctx context.Context, digest []byte) error
	// DeleteExpiredOperatorSessions removes the sessions whose expiry is
	// before before and returns how many.
	DeleteExpiredOperatorSessions(ctx context.Context, before time.Time) (int, error)
}

// OperatorSession is a signed-in dashboard operator, as OperatorService
// resolves a session id. The organisation is the operator's, and every
// page acts for it alone.
type OperatorSession struct {
	// ID is the raw session id, the browser's cookie. The store never
	// holds it, only its keyed digest.
	ID string
	// CSRF is the anti-forgery token every form of the session carries.
	CSRF      string
	Operator  operator.Operator
	Org       tenant.Organisation
	ExpiresAt time.Time
}

// OperatorService manages dashboard operators and their sessions.
type OperatorService interface {
	// Add adds an operator to org. An empty password is generated and
	// returned, the only time it can be seen; a given one is never returned.
	// Invalid INVALID_EMAIL/INVALID_PASSWORD, Conflict ALREADY_EXISTS.
	Add(ctx context.Context, org tenant.OrgID, email, password string) (operator.Operator, string, error)
	// List returns org's operators (never their password hashes).
	List(ctx context.Context, org tenant.OrgID) ([]operator.Operator, error)
	// SignIn checks an email and a password and opens a session.
	// Unauthorized INVALID_CREDENTIALS whatever is wrong; Forbidden
	// SIGN_IN_LOCKED after too many failures for the email (operator.Policy),
	// ORG_DISABLED when the organisation is disabled; Unavailable
	// SECRET_KEY_MISSING when the server has no secret key.
	SignIn(ctx context.Context, email, password string) (OperatorSession, error)
	// Session resolves a session id from a cookie. Unauthorized
	// SESSION_INVALID when it is unknown, expired or ended; Forbidden
	// ORG_DISABLED.
	Session(ctx context.Context, id string) (OperatorSession, error)
	// SignOut ends the session with id; ending one that does not exist is
	// not an error.
	SignOut(ctx context.Context, id string) error
}
