package postgres_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"

	"github.com/allot-io/allot/adapters/bunstore"
	"github.com/allot-io/allot/adapters/httpapi"
	"github.com/allot-io/allot/app/service"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/integration/pgtest"
	"github.com/allot-io/allot/ports"
	"github.com/allot-io/allot/ports/porttest"
)

var srv *pgtest.Server

func TestMain(m *testing.M) {
	code := pgtest.Main(m, func(ctx context.Context, s *pgtest.Server) error {
		srv = s
		return s.PrepareTemplate(ctx, func(ctx context.Context, dsn string) error {
			st, err := bunstore.Open(ctx, dsn)
			if err != nil {
				return err
			}
			defer st.Close()
			return st.Migrate(ctx)
		})
	})
	os.Exit(code)
}

// openStore returns a store on a fresh, migrated database of its own.
func openStore(t *testing.T) *bunstore.Store {
	t.Helper()
	st, err := bunstore.Open(t.Context(), srv.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if st.Dialect() != bunstore.DialectPostgres {
		t.Fatalf("dialect %s", st.Dialect())
	}
	return st
}

// TestConformance runs every driven port's conformance suite on PostgreSQL,
// including the concurrent cases.
func TestConformance(t *testing.T) {
	porttest.RunStore(t, func(t *testing.T) ports.Store { return openStore(t) })
	t.Run("Lines", func(t *testing.T) {
		porttest.RunLineStore(t, func(t *testing.T) porttest.LineStores { return openStore(t) })
	})
	t.Run("CoalescedDraws", func(t *testing.T) {
		porttest.RunCoalescedDraws(t, func(t *testing.T) ports.Store { return openStore(t) },
			func(s ports.SeriesStore) ports.SeriesStore { return service.Coalesced(s) })
	})
	t.Run("Webhooks", func(t *testing.T) {
		porttest.RunWebhookStore(t, func(t *testing.T) porttest.WebhookStores { return openStore(t) })
	})
	t.Run("CarrierSecrets", func(t *testing.T) {
		porttest.RunCarrierSecretStore(t, func(t *testing.T) porttest.CarrierSecretStores { return openStore(t) })
	})
	t.Run("Orders", func(t *testing.T) {
		porttest.RunOrderStore(t, func(t *testing.T) porttest.OrderStores { return openStore(t) }, porttest.Options{})
	})
}

// TestMigrationsUpToDate checks the template the suite uses is fully
// migrated, so the suite tests the schema users get.
func TestMigrationsUpToDate(t *testing.T) {
	n, err := openStore(t).PendingMigrations(t.Context())
	if err != nil || n != 0 {
		t.Fatalf("pending migrations: %d %v", n, err)
	}
}

// TestHTTPCreateRaceOnPostgres races 64 clients creating overlapping ranges
// through the HTTP API on PostgreSQL, where only the exclusion constraint
// stands between them, then self-joins the table for overlaps.
func TestHTTPCreateRaceOnPostgres(t *testing.T) {
	st := openStore(t)
	ctx := t.Context()
	svc := service.New(service.Deps{Store: st}, service.Config{})
	org, err := svc.Orgs.Create(ctx, "ACME", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Customers.Add(ctx, org.ID, "SL1981", "Sample"); err != nil {
		t.Fatal(err)
	}
	key, _, err := svc.APIKeys.Create(ctx, org.ID)
	if err != nil {
		t.Fatal(err)
	}
	h := httptest.NewServer(httpapi.New(httpapi.Config{}, svc, slog.New(slog.NewTextHandler(io.Discard, nil))))
	defer h.Close()

	const clients = 64
	var wg sync.WaitGroup
	var mu sync.Mutex
	counts := map[string]int{}
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			start := 5000 + (i*7)%60
			body := fmt.Sprintf(`{"start":"V%08d","end":"V%08d","client_code":"SL1981","item_code":"I"}`, start, start+9)
			req, _ := http.NewRequest(http.MethodPost, h.URL+httpapi.SeriesPath+"/create", bytes.NewBufferString(body))
			req.Header.Set("Authorization", "Basic "+key)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			var m struct{ Error struct{ Reason string } }
			_ = json.NewDecoder(resp.Body).Decode(&m)
			mu.Lock()
			counts[fmt.Sprintf("%d %s", resp.StatusCode, m.Error.Reason)]++
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	ok, rejected := counts["200 "], counts["400 "+series.ReasonOverlap]
	if ok+rejected != clients || ok == 0 || rejected == 0 {
		t.Fatalf("outcomes %v", counts)
	}
	var pairs int
	err = st.DB().NewRaw(`SELECT count(*) FROM series a JOIN series b ON a.id < b.id
		AND a.org_id = b.org_id AND a.prefix = b.prefix AND a.width = b.width
		AND a.deleted_at IS NULL AND b.deleted_at IS NULL
		AND numrange(a.first_digits::numeric, a.last_digits::numeric, '[]') && numrange(b.first_digits::numeric, b.last_digits::numeric, '[]')`).Scan(ctx, &pairs)
	if err != nil || pairs != 0 {
		t.Fatalf("overlapping pairs: %d %v", pairs, err)
	}
	var rows int
	if err := st.DB().NewRaw(`SELECT count(*) FROM series WHERE deleted_at IS NULL`).Scan(ctx, &rows); err != nil || rows != ok {
		t.Fatalf("rows %d, acknowledged %d (%v)", rows, ok, err)
	}
	t.Logf("http race on postgres: %d created, %d rejected as overlaps, 0 overlapping pairs", ok, rejected)
}

// TestSimultaneousOverlappingPairs starts pairs of overlapping inserts at
// the same instant. Under an exclusion constraint such a pair can deadlock
// (40P01); the store must still answer one success and one SERIES_OVERLAP,
// never an unavailable error.
func TestSimultaneousOverlappingPairs(t *testing.T) {
	st := openStore(t)
	org, err := st.CreateOrg(t.Context(), tenant.Organisation{Code: "ACME", Name: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	for p := 0; p < 150; p++ {
		firsts := []int{100000 + p*20, 100000 + p*20 + 5}
		oneWinsAtOnce(t, st, org.ID, fmt.Sprintf("pair %d", p), firsts)
	}
}

// TestOverlapStampede releases many inserts of ranges that all overlap one
// another at once, round after round. On PostgreSQL such inserts can wait
// on one another's uncommitted index entries in cycles, which the server
// breaks up as deadlocks (40P01); the store must still answer every one of
// them with a success or an overlap, never "unavailable", and exactly one
// per round must win.
func TestOverlapStampede(t *testing.T) {
	st := openStore(t)
	org, err := st.CreateOrg(t.Context(), tenant.Organisation{Code: "ACME", Name: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	const rounds, writers = 8, 48
	for round := 0; round < rounds; round++ {
		firsts := make([]int, writers)
		for k := range firsts {
			firsts[k] = 200000 + round*1000 + k%7
		}
		oneWinsAtOnce(t, st, org.ID, fmt.Sprintf("round %d", round), firsts)
	}
}

// oneWinsAtOnce releases, at the same instant, one insert of the 10-number
// range V<first>-V<first+9> for each of firsts, all overlapping one another,
// and checks that exactly one succeeds and every other is refused as
// SERIES_OVERLAP.
func oneWinsAtOnce(t *testing.T, st *bunstore.Store, org tenant.OrgID, label string, firsts []int) {
	t.Helper()
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make([]error, len(firsts))
	for k, first := range firsts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := series.MustParseRange(fmt.Sprintf("V%08d", first), fmt.Sprintf("V%08d", first+9))
			<-start
			_, errs[k] = st.InsertSeries(t.Context(), org, series.Series{Owner: series.Owner{Kind: series.Customer, Code: "C"}, Range: r, ItemCode: "I"})
		}()
	}
	close(start)
	wg.Wait()
	ok := 0
	for k, err := range errs {
		switch {
		case err == nil:
			ok++
		case fault.ReasonOf(err) == series.ReasonOverlap:
		default:
			t.Fatalf("%s, writer %d: %v", label, k, err)
		}
	}
	if ok != 1 {
		t.Fatalf("%s: %d successes (%v)", label, ok, errs)
	}
}
