package bunstore

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/operator"
	"github.com/allot-io/allot/domain/tenant"
)

// Dashboard operators and their sessions. A session
// is stored by its keyed digest only, like an enrollment token; whether it
// has expired is the domain's decision (operator.Session.Expired), so
// OperatorSession returns expired sessions too.

type operatorRow struct {
	bun.BaseModel `bun:"table:operators,alias:op"`

	ID           int64     `bun:"id,pk,autoincrement"`
	OrgID        int64     `bun:"org_id,notnull"`
	Email        string    `bun:"email,notnull"`
	PasswordHash string    `bun:"password_hash,notnull"`
	CreatedAt    time.Time `bun:"created_at,notnull"`
}

func operatorFromRow(r operatorRow) operator.Operator {
	return operator.Operator{
		ID:           r.ID,
		Org:          tenant.OrgID(r.OrgID),
		Email:        r.Email,
		PasswordHash: r.PasswordHash,
		CreatedAt:    r.CreatedAt.UTC(),
	}
}

const operatorColumns = "op.id, op.org_id, op.email, op.password_hash, op.created_at"

// AddOperator stores op in op.Org (CreatedAt from the store's clock unless
// op has one) and returns it with its ID. Conflict ALREADY_EXISTS when the
// email is taken in any organisation; NotFound ORG_NOT_FOUND when the
// organisation does not exist.
func (s *Store) AddOperator(ctx context.Context, op operator.Operator) (operator.Operator, error) {
	op.CreatedAt = s.timeOr(op.CreatedAt)
	err := s.db.NewRaw(`INSERT INTO operators (org_id, email, password_hash, created_at)
		VALUES (?, ?, ?, ?) RETURNING id`,
		int64(op.Org), op.Email, op.PasswordHash, op.CreatedAt).Scan(ctx, &op.ID)
	if err != nil {
		return operator.Operator{}, s.insertError(err, "operator "+op.Email)
	}
	return op, nil
}

// operatorOrgRow is an operator joined with its organisation.
type operatorOrgRow struct {
	operatorRow
	joinedOrg
}

// operatorOrgColumns select an operatorOrgRow from operators AS op joined
// with organisations AS o.
const operatorOrgColumns = operatorColumns + ", " + joinedOrgColumns

func (r operatorOrgRow) org() tenant.Organisation { return r.organisation(r.OrgID) }

// OperatorByEmail returns the operator with email and its organisation.
// NotFound NOT_FOUND.
func (s *Store) OperatorByEmail(ctx context.Context, email string) (tenant.Organisation, operator.Operator, error) {
	var r operatorOrgRow
	err := s.db.NewRaw(`SELECT `+operatorOrgColumns+`
		FROM operators AS op JOIN organisations AS o ON o.id = op.org_id
		WHERE op.email = ?`, email).Scan(ctx, &r)
	if errNoRows(err) {
		return tenant.Organisation{}, operator.Operator{}, notFound("operator")
	}
	if err != nil {
		return tenant.Organisation{}, operator.Operator{}, s.dbError(err, "get operator")
	}
	return r.org(), operatorFromRow(r.operatorRow), nil
}

// ListOperators returns org's operators ordered by email.
func (s *Store) ListOperators(ctx context.Context, org tenant.OrgID) ([]operator.Operator, error) {
	var rows []operatorRow
	err := s.db.NewRaw(`SELECT `+operatorColumns+` FROM operators AS op
		WHERE op.org_id = ? ORDER BY op.email`, int64(org)).Scan(ctx, &rows)
	if err != nil {
		return nil, s.dbError(err, "list operators")
	}
	out := make([]operator.Operator, len(rows))
	for i, r := range rows {
		out[i] = operatorFromRow(r)
	}
	return out, nil
}

// CreateOperatorSession stores sess, its times to the microsecond.
// Conflict ALREADY_EXISTS on a duplicate digest; NotFound NOT_FOUND when
// its operator does not exist.
func (s *Store) CreateOperatorSession(ctx context.Context, sess operator.Session) error {
	_, err := s.db.NewRaw(`INSERT INTO operator_sessions (digest, operator_id, created_at, expires_at)
		VALUES (?, ?, ?, ?)`,
		sess.Digest, sess.OperatorID, dbTime(sess.CreatedAt), dbTime(sess.ExpiresAt)).Exec(ctx)
	switch classify(err) {
	case kindUnique:
		// "session" alone: the digest identifies a secret.
		return fault.New(fault.Conflict, tenant.ReasonDuplicate, "session already exists")
	case kindForeignKey:
		return notFound("operator")
	}
	return s.dbError(err, "create operator session")
}

// OperatorSession returns the session with digest, expired or not, with its
// operator and organisation. Unauthorized SESSION_INVALID when there is
// none.
func (s *Store) OperatorSession(ctx context.Context, digest []byte) (operator.Session, operator.Operator, tenant.Organisation, error) {
	if len(digest) == 0 {
		return operator.Session{}, operator.Operator{}, tenant.Organisation{}, operator.SessionInvalidError()
	}
	var r struct {
		operatorOrgRow
		SessionCreatedAt time.Time `bun:"session_created_at"`
		SessionExpiresAt time.Time `bun:"session_expires_at"`
	}
	err := s.db.NewRaw(`SELECT `+operatorOrgColumns+`,
			ss.created_at AS session_created_at, ss.expires_at AS session_expires_at
		FROM operator_sessions AS ss
		JOIN operators AS op ON op.id = ss.operator_id
		JOIN organisations AS o ON o.id = op.org_id
		WHERE ss.digest = ?`, digest).Scan(ctx, &r)
	if errNoRows(err) {
		return operator.Session{}, operator.Operator{}, tenant.Organisation{}, operator.SessionInvalidError()
	}
	if err != nil {
		return operator.Session{}, operator.Operator{}, tenant.Organisation{}, s.dbError(err, "get operator session")
	}
	sess := operator.Session{
		Digest:     append([]byte(nil), digest...),
		OperatorID: r.ID,
		CreatedAt:  r.SessionCreatedAt.UTC(),
		ExpiresAt:  r.SessionExpiresAt.UTC(),
	}
	return sess, operatorFromRow(r.operatorRow), r.org(), nil
}

// DeleteOperatorSession removes the session with digest, if any.
func (s *Store) DeleteOperatorSession(ctx context.Context, digest []byte) error {
	_, err := s.db.NewRaw("DELETE FROM operator_sessions WHERE digest = ?", digest).Exec(ctx)
	return s.dbError(err, "delete operator session")
}

// DeleteExpiredOperatorSessions removes the sessions whose expiry is before
// before and returns how many.
func (s *Store) DeleteExpiredOperatorSessions(ctx context.Context, before time.Time) (int, error) {
	res, err := s.db.NewRaw("DELETE FROM operator_sessions WHERE expires_at < ?", dbTime(before)).Exec(ctx)
	if err != nil {
		return 0, s.dbError(err, "delete expired operator sessions")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, s.dbError(err, "delete expired operator sessions")
	}
	return int(n), nil
}
