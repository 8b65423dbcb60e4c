package service_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/allot-io/allot/adapters/bunstore"
	"github.com/allot-io/allot/app/service"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// countingStore counts the catalogue look-ups that reach the store.
type countingStore struct {
	ports.Store
	lookups atomic.Int32
}

func (s *countingStore) Customer(ctx context.Context, org tenant.OrgID, code string) (tenant.Customer, error) {
	s.lookups.Add(1)
	return s.Store.Customer(ctx, org, code)
}

func (s *countingStore) Hub(ctx context.Context, org tenant.OrgID, code string) (tenant.Hub, error) {
	s.lookups.Add(1)
	return s.Store.Hub(ctx, org, code)
}

func (s *countingStore) ServiceType(ctx context.Context, org tenant.OrgID, code string) (tenant.ServiceType, error) {
	s.lookups.Add(1)
	return s.Store.ServiceType(ctx, org, code)
}

// TestSeriesRemembersFoundCodes checks that series creation looks each
// catalogue code up once it is found, per organisation, and keeps looking
// up a code it did not find, which may be added at any time.
func TestSeriesRemembersFoundCodes(t *testing.T) {
	ctx := context.Background()
	st, err := bunstore.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	cs := &countingStore{Store: st}
	svc := service.New(service.Deps{Store: cs}, service.Config{})
	orgs := make([]tenant.Organisation, 2)
	for i, code := range []string{"ACME", "OTHER"} {
		if orgs[i], err = svc.Orgs.Create(ctx, code, ""); err != nil {
			t.Fatal(err)
		}
		must(t, func() error { _, err := svc.Customers.Add(ctx, orgs[i].ID, "C1", "C"); return err })
		must(t, func() error { _, err := svc.Hubs.Add(ctx, orgs[i].ID, "H1", "H"); return err })
		must(t, func() error { _, err := svc.ServiceTypes.Add(ctx, orgs[i].ID, "EXPRESS", ""); return err })
	}
	n := 0
	create := func(org tenant.Organisation, client string) error {
		n++
		_, err := svc.Series.Create(ctx, org.ID, series.Spec{
			Start: fmt.Sprintf("V%02d0", n), End: fmt.Sprintf("V%02d9", n),
			ClientCode: client, ItemCode: "I", CreatorHub: "H1", ServiceTypes: []string{"EXPRESS"},
		})
		return err
	}
	lookups := func() int32 { return cs.lookups.Swap(0) }

	must(t, func() error { return create(orgs[0], "C1") })
	if got := lookups(); got != 3 {
		t.Fatalf("first create: %d look-ups, want 3 (client, creator hub, service type)", got)
	}
	must(t, func() error { return create(orgs[0], "C1") })
	if got := lookups(); got != 0 {
		t.Fatalf("second create: %d look-ups, want 0", got)
	}
	must(t, func() error { return create(orgs[1], "C1") })
	if got := lookups(); got != 3 {
		t.Fatalf("another organisation's codes: %d look-ups, want 3", got)
	}

	// A code not found is looked up again, and found once added.
	for range 2 {
		if err := create(orgs[0], "C2"); fault.ReasonOf(err) != series.ReasonClientNotFound {
			t.Fatalf("unknown client: %v", err)
		}
		if got := lookups(); got != 1 {
			t.Fatalf("unknown client: %d look-ups, want 1", got)
		}
	}
	must(t, func() error { _, err := svc.Customers.Add(ctx, orgs[0].ID, "C2", "C"); return err })
	must(t, func() error { return create(orgs[0], "C2") })
	if got := lookups(); got != 1 {
		t.Fatalf("client added since: %d look-ups, want 1", got)
	}
}
