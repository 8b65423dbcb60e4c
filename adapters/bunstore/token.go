package bunstore

import (
	"context"
	"time"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/token"
)

// Tokens are stored by their keyed digest only (see package token). The
// domain's Token.Consume describes a consumption; ConsumeToken performs it
// as one conditional statement, so that the database, not a read followed
// by a write, decides which of concurrent consumers wins.

// maxConsumeRounds bounds ConsumeToken's retries when the token it failed
// to consume turns out to be consumable: possible only if the row was
// deleted and saved again between its two statements.
const maxConsumeRounds = 3

const tokenColumns = "digest, org_id, vendor_id, issued_at, expires_at, consumed_at"

func tokenFromRow(r tokenRow) token.Token {
	var consumed time.Time
	if r.ConsumedAt != nil {
		consumed = r.ConsumedAt.UTC()
	}
	return token.Restore(r.Digest, r.OrgID, r.VendorID, r.IssuedAt.UTC(), r.ExpiresAt.UTC(), consumed)
}

// orNullTime returns nil, stored as NULL, for a zero time, and t as the
// database keeps it otherwise.
func orNullTime(t time.Time, ok bool) any {
	if !ok {
		return nil
	}
	return dbTime(t)
}

// SaveToken stores a newly issued token, its times to the microsecond.
// Conflict ALREADY_EXISTS when a token has the same digest; NotFound
// ORG_NOT_FOUND when its organisation does not exist.
func (s *Store) SaveToken(ctx context.Context, t token.Token) error {
	_, err := s.db.NewRaw("INSERT INTO tokens ("+tokenColumns+") VALUES (?, ?, ?, ?, ?, ?)",
		t.Digest(), t.OrgID(), t.VendorID(), dbTime(t.IssuedAt()), dbTime(t.ExpiresAt()), orNullTime(t.ConsumedAt())).Exec(ctx)
	// "token" alone: the digest identifies a secret.
	return s.insertError(err, "token")
}

// ConsumeToken consumes the token with digest at now and returns it
// consumed. One UPDATE both checks and consumes (not consumed, and
// now < expires_at, the domain's half-open lifetime), so of any number of
// concurrent calls exactly one changes the row: on PostgreSQL the others
// wait for its row lock and then find the token consumed; on SQLite writes
// are serialised. When the UPDATE changes nothing, the token is read to
// report why, with the domain's own errors: Unauthorized TOKEN_INVALID when
// no token has digest, TOKEN_USED when it was consumed, TOKEN_EXPIRED when
// it expired.
func (s *Store) ConsumeToken(ctx context.Context, digest []byte, now time.Time) (token.Token, error) {
	if len(digest) == 0 {
		return token.Token{}, token.InvalidError()
	}
	now = dbTime(now)
	for range maxConsumeRounds {
		var r tokenRow
		err := s.db.NewRaw(`UPDATE tokens SET consumed_at = ?
			WHERE digest = ? AND consumed_at IS NULL AND expires_at > ?
			RETURNING `+tokenColumns, now, digest, now).Scan(ctx, &r)
		if err == nil {
			return tokenFromRow(r), nil
		}
		if !errNoRows(err) {
			return token.Token{}, s.dbError(err, "consume token")
		}
		err = s.db.NewRaw("SELECT "+tokenColumns+" FROM tokens WHERE digest = ?", digest).Scan(ctx, &r)
		if errNoRows(err) {
			return token.Token{}, token.InvalidError()
		}
		if err != nil {
			return token.Token{}, s.dbError(err, "read token")
		}
		if _, err := tokenFromRow(r).Consume(now); err != nil {
			return token.Token{}, err
		}
	}
	return token.Token{}, fault.Unavailablef(nil, "the token is contended, try again")
}

// DeleteExpiredTokens removes the tokens whose expiry is before before,
// consumed or not, and returns how many.
func (s *Store) DeleteExpiredTokens(ctx context.Context, before time.Time) (int, error) {
	res, err := s.db.NewRaw("DELETE FROM tokens WHERE expires_at < ?", dbTime(before)).Exec(ctx)
	if err != nil {
		return 0, s.dbError(err, "delete expired tokens")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, s.dbError(err, "delete expired tokens")
	}
	return int(n), nil
}
