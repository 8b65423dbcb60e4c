package service

import (
	"context"
	"io"
	"strings"
	"time"

	"github.com/allot-io/allot/domain/attempt"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/operator"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/domain/token"
	"github.com/allot-io/allot/ports"
)

// Operators implements ports.OperatorService.
type Operators struct {
	store  ports.OperatorStores
	clock  ports.Clock
	random io.Reader
	hasher ports.PasswordHasher
	// key keys session digests and CSRF tokens; nil refuses sign-in.
	key []byte
	ttl time.Duration
	// policy limits sign-ins per email, addrPolicy per client address.
	policy, addrPolicy attempt.Policy
	guard              guard
	// delay is added to every failed sign-in, so that guessing is slow
	// even below the lockout, and a failure's cause does not show in its
	// timing.
	delay time.Duration
	// dummyHash is verified against when an email is unknown, so that an
	// unknown email costs as much time as a wrong password.
	dummyHash string
	metrics   ports.Metrics
}

var _ ports.OperatorService = (*Operators)(nil)

// errNoSessionKey is returned by the session calls when the server was
// started without a secret key.
var errNoSessionKey = fault.New(fault.Unavailable, "SECRET_KEY_MISSING", "the dashboard needs a secret key (ALLOT_SECRET_KEY)")

// public returns op without its password hash, which never leaves the
// service.
func public(op operator.Operator) operator.Operator {
	op.PasswordHash = ""
	return op
}

// Add implements ports.OperatorService.
func (s *Operators) Add(ctx context.Context, org tenant.OrgID, email, password string) (operator.Operator, string, error) {
	var vs fault.Violations
	addr, err := operator.ParseEmail("email", email)
	if fe, ok := fault.As(err); ok {
		vs = append(vs, fe.Violations...)
	}
	if password != "" {
		if fe, ok := fault.As(operator.CheckPassword("password", password)); ok {
			vs = append(vs, fe.Violations...)
		}
	}
	if err := vs.Err(); err != nil {
		return operator.Operator{}, "", err
	}
	var generated string
	if password == "" {
		if generated, err = randomText(s.random, passwordAlphabet, operator.GeneratedPassword); err != nil {
			return operator.Operator{}, "", err
		}
		password = generated
	}
	hash, err := s.hasher.Hash(password)
	if err != nil {
		return operator.Operator{}, "", fault.Wrap(err, "hash operator password")
	}
	op, err := s.store.AddOperator(ctx, operator.Operator{Org: org, Email: addr, PasswordHash: hash, CreatedAt: s.clock.Now()})
	if err != nil {
		return operator.Operator{}, "", err
	}
	return public(op), generated, nil
}

// List implements ports.OperatorService.
func (s *Operators) List(ctx context.Context, org tenant.OrgID) ([]operator.Operator, error) {
	ops, err := s.store.ListOperators(ctx, org)
	if err != nil {
		return nil, err
	}
	for i := range ops {
		ops[i] = public(ops[i])
	}
	return ops, nil
}

