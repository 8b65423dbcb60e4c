package bunstore

import (
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
	"github.com/allot-io/allot/ports/porttest"
)

// TestStockConformance runs the stock reader's conformance case over both
// databases.
func TestStockConformance(t *testing.T) {
	for _, d := range dialects {
		d.run(t, func(t *testing.T) {
			porttest.RunStock(t, func(t *testing.T) porttest.StockStore { return d.open(t) })
		})
	}
}

// storeErrors is a ports.Metrics that keeps the codes of StoreError.
type storeErrors struct {
	ports.NopMetrics
	mu    sync.Mutex
	codes []fault.Code
}

func (m *storeErrors) StoreError(c fault.Code) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.codes = append(m.codes, c)
}

func (m *storeErrors) take() []fault.Code {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.codes
	m.codes = nil
	return c
}

// TestStoreErrorsCounted checks that WithMetrics counts each database
// failure once, by the code the store returns it as, and answers such as
// "not found" not at all.
func TestStoreErrorsCounted(t *testing.T) {
	m := &storeErrors{}
	s, err := Open(t.Context(), "sqlite:"+filepath.Join(t.TempDir(), "allot.db"), WithMetrics(m))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateOrg(t.Context(), tenant.Organisation{Code: "acme", Name: "Acme"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateOrg(t.Context(), tenant.Organisation{Code: "acme", Name: "Acme"}); fault.CodeOf(err) != fault.Conflict {
		t.Fatalf("duplicate org: %v", err)
	}
	if _, err := s.OrgByCode(t.Context(), "nope"); fault.CodeOf(err) != fault.NotFound {
		t.Fatalf("unknown org: %v", err)
	}
	if got := m.take(); len(got) != 0 {
		t.Fatalf("answers counted as failures: %v", got)
	}

	// A closed pool fails every statement.
	if err := s.db.DB.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = s.ListOrgs(t.Context())
	code := fault.CodeOf(err)
	if code != fault.Internal && code != fault.Unavailable {
		t.Fatalf("ListOrgs on a closed pool: %v", err)
	}
	if got := m.take(); !slices.Equal(got, []fault.Code{code}) {
		t.Errorf("ListOrgs failure counted as %v, want [%s]", got, code)
	}
	if err := s.Ping(t.Context()); fault.CodeOf(err) != fault.Unavailable {
		t.Fatalf("Ping on a closed pool: %v", err)
	}
	if got := m.take(); !slices.Equal(got, []fault.Code{fault.Unavailable}) {
		t.Errorf("Ping failure counted as %v, want [unavailable]", got)
	}
	_ = s.Close()
}
