package service_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/allot-io/allot/adapters/bunstore"
	"github.com/allot-io/allot/adapters/secret"
	"github.com/allot-io/allot/app/service"
	"github.com/allot-io/allot/domain/attempt"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/operator"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

type opEnv struct {
	svc   ports.Services
	store *bunstore.Store
	org   tenant.Organisation
	clock *clock
}

// newOperatorEnv builds the services with a session key over a migrated
// SQLite store holding organisation ACME; cfg tunes them (a zero failure
// delay becomes none).
func newOperatorEnv(t *testing.T, cfg service.Config) *opEnv {
	t.Helper()
	return newOperatorEnvWith(t, cfg, secret.NewTestHasher())
}

// newOperatorEnvWith is newOperatorEnv with the password hasher h.
func newOperatorEnvWith(t *testing.T, cfg service.Config, h ports.PasswordHasher) *opEnv {
	t.Helper()
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
	if cfg.SignInFailureDelay == 0 {
		cfg.SignInFailureDelay = -1
	}
	svc := service.New(service.Deps{
		Store: st, Clock: clk, Hasher: h,
		SessionKey: bytes.Repeat([]byte("s"), 32),
	}, cfg)
	org, err := svc.Orgs.Create(ctx, "ACME", "")
	if err != nil {
		t.Fatal(err)
	}
	return &opEnv{svc: svc, store: st, org: org, clock: clk}
}

