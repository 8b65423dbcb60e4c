package service_test

import (
	"bytes"
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/allot-io/allot/adapters/bunstore"
	"github.com/allot-io/allot/adapters/secret"
	"github.com/allot-io/allot/app/service"
	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// countedHasher counts the hashes verified, so that a test sees which
// authentications hashed and which the cache answered.
type countedHasher struct {
	ports.PasswordHasher
	n atomic.Int64
}

func (h *countedHasher) Verify(hash, secret string) (bool, error) {
	h.n.Add(1)
	return h.PasswordHasher.Verify(hash, secret)
}

type credEnv struct {
	clk    *clock
	path   string
	st     *bunstore.Store
	hasher *countedHasher
	// a and b are two servers' services over one store.
	a, b ports.Services
	org  tenant.Organisation
	cred ports.Credentials
}

var credKey = bytes.Repeat([]byte("k"), 32)

func newCredEnv(t *testing.T, cfg service.Config) *credEnv {
	t.Helper()
	ctx := context.Background()
	e := &credEnv{clk: &clock{t: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}, path: filepath.Join(t.TempDir(), "a.db"),
		hasher: &countedHasher{PasswordHasher: secret.NewTestHasher()}}
	st, err := bunstore.Open(ctx, "sqlite:"+e.path, bunstore.WithClock(e.clk))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	e.st = st
	deps := service.Deps{Store: st, Clock: e.clk, Hasher: e.hasher, TokenKey: credKey}
	e.a, e.b = service.New(deps, cfg), service.New(deps, cfg)
	if e.org, err = e.a.Orgs.Create(ctx, "ACME", ""); err != nil {
		t.Fatal(err)
	}
	e.cred = ports.Credentials{VendorID: "V1", Username: "user", Password: "vendor-password-1", Pin: "1234"}
	if _, err := e.a.Enrollment.AddVendor(ctx, e.org.ID, "V1", "user", e.cred.Password, e.cred.Pin); err != nil {
		t.Fatal(err)
	}
	return e
}

// auth authenticates c on svc and returns how many hashes it verified and
// the error; a token it returns must be one the other server accepts.
func (e *credEnv) auth(t *testing.T, svc ports.Services, c ports.Credentials) (int64, error) {
	t.Helper()
	before := e.hasher.n.Load()
	tok, err := svc.Enrollment.Authenticate(context.Background(), c)
	n := e.hasher.n.Load() - before
	if err == nil {
		other := e.b
		if svc == e.b {
			other = e.a
		}
		if _, cerr := other.Enrollment.Consume(context.Background(), tok); cerr != nil {
			t.Fatalf("a token of a cached authentication is refused: %v", cerr)
		}
	}
	return n, err
}

// TestVerifiedCredentialsSkipTheHash: the second authentication with the
// same credentials verifies no hash, until the entry's TTL is over.
func TestVerifiedCredentialsSkipTheHash(t *testing.T) {
	e := newCredEnv(t, service.Config{})
	if n, err := e.auth(t, e.a, e.cred); err != nil || n != 2 {
		t.Fatalf("first authentication: %v, %d hashes; want 2 (password and pin)", err, n)
	}
	for range 3 {
		if n, err := e.auth(t, e.a, e.cred); err != nil || n != 0 {
			t.Fatalf("repeated authentication: %v, %d hashes; want none", err, n)
		}
	}
	// Each server has its own cache.
	if n, err := e.auth(t, e.b, e.cred); err != nil || n != 2 {
		t.Fatalf("the other server: %v, %d hashes; want 2", err, n)
	}
	e.clk.t = e.clk.t.Add(enrollment.MaxVerifiedTTL - time.Second)
	if n, _ := e.auth(t, e.a, e.cred); n != 0 {
		t.Errorf("within the TTL: %d hashes", n)
	}
	e.clk.t = e.clk.t.Add(time.Second)
	if n, err := e.auth(t, e.a, e.cred); err != nil || n != 2 {
		t.Errorf("after the TTL: %v, %d hashes; want 2", err, n)
	}
	// Any difference in any field is a miss, hashed and refused.
	for _, c := range []ports.Credentials{
		{VendorID: "V1", Username: "userx", Password: e.cred.Password, Pin: e.cred.Pin},
		{VendorID: "V1", Username: "user", Password: e.cred.Password + "x", Pin: e.cred.Pin},
		{VendorID: "V1", Username: "user", Password: e.cred.Password, Pin: "1235"},
	} {
		if n, err := e.auth(t, e.a, c); fault.ReasonOf(err) != enrollment.ReasonCredentials || n != 2 {
			t.Errorf("%+v: %v, %d hashes; want refused after 2", c, err, n)
		}
	}
}

// TestVerifiedCredentialsFailuresNotCached: a refused attempt is hashed
// every time, and still counts towards the guessing limit.
func TestVerifiedCredentialsFailuresNotCached(t *testing.T) {
	e := newCredEnv(t, service.Config{})
	wrong := e.cred
	wrong.Pin = "0000"
	for range 3 {
		if n, err := e.auth(t, e.a, wrong); fault.ReasonOf(err) != enrollment.ReasonCredentials || n != 2 {
			t.Fatalf("wrong pin: %v, %d hashes; want refused after 2", err, n)
		}
	}
	// An unknown vendor costs its dummy hash every time too.
	ghost := ports.Credentials{VendorID: "NOPE", Username: "u", Password: "p", Pin: "1"}
	for range 2 {
		if n, err := e.auth(t, e.a, ghost); fault.ReasonOf(err) != enrollment.ReasonCredentials || n != 1 {
			t.Fatalf("unknown vendor: %v, %d hashes", err, n)
		}
	}
}

// TestVerifiedCredentialsOff: a negative TTL turns the cache off.
func TestVerifiedCredentialsOff(t *testing.T) {
	e := newCredEnv(t, service.Config{VerifiedCredentialTTL: -1})
	for range 2 {
		if n, err := e.auth(t, e.a, e.cred); err != nil || n != 2 {
			t.Fatalf("without a cache: %v, %d hashes; want 2", err, n)
		}
	}
}

// TestVerifiedCredentialsEvicted: disabling the organisation (on the other
// server), changing the vendor's pin or removing the vendor (in the
// database, as another process would) drops server a's entry at once.
func TestVerifiedCredentialsEvicted(t *testing.T) {
	ctx := context.Background()
	e := newCredEnv(t, service.Config{})
	warm := func(what string) {
		t.Helper()
		e.auth(t, e.a, e.cred)
		if n, err := e.auth(t, e.a, e.cred); err != nil || n != 0 {
			t.Fatalf("%s: not cached (%v, %d hashes)", what, err, n)
		}
	}

	warm("before disabling")
	if _, err := e.b.Orgs.SetDisabled(ctx, "ACME", true); err != nil {
		t.Fatal(err)
	}
	if n, err := e.auth(t, e.a, e.cred); fault.ReasonOf(err) != tenant.ReasonOrgDisabled || n != 2 {
		t.Fatalf("after the organisation was disabled: %v, %d hashes; want ORG_DISABLED after hashing", err, n)
	}
	if _, err := e.auth(t, e.a, e.cred); fault.ReasonOf(err) != tenant.ReasonOrgDisabled {
		t.Fatalf("a disabled organisation's credentials were cached: %v", err)
	}
	if _, err := e.b.Orgs.SetDisabled(ctx, "ACME", false); err != nil {
		t.Fatal(err)
	}

	// A second store on the same file is another process.
	other, err := bunstore.Open(ctx, "sqlite:"+e.path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	warm("before the pin changed")
	pin, err := e.hasher.Hash("9999")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.DB().ExecContext(ctx, "UPDATE vendors SET pin_hash = ? WHERE vendor_id = 'V1'", pin); err != nil {
		t.Fatal(err)
	}
	if n, err := e.auth(t, e.a, e.cred); fault.ReasonOf(err) != enrollment.ReasonCredentials || n != 2 {
		t.Fatalf("the old pin after it changed: %v, %d hashes; want refused after hashing", err, n)
	}
	e.cred.Pin = "9999"
	warm("before the vendor was removed")
	if _, err := other.DB().ExecContext(ctx, "DELETE FROM vendors WHERE vendor_id = 'V1'"); err != nil {
		t.Fatal(err)
	}
	if n, err := e.auth(t, e.a, e.cred); fault.ReasonOf(err) != enrollment.ReasonCredentials || n != 1 {
		t.Fatalf("a removed vendor: %v, %d hashes; want refused after the dummy hash", err, n)
	}
}
