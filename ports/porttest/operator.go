package porttest

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/operator"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/domain/token"
	"github.com/allot-io/allot/ports"
)

// addOperator stores an operator of org with email and fails t on error.
func addOperator(t *testing.T, s ports.Store, org tenant.OrgID, email string) operator.Operator {
	t.Helper()
	op, err := s.AddOperator(ctx(t), operator.Operator{Org: org, Email: email, PasswordHash: "hash-of-" + email, CreatedAt: base})
	if err != nil {
		t.Fatalf("AddOperator(%s): %v", email, err)
	}
	return op
}

// saveSession stores a session of op named raw, created at base and
// expiring after ttl, and returns it.
func saveSession(t *testing.T, s ports.Store, op operator.Operator, raw string) operator.Session {
	t.Helper()
	sess := operator.Session{Digest: token.Digest(tokenKey, raw), OperatorID: op.ID, CreatedAt: base, ExpiresAt: base.Add(ttl)}
	must(t, s.CreateOperatorSession(ctx(t), sess), "CreateOperatorSession")
	return sess
}

func sameOperator(a, b operator.Operator) bool {
	return a.ID == b.ID && a.Org == b.Org && a.Email == b.Email && a.PasswordHash == b.PasswordHash && a.CreatedAt.Equal(b.CreatedAt)
}

func (h harness) operators(t *testing.T) {
	h.run(t, "AddAndByEmail", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		op := addOperator(t, s, org, "ops@acme.test")
		if op.ID == 0 {
			t.Fatal("AddOperator returned no ID")
		}
		o, got, err := s.OperatorByEmail(ctx(t), "ops@acme.test")
		must(t, err, "OperatorByEmail")
		if o.ID != org || o.Code != "acme" {
			t.Fatalf("OperatorByEmail organisation = %+v, want acme (%d)", o, org)
		}
		if !sameOperator(got, op) {
			t.Fatalf("OperatorByEmail = %+v, want %+v", got, op)
		}
	})
	h.run(t, "CreatedAtAssigned", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		op, err := s.AddOperator(ctx(t), operator.Operator{Org: org, Email: "ops@acme.test", PasswordHash: "h"})
		must(t, err, "AddOperator")
		if op.CreatedAt.IsZero() {
			t.Fatal("CreatedAt not assigned")
		}
	})
	h.run(t, "DuplicateAcrossOrganisations", func(t *testing.T, s ports.Store) {
		a, b := mkOrg(t, s, "a"), mkOrg(t, s, "b")
		addOperator(t, s, a, "ops@acme.test")
		_, err := s.AddOperator(ctx(t), operator.Operator{Org: b, Email: "ops@acme.test", PasswordHash: "h", CreatedAt: base})
		wantFault(t, err, fault.Conflict, tenant.ReasonDuplicate)
	})
	h.run(t, "UnknownOrganisation", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		_, err := s.AddOperator(ctx(t), operator.Operator{Org: org + 1000, Email: "ops@acme.test", PasswordHash: "h", CreatedAt: base})
		wantFault(t, err, fault.NotFound, tenant.ReasonOrgNotFound)
	})
	h.run(t, "NotFound", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		addOperator(t, s, org, "ops@acme.test")
		_, _, err := s.OperatorByEmail(ctx(t), "other@acme.test")
		wantFault(t, err, fault.NotFound, tenant.ReasonNotFound)
	})
	h.run(t, "ListIsPerOrganisation", func(t *testing.T, s ports.Store) {
		a, b := mkOrg(t, s, "a"), mkOrg(t, s, "b")
		for _, e := range []string{"zed@a.test", "amy@a.test"} {
			addOperator(t, s, a, e)
		}
		addOperator(t, s, b, "bob@b.test")
		list, err := s.ListOperators(ctx(t), a)
		must(t, err, "ListOperators")
		var emails []string
		for _, op := range list {
			emails = append(emails, op.Email)
			if op.Org != a {
				t.Fatalf("ListOperators(a) returned %s of organisation %d", op.Email, op.Org)
			}
		}
		if want := []string{"amy@a.test", "zed@a.test"}; !slices.Equal(emails, want) {
			t.Fatalf("ListOperators(a) = %v, want %v", emails, want)
		}
		none, err := s.ListOperators(ctx(t), mkOrg(t, s, "c"))
		must(t, err, "ListOperators")
		if len(none) != 0 {
			t.Fatalf("a new organisation lists %d operators", len(none))
		}
	})
}

