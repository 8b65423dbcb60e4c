package wire_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"

	"github.com/allot-io/allot/adapters/httpapi"
	"github.com/allot-io/allot/app/wire"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

type fixture struct {
	srv *httptest.Server
	key string
	svc ports.Services
	org tenant.OrgID
}

// newFixture serves the real HTTP API over a migrated SQLite store holding
// organisation ACME with customer SL1981 and one API key.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "allot.db")
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	b, err := wire.Open(ctx, dsn, wire.Config{Log: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	if err := b.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	org, err := b.Services.Orgs.Create(ctx, "ACME", "Acme Logistics")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Services.Customers.Add(ctx, org.ID, "SL1981", "Sample Customer"); err != nil {
		t.Fatal(err)
	}
	key, _, err := b.Services.APIKeys.Create(ctx, org.ID)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.New(httpapi.Config{}, b.Services, log))
	t.Cleanup(srv.Close)
	return &fixture{srv: srv, key: key, svc: b.Services, org: org.ID}
}

func (f *fixture) post(t *testing.T, path, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/api/client/integration/virtualseries"+path, bytes.NewBufferString(body))
	req.Header.Set("Authorization", "Basic "+f.key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return 0, nil
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Errorf("decode: %v", err)
	}
	return resp.StatusCode, m
}

func TestVendorSamplePayload(t *testing.T) {
	f := newFixture(t)
	status, body := f.post(t, "/create", `{ "start": "V10000071", "end": "V10000080", "client_code": "SL1981", "item_code": "P7WJEJANkt" }`)
	if status != 200 || body["status"] != "OK" {
		t.Fatalf("got %d %v", status, body)
	}
	status, body = f.post(t, "/create", `{ "start": "V10000075", "end": "V10000090", "client_code": "SL1981", "item_code": "P7WJEJANkt" }`)
	e, _ := body["error"].(map[string]any)
	if status != 400 || e["reason"] != series.ReasonOverlap || e["code"] != "WRONG_INPUT" {
		t.Fatalf("overlap: got %d %v", status, body)
	}
}

// TestConcurrentCreatesNeverOverlap races 64 clients creating heavily
// overlapping ranges through the HTTP API and then checks every pair of
// stored series.
func TestConcurrentCreatesNeverOverlap(t *testing.T) {
	f := newFixture(t)
	const clients = 64
	var wg sync.WaitGroup
	statuses := make([]int, clients)
	reasons := make([]string, clients)
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			start := 1000 + (i*7)%60
			body := fmt.Sprintf(`{"start":"V%08d","end":"V%08d","client_code":"SL1981","item_code":"ITEM%d"}`, start, start+9, i)
			status, m := f.post(t, "/create", body)
			statuses[i] = status
			if e, ok := m["error"].(map[string]any); ok {
				reasons[i], _ = e["reason"].(string)
			}
		}(i)
	}
	wg.Wait()
	created := 0
	for i, s := range statuses {
		switch {
		case s == 200:
			created++
		case s == 400 && reasons[i] == series.ReasonOverlap:
		default:
			t.Errorf("client %d: status %d reason %q", i, s, reasons[i])
		}
	}
	if created == 0 || created == clients {
		t.Fatalf("created %d of %d: the ranges were meant to collide", created, clients)
	}

	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+"/api/client/integration/virtualseries?limit=1000", nil)
	req.Header.Set("Authorization", "Basic "+f.key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct {
		Data struct {
			Series []struct{ Start, End string }
			Total  int
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	if len(list.Data.Series) != created || list.Data.Total != created {
		t.Fatalf("listed %d (total %d), created %d", len(list.Data.Series), list.Data.Total, created)
	}
	var rs []series.Range
	for _, s := range list.Data.Series {
		rs = append(rs, series.MustParseRange(s.Start, s.End))
	}
	for i := range rs {
		for j := i + 1; j < len(rs); j++ {
			if rs[i].Overlaps(rs[j]) {
				t.Errorf("stored series overlap: %s and %s", rs[i], rs[j])
			}
		}
	}
}

// TestConcurrentDrawsNeverRepeat races clients drawing numbers and checks
// that no number is returned twice and none is lost.
func TestConcurrentDrawsNeverRepeat(t *testing.T) {
	f := newFixture(t)
	for i := 0; i < 4; i++ {
		body := fmt.Sprintf(`{"start":"V%08d","end":"V%08d","client_code":"SL1981","item_code":"P7WJEJANkt"}`, 2000+i*100, 2000+i*100+49)
		if s, m := f.post(t, "/create", body); s != 200 {
			t.Fatalf("create: %d %v", s, m)
		}
	}
	const clients, per, each = 20, 5, 2 // 20 clients × 5 draws × 2 numbers = 200 = 4 × 50
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < per; k++ {
				status, m := f.post(t, "/next", fmt.Sprintf(`{"client_code":"SL1981","item_code":"P7WJEJANkt","count":%d}`, each))
				if status != 200 {
					t.Errorf("draw: %d %v", status, m)
					return
				}
				data, _ := m["data"].(map[string]any)
				nums, _ := data["numbers"].([]any)
				if len(nums) != each {
					t.Errorf("drew %v", nums)
				}
				mu.Lock()
				for _, n := range nums {
					seen[n.(string)]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != 200 {
		t.Errorf("drew %d distinct numbers, want 200", len(seen))
	}
	for n, c := range seen {
		if c != 1 {
			t.Errorf("%s drawn %d times", n, c)
		}
	}
	status, m := f.post(t, "/next", `{"client_code":"SL1981","item_code":"P7WJEJANkt","count":1}`)
	e, _ := m["error"].(map[string]any)
	if status != 400 || e["reason"] != series.ReasonExhausted {
		t.Errorf("after exhaustion: %d %v", status, m)
	}
}
