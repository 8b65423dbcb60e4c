package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/operator"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

const genOperatorPassword = "GeneratedPassw0rdGenerat"

// fakeOperators is an in-memory ports.OperatorService that records what it
// is asked.
type fakeOperators struct {
	ops       []operator.Operator
	passwords []string // what Add received
	err       error
}

func (f *fakeOperators) Add(_ context.Context, org tenant.OrgID, email, password string) (operator.Operator, string, error) {
	f.passwords = append(f.passwords, password)
	if f.err != nil {
		return operator.Operator{}, "", f.err
	}
	op := operator.Operator{ID: int64(len(f.ops) + 1), Org: org, Email: strings.ToLower(strings.TrimSpace(email)), CreatedAt: epoch}
	f.ops = append(f.ops, op)
	if password == "" {
		return op, genOperatorPassword, nil
	}
	return op, "", nil
}

func (f *fakeOperators) List(_ context.Context, org tenant.OrgID) ([]operator.Operator, error) {
	var out []operator.Operator
	for _, op := range f.ops {
		if op.Org == org {
			out = append(out, op)
		}
	}
	return out, f.err
}

func (f *fakeOperators) SignIn(context.Context, string, string) (ports.OperatorSession, error) {
	return ports.OperatorSession{}, fault.New(fault.Internal, "INTERNAL", "not used")
}

func (f *fakeOperators) Session(context.Context, string) (ports.OperatorSession, error) {
	return ports.OperatorSession{}, fault.New(fault.Internal, "INTERNAL", "not used")
}

func (f *fakeOperators) SignOut(context.Context, string) error { return nil }

// runOperators runs allot with args over the seeded world and ops.
func runOperators(t *testing.T, ops *fakeOperators, args ...string) result {
	t.Helper()
	cleanEnv(t)
	w := newWorld()
	w.seed()
	var out, errOut bytes.Buffer
	deps := Deps{
		Open: func(context.Context, string) (*Backend, error) {
			svc := w.services()
			svc.Operators = ops
			return &Backend{Services: svc, Close: func() error { return nil }}, nil
		},
		Stdout: &out, Stderr: &errOut,
	}
	code := Run(context.Background(), deps, append([]string{"allot"}, args...))
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

func TestOperatorAdd(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		stdout string
	}{
		{"generated", []string{"--email", "Ops@Acme.Test"},
			"added operator ops@acme.test to ACME\npassword: " + genOperatorPassword + "\n"},
		{"given", []string{"--email", "ops@acme.test", "--password", "correct horse battery"},
			"added operator ops@acme.test to ACME\n"},
		{"generated json", []string{"--email", "ops@acme.test", "--json"},
			"{\n  \"email\": \"ops@acme.test\",\n  \"org\": \"ACME\",\n  \"created_at\": \"2024-05-01T10:00:00Z\",\n  \"password\": \"" + genOperatorPassword + "\"\n}\n"},
		{"given json", []string{"--email", "ops@acme.test", "--password", "correct horse battery", "--json"},
			"{\n  \"email\": \"ops@acme.test\",\n  \"org\": \"ACME\",\n  \"created_at\": \"2024-05-01T10:00:00Z\"\n}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ops := &fakeOperators{}
			r := runOperators(t, ops, append([]string{"operator", "add", "--org", "ACME"}, tt.args...)...)
			if r.code != 0 || r.stderr != "" || r.stdout != tt.stdout {
				t.Fatalf("got exit %d, stderr %q, stdout:\n%s\nwant:\n%s", r.code, r.stderr, r.stdout, tt.stdout)
			}
			if strings.Contains(r.stdout, "correct horse") {
				t.Error("a given password is printed")
			}
		})
	}
}

func TestOperatorAddErrors(t *testing.T) {
	ops := &fakeOperators{}
	for _, c := range []struct {
		args   []string
		stderr string
	}{
		{[]string{"operator", "add", "--email", "ops@acme.test"}, "allot: missing required flag --org\n"},
		{[]string{"operator", "add", "--org", "ACME"}, "allot: missing required flag --email\n"},
		{[]string{"operator", "add", "--org", "ACME", "ops@acme.test"}, "allot: unexpected argument \"ops@acme.test\"\n"},
	} {
		r := runOperators(t, ops, c.args...)
		if r.code != 2 || !strings.HasPrefix(r.stderr, c.stderr) || r.stdout != "" {
			t.Errorf("%v: got %+v", c.args, r)
		}
	}
	if len(ops.passwords) != 0 {
		t.Fatalf("a usage error reached the service: %v", ops.passwords)
	}
	// The service's messages are shown, with a given password masked.
	ops.err = fault.InvalidField("password", "pattern", operator.ReasonInvalidPassword, `password "short pass" must have at least 12 characters`)
	r := runOperators(t, ops, "operator", "add", "--org", "ACME", "--email", "ops@acme.test", "--password", "short pass")
	if r.code != 2 || r.stdout != "" || r.stderr != "allot: password \"xxxxx\" must have at least 12 characters\n" {
		t.Errorf("invalid password: got %+v", r)
	}
	ops.err = fault.New(fault.Conflict, tenant.ReasonDuplicate, "operator ops@acme.test already exists")
	r = runOperators(t, ops, "operator", "add", "--org", "ACME", "--email", "ops@acme.test")
	if r.code != 4 || r.stdout != "" || r.stderr != "allot: operator ops@acme.test already exists\n" {
		t.Errorf("duplicate: got %+v", r)
	}
	r = runOperators(t, ops, "operator", "add", "--org", "NOPE", "--email", "ops@acme.test")
	if r.code != 3 {
		t.Errorf("unknown organisation: got %+v", r)
	}
}

func TestOperatorList(t *testing.T) {
	ops := &fakeOperators{ops: []operator.Operator{
		{ID: 1, Org: 1, Email: "amy@acme.test", CreatedAt: epoch},
		{ID: 2, Org: 2, Email: "bob@other.test", CreatedAt: epoch},
	}}
	r := runOperators(t, ops, "operator", "list", "--org", "ACME")
	want := "EMAIL          CREATED\namy@acme.test  2024-05-01T10:00:00Z\n"
	if r.code != 0 || r.stdout != want {
		t.Fatalf("got %+v, want stdout:\n%s", r, want)
	}
	r = runOperators(t, ops, "operator", "list", "--org", "ACME", "--json")
	if r.code != 0 || !strings.Contains(r.stdout, `"email": "amy@acme.test"`) || strings.Contains(r.stdout, "bob") {
		t.Fatalf("json: got %+v", r)
	}
}
