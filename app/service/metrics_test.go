package service_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/allot-io/allot/adapters/bunstore"
	"github.com/allot-io/allot/adapters/secret"
	"github.com/allot-io/allot/app/service"
	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/operator"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/domain/token"
	"github.com/allot-io/allot/ports"
)

// recorder is a ports.Metrics that writes every event down as text.
type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) add(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, fmt.Sprintf(format, args...))
}

// take returns the events so far and forgets them.
func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	ev := r.events
	r.events = nil
	return ev
}

func (r *recorder) SeriesCreated(org tenant.OrgID)             { r.add("series_created org=%d", org) }
func (r *recorder) NumbersDrawn(org tenant.OrgID, n uint64)    { r.add("drawn org=%d n=%d", org, n) }
func (r *recorder) NumbersConsumed(org tenant.OrgID, n uint64) { r.add("consumed org=%d n=%d", org, n) }
func (r *recorder) TokenIssued()                               { r.add("token_issued") }
func (r *recorder) TokenConsumed()                             { r.add("token_consumed") }
func (r *recorder) AuthFailed(api ports.AuthAPI, reason string) {
	r.add("auth_failed %s %s", api, reason)
}
func (r *recorder) EnrollmentLineCreated(s enrollment.LineStatus) { r.add("line %s", s) }
func (r *recorder) StoreError(code fault.Code)                    { r.add("store_error %s", code) }

var _ ports.Metrics = (*recorder)(nil)

func wantEvents(t *testing.T, rec *recorder, what string, want ...string) {
	t.Helper()
	if got := rec.take(); !slices.Equal(got, want) {
		t.Errorf("%s: events %q, want %q", what, got, want)
	}
}

type metricsEnv struct {
	svc   ports.Services
	store *bunstore.Store
	org   tenant.Organisation
	rec   *recorder
}

// newMetricsEnv builds every service, keys included, over a migrated
// SQLite store holding organisation ACME with customer SL1981, and
// records their events.
func newMetricsEnv(t *testing.T) *metricsEnv {
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
	rec := &recorder{}
	sealer, err := secret.NewGCM(bytes.Repeat([]byte("k"), 32))
	if err != nil {
		t.Fatal(err)
	}
	svc := service.New(service.Deps{
		Store: st, Clock: clk, Hasher: secret.NewTestHasher(), Metrics: rec, Sealer: sealer,
		TokenKey: bytes.Repeat([]byte("t"), 32), SessionKey: bytes.Repeat([]byte("s"), 32),
	}, service.Config{Series: series.Limits{MaxSize: 1000}, SignInFailureDelay: -1})
	org, err := svc.Orgs.Create(ctx, "ACME", "")
	if err != nil {
		t.Fatal(err)
	}
	must(t, func() error { _, err := svc.Customers.Add(ctx, org.ID, "SL1981", "Sample"); return err })
	rec.take()
	return &metricsEnv{svc: svc, store: st, org: org, rec: rec}
}

// TestSeriesEventsOnlyWhenStored checks that a series and drawn numbers
// are counted once the store has them, and refusals not at all.
func TestSeriesEventsOnlyWhenStored(t *testing.T) {
	e := newMetricsEnv(t)
	ctx := context.Background()
	spec := series.Spec{Start: "V001", End: "V010", ClientCode: "SL1981", ItemCode: "I"}
	if _, err := e.svc.Series.Create(ctx, e.org.ID, spec); err != nil {
		t.Fatal(err)
	}
	org := fmt.Sprint(e.org.ID)
	wantEvents(t, e.rec, "create", "series_created org="+org)
	if _, err := e.svc.Series.Create(ctx, e.org.ID, spec); fault.ReasonOf(err) != series.ReasonOverlap {
		t.Fatalf("overlap: %v", err)
	}
	bad := spec
	bad.ClientCode = "NOPE"
	if _, err := e.svc.Series.Create(ctx, e.org.ID, bad); fault.CodeOf(err) != fault.Invalid {
		t.Fatalf("unknown client: %v", err)
	}
	wantEvents(t, e.rec, "refused creates")

	next := ports.NextRequest{ClientCode: "SL1981", ItemCode: "I", Count: 4}
	if _, err := e.svc.Series.Next(ctx, e.org.ID, next); err != nil {
		t.Fatal(err)
	}
	wantEvents(t, e.rec, "draw", "drawn org="+org+" n=4")
	next.Count = 7
	if _, err := e.svc.Series.Next(ctx, e.org.ID, next); fault.ReasonOf(err) != series.ReasonExhausted {
		t.Fatalf("exhausted: %v", err)
	}
	wantEvents(t, e.rec, "exhausted draw")

	// Consuming counts the numbers consumed, once stored; a refused
	// consume (one already used) counts nothing, nor do void and release.
	consume := series.MarkSpec{Op: series.Consume, Numbers: []string{"V005", "V006"}, ClientCode: "SL1981", Reference: "AWB1"}
	if _, err := e.svc.Numbers.Mark(ctx, e.org.ID, consume, series.Actor("test")); err != nil {
		t.Fatal(err)
	}
	wantEvents(t, e.rec, "consume", "consumed org="+org+" n=2")
	if _, err := e.svc.Numbers.Mark(ctx, e.org.ID, consume, series.Actor("test")); err == nil {
		t.Fatal("consuming a used number again succeeded")
	}
	void := series.MarkSpec{Op: series.VoidOp, Numbers: []string{"V007"}, ClientCode: "SL1981"}
	if _, err := e.svc.Numbers.Mark(ctx, e.org.ID, void, series.Actor("test")); err != nil {
		t.Fatal(err)
	}
	wantEvents(t, e.rec, "refused consume and a void")
}