// SignIn implements ports.OperatorService. An attempt is reserved under
// the lockout (per email and per client address) before the password is
// checked, in one atomic step of the store, so that guesses sent at once
// get no more checks than guesses sent one by one, in any number of
// processes; a locked email costs no hashing and tells nothing about the
// password. Attempts are counted per email whether or not an operator has
// it, so that neither the answer nor the lockout reveals who has an
// account.
func (s *Operators) SignIn(ctx context.Context, email, password string) (ports.OperatorSession, error) {
	if s.key == nil {
		return ports.OperatorSession{}, errNoSessionKey
	}
	addr, err := operator.ParseEmail("email", email)
	if err != nil || password == "" || len(password) > operator.MaxPassword {
		// Nothing to count: no operator can have such an email or password.
		return ports.OperatorSession{}, s.failed(ctx, operator.CredentialsError())
	}
	emailKey := attempt.Key(attempt.SignInEmail, addr)
	t, refused, err := s.guard.reserve(ctx,
		attempt.Limit{Key: emailKey, Policy: s.policy},
		attempt.Limit{Key: attempt.Key(attempt.SignInAddress, ports.ClientAddress(ctx)), Policy: s.addrPolicy})
	if err != nil {
		return ports.OperatorSession{}, err
	}
	now := t.now
	if refused {
		return ports.OperatorSession{}, s.failed(ctx, operator.LockedError(t.until, now))
	}
	defer t.done()
	org, op, err := s.store.OperatorByEmail(ctx, addr)
	known := err == nil
	if err != nil && fault.CodeOf(err) != fault.NotFound {
		return ports.OperatorSession{}, err
	}
	hash := op.PasswordHash
	if !known {
		hash = s.dummyHash
	}
	ok, err := s.hasher.Verify(hash, password)
	if err != nil {
		return ports.OperatorSession{}, fault.Wrap(err, "verify operator password")
	}
	if !known || !ok {
		// The reserved attempt stays counted. Say so at once when it was
		// the last one the window allows.
		if t.last {
			return ports.OperatorSession{}, s.failed(ctx, operator.LockedError(t.until, now))
		}
		return ports.OperatorSession{}, s.failed(ctx, operator.CredentialsError())
	}
	if org.Disabled {
		observeAuth(s.metrics, ports.AuthDashboard, orgDisabled(org))
		return ports.OperatorSession{}, orgDisabled(org)
	}
	t.succeeded(ctx)
	if err := s.store.ClearAttempts(ctx, emailKey); err != nil {
		return ports.OperatorSession{}, err
	}
	// Sign-in is rare enough to sweep ended sessions here, so that the
	// table never needs a job of its own.
	if _, err := s.store.DeleteExpiredOperatorSessions(ctx, now); err != nil {
		return ports.OperatorSession{}, err
	}
	b := make([]byte, token.MinRandomBytes)
	if _, err := io.ReadFull(s.random, b); err != nil {
		return ports.OperatorSession{}, fault.Wrap(err, "read random session id")
	}
	raw, err := token.Generate(b)
	if err != nil {
		return ports.OperatorSession{}, fault.Wrap(err, "generate session id")
	}
	sess := operator.Session{Digest: token.Digest(s.key, raw), OperatorID: op.ID, CreatedAt: now, ExpiresAt: now.Add(s.ttl)}
	if err := s.store.CreateOperatorSession(ctx, sess); err != nil {
		return ports.OperatorSession{}, err
	}
	return s.session(raw, sess, op, org), nil
}

func (s *Operators) session(raw string, sess operator.Session, op operator.Operator, org tenant.Organisation) ports.OperatorSession {
	return ports.OperatorSession{
		ID:        raw,
		CSRF:      operator.CSRFToken(s.key, raw),
		Operator:  public(op),
		Org:       org,
		ExpiresAt: sess.ExpiresAt,
	}
}

// failed waits the failure delay, or until ctx ends, and returns err.
func (s *Operators) failed(ctx context.Context, err error) error {
	observeAuth(s.metrics, ports.AuthDashboard, err)
	if s.delay > 0 {
		t := time.NewTimer(s.delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
		}
	}
	return err
}

// Session implements ports.OperatorService.
func (s *Operators) Session(ctx context.Context, raw string) (ports.OperatorSession, error) {
	if s.key == nil {
		return ports.OperatorSession{}, errNoSessionKey
	}
	raw = strings.TrimSpace(raw)
	if !token.WellFormed(raw) {
		return ports.OperatorSession{}, operator.SessionInvalidError()
	}
	sess, op, org, err := s.store.OperatorSession(ctx, token.Digest(s.key, raw))
	if err != nil {
		return ports.OperatorSession{}, err
	}
	if sess.Expired(s.clock.Now()) {
		return ports.OperatorSession{}, operator.SessionInvalidError()
	}
	if org.Disabled {
		return ports.OperatorSession{}, orgDisabled(org)
	}
	return s.session(raw, sess, op, org), nil
}

// SignOut implements ports.OperatorService.
func (s *Operators) SignOut(ctx context.Context, raw string) error {
	if s.key == nil {
		return errNoSessionKey
	}
	raw = strings.TrimSpace(raw)
	if !token.WellFormed(raw) {
		return nil
	}
	return s.store.DeleteOperatorSession(ctx, token.Digest(s.key, raw))
}