func (h harness) operatorSessions(t *testing.T) {
	h.run(t, "CreateAndGet", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		op := addOperator(t, s, org, "ops@acme.test")
		want := saveSession(t, s, op, "sess-1")
		sess, gotOp, o, err := s.OperatorSession(ctx(t), want.Digest)
		must(t, err, "OperatorSession")
		if !bytes.Equal(sess.Digest, want.Digest) || sess.OperatorID != op.ID ||
			!sess.CreatedAt.Equal(want.CreatedAt) || !sess.ExpiresAt.Equal(want.ExpiresAt) {
			t.Fatalf("OperatorSession = %+v, want %+v", sess, want)
		}
		if !sameOperator(gotOp, op) || o.ID != org || o.Code != "acme" {
			t.Fatalf("OperatorSession operator %+v of %+v, want %+v of acme", gotOp, o, op)
		}
	})
	h.run(t, "TenantIsolation", func(t *testing.T, s ports.Store) {
		// A session resolves to its own operator's organisation, never to
		// another that has an operator too.
		a, b := mkOrg(t, s, "a"), mkOrg(t, s, "b")
		opA, opB := addOperator(t, s, a, "ops@a.test"), addOperator(t, s, b, "ops@b.test")
		sa, sb := saveSession(t, s, opA, "sess-a"), saveSession(t, s, opB, "sess-b")
		for _, c := range []struct {
			sess operator.Session
			op   operator.Operator
			org  tenant.OrgID
		}{{sa, opA, a}, {sb, opB, b}} {
			_, op, o, err := s.OperatorSession(ctx(t), c.sess.Digest)
			must(t, err, "OperatorSession")
			if op.ID != c.op.ID || op.Org != c.org || o.ID != c.org {
				t.Fatalf("session of %s resolved to operator %s of organisation %d", c.op.Email, op.Email, o.ID)
			}
		}
		must(t, s.DeleteOperatorSession(ctx(t), sa.Digest), "DeleteOperatorSession")
		if _, _, _, err := s.OperatorSession(ctx(t), sb.Digest); err != nil {
			t.Fatalf("ending a's session ended b's: %v", err)
		}
	})
	h.run(t, "ExpiredIsReturned", func(t *testing.T, s ports.Store) {
		// Whether a session is over is the domain's decision; the store
		// returns it with its expiry.
		op := addOperator(t, s, mkOrg(t, s, "acme"), "ops@acme.test")
		sess := operator.Session{Digest: []byte("old"), OperatorID: op.ID, CreatedAt: base.Add(-2 * ttl), ExpiresAt: base.Add(-ttl)}
		must(t, s.CreateOperatorSession(ctx(t), sess), "CreateOperatorSession")
		got, _, _, err := s.OperatorSession(ctx(t), sess.Digest)
		must(t, err, "OperatorSession")
		if !got.Expired(base) {
			t.Fatalf("session expiring %v is not expired at %v", got.ExpiresAt, base)
		}
	})
	h.run(t, "Unknown", func(t *testing.T, s ports.Store) {
		op := addOperator(t, s, mkOrg(t, s, "acme"), "ops@acme.test")
		saveSession(t, s, op, "sess-1")
		for _, d := range [][]byte{token.Digest(tokenKey, "sess-2"), nil} {
			_, _, _, err := s.OperatorSession(ctx(t), d)
			wantFault(t, err, fault.Unauthorized, operator.ReasonSessionInvalid)
		}
	})
	h.run(t, "Duplicate", func(t *testing.T, s ports.Store) {
		op := addOperator(t, s, mkOrg(t, s, "acme"), "ops@acme.test")
		sess := saveSession(t, s, op, "sess-1")
		wantFault(t, s.CreateOperatorSession(ctx(t), sess), fault.Conflict, tenant.ReasonDuplicate)
	})
	h.run(t, "UnknownOperator", func(t *testing.T, s ports.Store) {
		op := addOperator(t, s, mkOrg(t, s, "acme"), "ops@acme.test")
		err := s.CreateOperatorSession(ctx(t), operator.Session{Digest: []byte("d"), OperatorID: op.ID + 1000, CreatedAt: base, ExpiresAt: base.Add(ttl)})
		wantFault(t, err, fault.NotFound, tenant.ReasonNotFound)
	})
	h.run(t, "Delete", func(t *testing.T, s ports.Store) {
		op := addOperator(t, s, mkOrg(t, s, "acme"), "ops@acme.test")
		sess := saveSession(t, s, op, "sess-1")
		must(t, s.DeleteOperatorSession(ctx(t), sess.Digest), "DeleteOperatorSession")
		_, _, _, err := s.OperatorSession(ctx(t), sess.Digest)
		wantFault(t, err, fault.Unauthorized, operator.ReasonSessionInvalid)
		must(t, s.DeleteOperatorSession(ctx(t), sess.Digest), "DeleteOperatorSession twice")
	})
	h.run(t, "DeleteExpired", func(t *testing.T, s ports.Store) {
		op := addOperator(t, s, mkOrg(t, s, "acme"), "ops@acme.test")
		live := saveSession(t, s, op, "live")
		for i, exp := range []time.Duration{-time.Hour, -time.Minute} {
			must(t, s.CreateOperatorSession(ctx(t), operator.Session{
				Digest: []byte{byte(i)}, OperatorID: op.ID, CreatedAt: base.Add(-2 * time.Hour), ExpiresAt: base.Add(exp),
			}), "CreateOperatorSession")
		}
		n, err := s.DeleteExpiredOperatorSessions(ctx(t), base)
		must(t, err, "DeleteExpiredOperatorSessions")
		if n != 2 {
			t.Fatalf("DeleteExpiredOperatorSessions removed %d, want 2", n)
		}
		if _, _, _, err := s.OperatorSession(ctx(t), live.Digest); err != nil {
			t.Fatalf("the live session was removed: %v", err)
		}
	})
}
