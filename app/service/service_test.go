package service_test

import (
	"bytes"
	"context"
	"github.com/allot-io/allot/domain/idempotency"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/allot-io/allot/adapters/bunstore"
	"github.com/allot-io/allot/app/service"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

type clock struct{ t time.Time }

func (c *clock) Now() time.Time { return c.t }

type env struct {
	svc   ports.Services
	org   tenant.Organisation
	clock *clock
}

// newEnv builds the services over a migrated SQLite store with organisation
// ACME, customer SL1981, hub BF074 and service type EXPRESS.
func newEnv(t *testing.T) *env {
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
	svc := service.New(service.Deps{Store: st, Clock: clk}, service.Config{Series: series.Limits{MaxSize: 1000}})
	org, err := svc.Orgs.Create(ctx, "ACME", "")
	if err != nil {
		t.Fatal(err)
	}
	must(t, func() error { _, err := svc.Customers.Add(ctx, org.ID, "SL1981", "Sample"); return err })
	must(t, func() error { _, err := svc.Hubs.Add(ctx, org.ID, "BF074", "Hub"); return err })
	must(t, func() error { _, err := svc.ServiceTypes.Add(ctx, org.ID, "EXPRESS", ""); return err })
	return &env{svc: svc, org: org, clock: clk}
}

func must(t *testing.T, f func() error) {
	t.Helper()
	if err := f(); err != nil {
		t.Fatal(err)
	}
}

func reasons(err error) []string {
	fe, ok := fault.As(err)
	if !ok {
		return nil
	}
	var rs []string
	for _, v := range fe.Violations {
		rs = append(rs, v.Reason)
	}
	return rs
}

func TestCreateChecksEveryReference(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, err := e.svc.Series.Create(ctx, e.org.ID, series.Spec{
		Start: "V1", End: "V9", ClientCode: "NOPE", ItemCode: "I", CreatorHub: "NOHUB",
		ServiceTypes: []string{"EXPRESS", "NOSUCH"},
	})
	want := []string{series.ReasonClientNotFound, series.ReasonCreatorHubNotFound, series.ReasonServiceTypeUnknown}
	if strings.Join(reasons(err), ",") != strings.Join(want, ",") || fault.CodeOf(err) != fault.Invalid {
		t.Fatalf("got %v (%v), want %v", err, reasons(err), want)
	}
	_, err = e.svc.Series.Create(ctx, e.org.ID, series.Spec{Start: "V1", End: "V9", HubCode: "NOHUB", ItemCode: "I"})
	if fault.ReasonOf(err) != series.ReasonHubNotFound {
		t.Fatalf("unknown hub: %v", err)
	}
	s, err := e.svc.Series.Create(ctx, e.org.ID, series.Spec{
		Start: "V1", End: "V9", HubCode: "BF074", ClientCode: "SL1981", ItemCode: "I", CreatorHub: "BF074",
		ServiceTypes: []string{"EXPRESS"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if s.Owner != (series.Owner{Kind: series.Customer, Code: "SL1981"}) || s.ID == 0 || !s.CreatedAt.Equal(e.clock.t) {
		t.Errorf("created %+v", s)
	}
	if _, err := e.svc.Series.Create(ctx, e.org.ID, series.Spec{Start: "V1", End: "V1000", ClientCode: "SL1981", ItemCode: "I"}); fault.ReasonOf(err) != series.ReasonWidthMismatch {
		t.Errorf("width: %v", err)
	}
	if _, err := e.svc.Series.Create(ctx, e.org.ID, series.Spec{Start: "V1000", End: "V2000", ClientCode: "SL1981", ItemCode: "I"}); fault.ReasonOf(err) != series.ReasonTooLarge {
		t.Errorf("configured limit: %v", err)
	}
}

func TestAPIKeyLifecycle(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	raw, k, err := e.svc.APIKeys.Create(ctx, e.org.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(raw, "ak_"+k.Prefix+"_") || bytes.Contains(k.Hash, []byte(raw)) {
		t.Fatalf("key %q prefix %q", raw, k.Prefix)
	}
	p, err := e.svc.Auth.APIKey(ctx, raw)
	if err != nil || p.Org.Code != "ACME" || p.KeyPrefix != k.Prefix {
		t.Fatalf("auth: %+v %v", p, err)
	}
	for _, bad := range []string{"", "ak_x", raw + "x", strings.Repeat("a", 500)} {
		_, err := e.svc.Auth.APIKey(ctx, bad)
		want := tenant.ReasonWrongAPIKey
		if bad == "" {
			want = tenant.ReasonNoAPIKey
		}
		if fault.CodeOf(err) != fault.Unauthorized || fault.ReasonOf(err) != want {
			t.Errorf("APIKey(%.10q) = %v, want %s", bad, err, want)
		}
	}
	must(t, func() error { return e.svc.APIKeys.Revoke(ctx, e.org.ID, k.Prefix) })
	if _, err := e.svc.Auth.APIKey(ctx, raw); fault.ReasonOf(err) != tenant.ReasonWrongAPIKey {
		t.Errorf("revoked key: %v", err)
	}
	if err := e.svc.APIKeys.Revoke(ctx, e.org.ID, "deadbeef"); fault.CodeOf(err) != fault.NotFound {
		t.Errorf("revoke unknown: %v", err)
	}
}

func TestIdempotency(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	id := e.svc.Idempotency
	if r, err := id.Begin(ctx, e.org.ID, "k1", []byte("a")); r != nil || err != nil {
		t.Fatalf("first Begin: %v %v", r, err)
	}
	if _, err := id.Begin(ctx, e.org.ID, "k1", []byte("a")); fault.ReasonOf(err) != idempotency.ReasonKeyInProgress {
		t.Errorf("in progress: %v", err)
	}
	must(t, func() error { return id.Finish(ctx, e.org.ID, "k1", 200, []byte(`{"status":"OK"}`)) })
	r, err := id.Begin(ctx, e.org.ID, "k1", []byte("a"))
	if err != nil || r == nil || r.Status != 200 || string(r.Body) != `{"status":"OK"}` {
		t.Errorf("replay: %+v %v", r, err)
	}
	if _, err := id.Begin(ctx, e.org.ID, "k1", []byte("b")); fault.ReasonOf(err) != idempotency.ReasonKeyReused {
		t.Errorf("reuse: %v", err)
	}
	for _, bad := range []string{"", "has space", strings.Repeat("k", 256)} {
		if _, err := id.Begin(ctx, e.org.ID, bad, nil); fault.ReasonOf(err) != idempotency.ReasonKeyInvalid {
			t.Errorf("key %q: %v", bad, err)
		}
	}
	// A day later the key is stale and starts afresh.
	e.clock.t = e.clock.t.Add(25 * time.Hour)
	if r, err := id.Begin(ctx, e.org.ID, "k1", []byte("b")); r != nil || err != nil {
		t.Errorf("stale key: %v %v", r, err)
	}
	must(t, func() error { return id.Abandon(ctx, e.org.ID, "k1") })
	if r, err := id.Begin(ctx, e.org.ID, "k1", []byte("c")); r != nil || err != nil {
		t.Errorf("after abandon: %v %v", r, err)
	}
}

func TestNextAndDeleteRules(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, err := e.svc.Series.Next(ctx, e.org.ID, ports.NextRequest{Count: -1})
	want := []string{series.ReasonOwnerMissing, series.ReasonItemCodeMissing, series.ReasonInvalidCount}
	if strings.Join(reasons(err), ",") != strings.Join(want, ",") {
		t.Errorf("Next violations = %v", reasons(err))
	}
	s, err := e.svc.Series.Create(ctx, e.org.ID, series.Spec{Start: "V01", End: "V03", ClientCode: "SL1981", ItemCode: "I"})
	if err != nil {
		t.Fatal(err)
	}
	d, err := e.svc.Series.Next(ctx, e.org.ID, ports.NextRequest{ClientCode: "SL1981", ItemCode: "I"})
	if err != nil || len(d) != 1 || d[0].Range.String() != "V01-V01" {
		t.Fatalf("Next = %v %v", d, err)
	}
	if err := e.svc.Series.Delete(ctx, e.org.ID, []int64{s.ID}); fault.ReasonOf(err) != series.ReasonHasDrawn {
		t.Errorf("delete drawn: %v", err)
	}
	for _, ids := range [][]int64{nil, {0}, {-4}} {
		if fault.CodeOf(e.svc.Series.Delete(ctx, e.org.ID, ids)) != fault.Invalid {
			t.Errorf("Delete(%v) must be invalid", ids)
		}
	}
	if _, err := e.svc.Series.Lookup(ctx, e.org.ID, "V0X"); fault.ReasonOf(err) != series.ReasonInvalidNumber {
		t.Errorf("lookup bad number: %v", err)
	}
	got, err := e.svc.Series.Lookup(ctx, e.org.ID, " v02 ")
	if err != nil || got.ID != s.ID {
		t.Errorf("lookup: %v %v", got, err)
	}
	if _, err := e.svc.Series.List(ctx, e.org.ID, ports.SeriesQuery{Type: "digital"}); fault.ReasonOf(err) != series.ReasonInvalidType {
		t.Errorf("list bad type: %v", err)
	}
	if _, err := e.svc.Customers.List(ctx, e.org.ID, ports.CustomerQuery{Query: ports.Query{Limit: 5000}}); fault.CodeOf(err) != fault.Invalid {
		t.Errorf("list limit: %v", err)
	}
}

func TestCodeAndNameViolationsTogether(t *testing.T) {
	e := newEnv(t)
	_, err := e.svc.Customers.Add(context.Background(), e.org.ID, "bad code", "")
	if got := reasons(err); len(got) != 2 {
		t.Errorf("want both violations, got %v", got)
	}
	if _, err := e.svc.Customers.Add(context.Background(), e.org.ID, "SL1981", "Again"); fault.CodeOf(err) != fault.Conflict {
		t.Errorf("duplicate: %v", err)
	}
}