func TestOperatorSignInLifecycle(t *testing.T) {
	e := newOperatorEnv(t, service.Config{SessionTTL: time.Hour})
	ctx := context.Background()
	op, password, err := e.svc.Operators.Add(ctx, e.org.ID, " Ops@Acme.Test ", "")
	if err != nil {
		t.Fatal(err)
	}
	if op.Email != "ops@acme.test" || op.Org != e.org.ID || op.ID == 0 || op.PasswordHash != "" {
		t.Fatalf("Add = %+v", op)
	}
	if len(password) != operator.GeneratedPassword {
		t.Fatalf("generated password %q", password)
	}
	sess, err := e.svc.Operators.SignIn(ctx, "OPS@acme.test", password)
	if err != nil {
		t.Fatal(err)
	}
	if sess.ID == "" || sess.CSRF == "" || sess.CSRF == sess.ID || sess.Org.Code != "ACME" ||
		sess.Operator.Email != "ops@acme.test" || sess.Operator.PasswordHash != "" ||
		!sess.ExpiresAt.Equal(e.clock.t.Add(time.Hour)) {
		t.Fatalf("SignIn = %+v", sess)
	}
	got, err := e.svc.Operators.Session(ctx, sess.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != sess.ID || got.CSRF != sess.CSRF || got.Operator.ID != op.ID || got.Org.ID != e.org.ID {
		t.Fatalf("Session = %+v, want %+v", got, sess)
	}
	// Change the last character to one it is not: a fixed replacement would
	// equal it one time in 64.
	last := "A"
	if strings.HasSuffix(sess.ID, "A") {
		last = "B"
	}
	for _, bad := range []string{"", "not-a-session", sess.ID[:len(sess.ID)-1] + last} {
		if _, err := e.svc.Operators.Session(ctx, bad); fault.ReasonOf(err) != operator.ReasonSessionInvalid {
			t.Errorf("Session(%q) = %v", bad, err)
		}
	}
	if err := e.svc.Operators.SignOut(ctx, sess.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Operators.Session(ctx, sess.ID); fault.ReasonOf(err) != operator.ReasonSessionInvalid {
		t.Errorf("after sign-out: %v", err)
	}
	if err := e.svc.Operators.SignOut(ctx, sess.ID); err != nil {
		t.Errorf("second sign-out: %v", err)
	}

	// A session ends at its expiry.
	sess, err = e.svc.Operators.SignIn(ctx, "ops@acme.test", password)
	if err != nil {
		t.Fatal(err)
	}
	e.clock.t = e.clock.t.Add(time.Hour)
	if _, err := e.svc.Operators.Session(ctx, sess.ID); fault.ReasonOf(err) != operator.ReasonSessionInvalid {
		t.Errorf("expired session: %v", err)
	}
}

func TestOperatorAddRules(t *testing.T) {
	e := newOperatorEnv(t, service.Config{})
	ctx := context.Background()
	_, _, err := e.svc.Operators.Add(ctx, e.org.ID, "not-an-email", "short")
	if got := strings.Join(reasons(err), ","); got != operator.ReasonInvalidEmail+","+operator.ReasonInvalidPassword {
		t.Errorf("violations = %s (%v)", got, err)
	}
	op, shown, err := e.svc.Operators.Add(ctx, e.org.ID, "ops@acme.test", "correct horse battery")
	if err != nil || shown != "" {
		t.Fatalf("Add with a password = %q, %v; a given password is never returned", shown, err)
	}
	other, err := e.svc.Orgs.Create(ctx, "OTHER", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.Operators.Add(ctx, other.ID, "OPS@acme.test", ""); fault.CodeOf(err) != fault.Conflict {
		t.Errorf("email taken in another organisation: %v", err)
	}
	list, err := e.svc.Operators.List(ctx, e.org.ID)
	if err != nil || len(list) != 1 || list[0].ID != op.ID || list[0].PasswordHash != "" {
		t.Errorf("List = %+v, %v", list, err)
	}
	if list, _ := e.svc.Operators.List(ctx, other.ID); len(list) != 0 {
		t.Errorf("another organisation lists %v", list)
	}
}

// TestOperatorLockout checks the policy end to end: five failures within
// the window lock the email for the lock time, whatever the password, and
// an unknown email gets exactly the same answers.
func TestOperatorLockout(t *testing.T) {
	e := newOperatorEnv(t, service.Config{})
	ctx := context.Background()
	const password = "correct horse battery"
	if _, _, err := e.svc.Operators.Add(ctx, e.org.ID, "ops@acme.test", password); err != nil {
		t.Fatal(err)
	}
	start := e.clock.t
	for _, email := range []string{"ops@acme.test", "nobody@acme.test"} {
		e.clock.t = start
		var got []string
		for range 6 {
			_, err := e.svc.Operators.SignIn(ctx, email, "wrong password!")
			got = append(got, fault.ReasonOf(err))
			e.clock.t = e.clock.t.Add(time.Minute)
		}
		want := "INVALID_CREDENTIALS,INVALID_CREDENTIALS,INVALID_CREDENTIALS,INVALID_CREDENTIALS,SIGN_IN_LOCKED,SIGN_IN_LOCKED"
		if strings.Join(got, ",") != want {
			t.Errorf("%s: reasons %v, want %s", email, got, want)
		}
	}
	// Locked: the right password is refused too.
	e.clock.t = start.Add(10 * time.Minute)
	if _, err := e.svc.Operators.SignIn(ctx, "ops@acme.test", password); fault.CodeOf(err) != fault.Forbidden || fault.ReasonOf(err) != operator.ReasonLocked {
		t.Fatalf("locked sign-in: %v", err)
	}
	// The lock lasts until the 15-minute window ends, never longer.
	e.clock.t = start.Add(15 * time.Minute)
	if _, err := e.svc.Operators.SignIn(ctx, "ops@acme.test", password); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
	// Success forgot the failures: four more do not lock.
	for range 4 {
		if _, err := e.svc.Operators.SignIn(ctx, "ops@acme.test", "wrong password!"); fault.ReasonOf(err) != operator.ReasonCredentials {
			t.Fatalf("after success: %v", err)
		}
	}
	// The lockout is in the store, so another process sees it.
	n, err := e.store.AttemptCount(ctx, attempt.Key(attempt.SignInEmail, "ops@acme.test"), e.clock.t.Truncate(15*time.Minute))
	if err != nil || n != 4 {
		t.Errorf("stored attempts = %d, %v", n, err)
	}
}

// countingHasher is a slow password hasher that counts its checks, so that
// a test can see how many guesses reached the password.
type countingHasher struct {
	ports.PasswordHasher
	checks atomic.Int64
}

func (h *countingHasher) Verify(hash, secret string) (bool, error) {
	h.checks.Add(1)
	time.Sleep(20 * time.Millisecond)
	return h.PasswordHasher.Verify(hash, secret)
}

// TestDefect1SignInLockoutHoldsUnderConcurrency sends guesses at once: the
// old code counted failures before the slow password check and recorded
// them after it, so 50 concurrent wrong passwords all got checked (50 x
// INVALID_CREDENTIALS, no lock), and with four failures recorded the right
// password slipped in among 49 wrong ones. Now at most the policy's five
// guesses per window reach the password, however many arrive at once.
func TestDefect1SignInLockoutHoldsUnderConcurrency(t *testing.T) {
	ctx := context.Background()
	const password = "correct horse battery"
	run := func(t *testing.T, prior int, guesses []string) (checks int64, reasons map[string]int) {
		h := &countingHasher{PasswordHasher: secret.NewTestHasher()}
		e := newOperatorEnvWith(t, service.Config{}, h)
		if _, _, err := e.svc.Operators.Add(ctx, e.org.ID, "ops@acme.test", password); err != nil {
			t.Fatal(err)
		}
		for range prior {
			if _, err := e.svc.Operators.SignIn(ctx, "ops@acme.test", "wrong password!"); fault.ReasonOf(err) != operator.ReasonCredentials {
				t.Fatalf("prior failure: %v", err)
			}
		}
		h.checks.Store(0)
		var mu sync.Mutex
		reasons = map[string]int{}
		var wg sync.WaitGroup
		for _, g := range guesses {
			wg.Go(func() {
				_, err := e.svc.Operators.SignIn(ctx, "ops@acme.test", g)
				r := fault.ReasonOf(err)
				if err == nil {
					r = "OK"
				}
				mu.Lock()
				reasons[r]++
				mu.Unlock()
			})
		}
		wg.Wait()
		return h.checks.Load(), reasons
	}
	t.Run("50 wrong at once", func(t *testing.T) {
		wrong := make([]string, 50)
		for i := range wrong {
			wrong[i] = "wrong password!"
		}
		checks, reasons := run(t, 0, wrong)
		if checks > 5 || reasons[operator.ReasonLocked] < 45 {
			t.Errorf("%d passwords checked, reasons %v; want at most 5 checked and the rest SIGN_IN_LOCKED", checks, reasons)
		}
	})
	t.Run("49 wrong and the right one after four failures", func(t *testing.T) {
		guesses := make([]string, 50)
		for i := range guesses {
			guesses[i] = "wrong password!"
		}
		guesses[25] = password
		checks, reasons := run(t, 4, guesses)
		if checks > 1 || reasons[operator.ReasonLocked] < 49 {
			t.Errorf("%d passwords checked, reasons %v; want one check at most", checks, reasons)
		}
	})
}

func TestOperatorSignInRefusals(t *testing.T) {
	e := newOperatorEnv(t, service.Config{SignInFailureDelay: 30 * time.Millisecond})
	ctx := context.Background()
	const password = "correct horse battery"
	for _, c := range []struct{ email, password string }{
		{"", password}, {"ops@acme.test", ""}, {"ops@acme.test", strings.Repeat("x", 200)},
	} {
		began := time.Now()
		_, err := e.svc.Operators.SignIn(ctx, c.email, c.password)
		if fault.CodeOf(err) != fault.Unauthorized || fault.ReasonOf(err) != operator.ReasonCredentials {
			t.Errorf("SignIn(%q, %.8q) = %v", c.email, c.password, err)
		}
		if d := time.Since(began); d < 30*time.Millisecond {
			t.Errorf("a failed sign-in answered after %v, before the delay", d)
		}
	}

	// A disabled organisation's operators cannot sign in.
	off, err := e.store.CreateOrg(ctx, tenant.Organisation{Code: "OFF", Name: "Off", Disabled: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.Operators.Add(ctx, off.ID, "ops@off.test", password); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Operators.SignIn(ctx, "ops@off.test", password); fault.ReasonOf(err) != tenant.ReasonOrgDisabled {
		t.Errorf("disabled organisation: %v", err)
	}

	// Without a session key there is no dashboard.
	svc := service.New(service.Deps{Store: e.store, Clock: e.clock, Hasher: secret.NewTestHasher()}, service.Config{})
	if _, err := svc.Operators.SignIn(ctx, "ops@acme.test", password); fault.CodeOf(err) != fault.Unavailable {
		t.Errorf("no key: %v", err)
	}
}