// TestAuthFailuresByAPIAndReason checks that each refusal is counted once,
// on its API with its reason, and that successes and outages are not
// counted as failures.
func TestAuthFailuresByAPIAndReason(t *testing.T) {
	e := newMetricsEnv(t)
	ctx := context.Background()
	key, _, err := e.svc.APIKeys.Create(ctx, e.org.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Auth.APIKey(ctx, key); err != nil {
		t.Fatal(err)
	}
	wantEvents(t, e.rec, "a good key")
	_, _ = e.svc.Auth.APIKey(ctx, "")
	_, _ = e.svc.Auth.APIKey(ctx, "ak_nope")
	wantEvents(t, e.rec, "bad keys", "auth_failed series "+tenant.ReasonNoAPIKey, "auth_failed series "+tenant.ReasonWrongAPIKey)

	if _, err := e.svc.Enrollment.AddVendor(ctx, e.org.ID, "V1", "user", "password-1", "1234"); err != nil {
		t.Fatal(err)
	}
	creds := ports.Credentials{VendorID: "V1", Username: "user", Password: "password-1", Pin: "1234"}
	raw, err := e.svc.Enrollment.Authenticate(ctx, creds)
	if err != nil {
		t.Fatal(err)
	}
	wantEvents(t, e.rec, "authenticate", "token_issued")
	wrong := creds
	wrong.Pin = "9999"
	_, _ = e.svc.Enrollment.Authenticate(ctx, wrong)
	_, _ = e.svc.Enrollment.Authenticate(ctx, ports.Credentials{})
	wantEvents(t, e.rec, "bad credentials", "auth_failed bss "+enrollment.ReasonCredentials, "auth_failed bss "+enrollment.ReasonCredentialsMiss)

	s, err := e.svc.Enrollment.Consume(ctx, raw)
	if err != nil {
		t.Fatal(err)
	}
	wantEvents(t, e.rec, "consume", "token_consumed", "token_issued")
	_, _ = e.svc.Enrollment.Consume(ctx, raw)
	_, _ = e.svc.Enrollment.Consume(ctx, "not a token")
	wantEvents(t, e.rec, "bad tokens", "auth_failed bss "+token.ReasonUsed, "auth_failed bss "+token.ReasonInvalid)

	// A source the organisation does not allow: refused before the agent.
	_, err = e.svc.Enrollment.ListPlans(ctx, s.Org.ID, ports.PlanListRequest{CallContext: ports.CallContext{Action: "plan_list", AgentID: "nobody", Source: "WEBSITE"}})
	if fault.CodeOf(err) != fault.Forbidden {
		t.Fatalf("source not allowed: %v", err)
	}
	wantEvents(t, e.rec, "source not allowed", "auth_failed bss "+enrollment.ReasonSourceNotAllow)

	if _, _, err := e.svc.Operators.Add(ctx, e.org.ID, "ops@acme.test", "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Operators.SignIn(ctx, "ops@acme.test", "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	wantEvents(t, e.rec, "sign-in")
	_, _ = e.svc.Operators.SignIn(ctx, "ops@acme.test", "wrong horse")
	wantEvents(t, e.rec, "bad sign-in", "auth_failed dashboard "+operator.ReasonCredentials)

	// An outage says nothing about the caller (the store counts it).
	e.store.Close()
	_, err = e.svc.Auth.APIKey(ctx, key)
	if c := fault.CodeOf(err); c != fault.Unavailable && c != fault.Internal {
		t.Fatalf("closed store: %v", err)
	}
	wantEvents(t, e.rec, "outage")
}
