package service_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/allot-io/allot/adapters/bunstore"
	"github.com/allot-io/allot/adapters/secret"
	"github.com/allot-io/allot/app/service"
	"github.com/allot-io/allot/domain/attempt"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/ports"
)

// TestDefect9NextCountAndUnknownOwner: an unknown client answered
// SERIES_EXHAUSTED. Now an owner that does not exist is
// CLIENT_NOT_FOUND (HUB_NOT_FOUND for a hub), while a real owner without
// stock stays SERIES_EXHAUSTED.
func TestDefect9NextCountAndUnknownOwner(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	cases := []struct {
		req    ports.NextRequest
		reason string
	}{
		{ports.NextRequest{ClientCode: "SL1981", ItemCode: "I", Count: series.MaxDraw + 1}, series.ReasonInvalidCount},
		{ports.NextRequest{ClientCode: "NOSUCH", ItemCode: "I", Count: 1}, series.ReasonClientNotFound},
		{ports.NextRequest{HubCode: "NOSUCH", ItemCode: "I", Count: 1}, series.ReasonHubNotFound},
		{ports.NextRequest{ClientCode: "SL1981", ItemCode: "I", Count: 1}, series.ReasonExhausted},
	}
	for _, c := range cases {
		_, err := e.svc.Series.Next(ctx, e.org.ID, c.req)
		if fault.ReasonOf(err) != c.reason {
			t.Errorf("Next(%+v) = %v, want %s", c.req, err, c.reason)
		}
	}
}

// TestDefect2ServiceTypesBounded: the domain refuses more than
// series.MaxServiceTypes service types with one violation, not one per
// element.
func TestDefect2ServiceTypesBounded(t *testing.T) {
	_, err := series.Validate(series.Spec{ClientCode: "C", Start: "V1", End: "V2", ItemCode: "I",
		ServiceTypes: make([]string, 349_425)}, series.Limits{})
	fe, _ := fault.As(err)
	if fe == nil || len(fe.Violations) != 1 || fe.Reason != series.ReasonInvalidServiceType {
		t.Fatalf("Validate = %v", err)
	}
}

// TestDefect4LimitsHoldOnlyForTheirWindow: a victim's correct credential
// presented from another address is refused at most until the window ends
// (so a lockout cannot outlast it), and a correct API key from another
// address is never refused for a guesser's failures.
func TestDefect4LimitsHoldOnlyForTheirWindow(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	st, err := bunstore.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "a.db"), bunstore.WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	svc := service.New(service.Deps{Store: st, Clock: clk, Hasher: secret.NewTestHasher(), TokenKey: bytes.Repeat([]byte("k"), 32)}, service.Config{})
	org, err := svc.Orgs.Create(ctx, "ACME", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Enrollment.AddVendor(ctx, org.ID, "V1", "user", "vendor-password-1", "1234"); err != nil {
		t.Fatal(err)
	}
	key, _, err := svc.APIKeys.Create(ctx, org.ID)
	if err != nil {
		t.Fatal(err)
	}
	attacker := ports.WithClientAddress(ctx, "203.0.113.9")
	victim := ports.WithClientAddress(ctx, "198.51.100.7")
	right := ports.Credentials{VendorID: "V1", Username: "user", Password: "vendor-password-1", Pin: "1234"}
	wrong := right
	wrong.Password = "guess"

	for range attempt.DefaultVendorPolicy.Max + 5 {
		_, _ = svc.Enrollment.Authenticate(attacker, wrong)
	}
	if _, err := svc.Enrollment.Authenticate(victim, right); fault.ReasonOf(err) != attempt.ReasonTooMany {
		t.Fatalf("within the window: %v", err)
	}
	clk.t = clk.t.Add(attempt.DefaultVendorPolicy.Window)
	if _, err := svc.Enrollment.Authenticate(victim, right); err != nil {
		t.Fatalf("after the window the right credentials are refused: %v", err)
	}

	for i := range attempt.DefaultAPIKeyAddressPolicy.Max + 5 {
		_, _ = svc.Auth.APIKey(attacker, fmt.Sprintf("ak_live_guess%04d", i))
	}
	if _, err := svc.Auth.APIKey(attacker, key); fault.ReasonOf(err) != attempt.ReasonTooMany {
		t.Fatalf("the refused address: %v", err)
	}
	if _, err := svc.Auth.APIKey(victim, key); err != nil {
		t.Fatalf("a valid key from another address: %v", err)
	}
	clk.t = clk.t.Add(attempt.DefaultAPIKeyAddressPolicy.Window)
	if _, err := svc.Auth.APIKey(attacker, key); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}

// slowHasher is the test hasher with argon2id's latency: checks overlap as
// they do on a loaded server.
type slowHasher struct{ ports.PasswordHasher }

func (h slowHasher) Verify(encoded, secret string) (bool, error) {
	time.Sleep(40 * time.Millisecond)
	return h.PasswordHasher.Verify(encoded, secret)
}

// TestBurstOfCorrectCredentialsIsNotRefused: the guessing limits reserve
// an attempt before each check, so a burst of correct authentications
// from one middleware (one address, one vendor) larger than the limit was
// refused "too many attempts" while the first checks were still running.
// Each now queues behind the checks in flight and succeeds, while wrong
// ones stay bounded by the limit at the same concurrency.
func TestBurstOfCorrectCredentialsIsNotRefused(t *testing.T) {
	ctx := context.Background()
	st, err := bunstore.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	svc := service.New(service.Deps{Store: st, Hasher: slowHasher{secret.NewTestHasher()}, TokenKey: bytes.Repeat([]byte("k"), 32)}, service.Config{})
	org, err := svc.Orgs.Create(ctx, "ACME", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"V1", "V2"} {
		if _, err := svc.Enrollment.AddVendor(ctx, org.ID, v, "user", "vendor-password-1", "1234"); err != nil {
			t.Fatal(err)
		}
	}
	middleware := ports.WithClientAddress(ctx, "198.51.100.7")
	burst := attempt.DefaultVendorPolicy.Max*2 + 4
	run := func(c ports.Credentials) (ok, refused, wrong int) {
		var mu sync.Mutex
		var wg sync.WaitGroup
		for range burst {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := svc.Enrollment.Authenticate(middleware, c)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ok++
				case fault.ReasonOf(err) == attempt.ReasonTooMany:
					refused++
				default:
					wrong++
				}
			}()
		}
		wg.Wait()
		return
	}
	if ok, refused, wrong := run(ports.Credentials{VendorID: "V1", Username: "user", Password: "vendor-password-1", Pin: "1234"}); ok != burst {
		t.Errorf("%d concurrent correct authentications: %d succeeded, %d refused as too many, %d failed", burst, ok, refused, wrong)
	}
	ok, refused, wrong := run(ports.Credentials{VendorID: "V2", Username: "user", Password: "guess", Pin: "1234"})
	if ok != 0 || wrong > attempt.DefaultVendorPolicy.Max || wrong+refused != burst {
		t.Errorf("%d concurrent guesses: %d checked and failed (limit %d), %d refused, %d succeeded", burst, wrong, attempt.DefaultVendorPolicy.Max, refused, ok)
	}
}
