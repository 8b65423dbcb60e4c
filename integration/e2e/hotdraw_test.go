package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const nextPath = seriesPath + "/next"

// draw asks the server at base for the next count numbers of the hot owner,
// with an Idempotency-Key when idemKey is not empty, and returns them.
func draw(ctx context.Context, c *http.Client, base, key string, count int, idemKey string) ([]string, []byte, error) {
	body, _ := json.Marshal(map[string]any{"client_code": customerCode, "item_code": itemCode, "count": count})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+nextPath, bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Authorization", "Basic "+key)
	req.Header.Set("Content-Type", "application/json")
	if idemKey != "" {
		req.Header.Set("Idempotency-Key", idemKey)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, nil, err
	}
	var r struct {
		Status string `json:"status"`
		Data   struct {
			Numbers []string `json:"numbers"`
		} `json:"data"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &r) != nil || r.Status != "OK" {
		return nil, raw, fmt.Errorf("next: HTTP %d: %s", resp.StatusCode, raw[:min(len(raw), 300)])
	}
	if len(r.Data.Numbers) != count {
		return nil, raw, fmt.Errorf("next of %d answered %d numbers: %s", count, len(r.Data.Numbers), raw[:min(len(raw), 300)])
	}
	return r.Data.Numbers, raw, nil
}

// TestHotOwnerDrawsThreeProcesses draws from one owner and item with 48
// clients across three server processes, each of which merges the draws it
// receives at once into one statement: no number is handed out twice, none
// is skipped (what was handed out is exactly the series' first numbers),
// the series' counter equals the numbers handed out, and a draw sent with
// an Idempotency-Key is answered again, unchanged, on its replay.
func TestHotOwnerDrawsThreeProcesses(t *testing.T) {
	const (
		requests = 3000
		workers  = 48
		first    = 30_000_000
		size     = 100_000
	)
	dsn := srv.NewDatabase(t)
	key := setupTenant(t, dsn)
	servers := startServers(t, dsn, 3)
	c := newClient(t, workers)
	ctx, cancel := context.WithTimeout(t.Context(), stormTimeout)
	defer cancel()

	start, end := fmt.Sprintf("V%08d", first), fmt.Sprintf("V%08d", first+size-1)
	if o := create(ctx, c, servers[0].base, key, start, end); o.status != http.StatusOK {
		t.Fatalf("create %s-%s: %s", start, end, o.describe())
	}

	type idem struct {
		key   string
		count int
		body  []byte
		base  string
	}
	got := make([][]string, workers)
	idems := make([][]idem, workers)
	var next atomic.Int64
	var asked atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	began := time.Now()
	for w := range workers {
		wg.Go(func() {
			for {
				k := int(next.Add(1) - 1)
				if k >= requests {
					return
				}
				count := 1 + k%3
				base := servers[k%len(servers)].base
				var ik string
				if k%10 == 0 {
					ik = fmt.Sprintf("hot-%d", k)
				}
				nums, raw, err := draw(ctx, c, base, key, count, ik)
				if err != nil {
					errs <- err
					return
				}
				asked.Add(int64(count))
				got[w] = append(got[w], nums...)
				if ik != "" {
					idems[w] = append(idems[w], idem{key: ik, count: count, body: raw, base: servers[(k+1)%len(servers)].base})
				}
			}
		})
	}
	wg.Wait()
	took := time.Since(began)
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	seen := make(map[string]bool, asked.Load())
	for _, ns := range got {
		for _, n := range ns {
			if seen[n] {
				t.Fatalf("%s handed out twice", n)
			}
			seen[n] = true
		}
	}
	if int64(len(seen)) != asked.Load() {
		t.Fatalf("%d distinct numbers handed out, %d asked for", len(seen), asked.Load())
	}
	for i := range asked.Load() {
		if n := fmt.Sprintf("V%08d", first+i); !seen[n] {
			t.Fatalf("%s (number %d of the series) was skipped", n, i+1)
		}
	}
	var drawn int64
	if err := openDB(t, dsn).QueryRowContext(ctx, "SELECT drawn FROM series WHERE prefix = 'V' AND first_digits = $1", fmt.Sprintf("%08d", first)).Scan(&drawn); err != nil {
		t.Fatal(err)
	}
	if drawn != asked.Load() {
		t.Fatalf("the series counts %d drawn, %d were handed out", drawn, asked.Load())
	}
	// Replays go to another process than the first send: the answer is the
	// stored one, and nothing more is drawn.
	replays := 0
	for _, is := range idems {
		for _, r := range is {
			_, raw, err := draw(ctx, c, r.base, key, r.count, r.key)
			if err != nil {
				t.Fatalf("replay of %s: %v", r.key, err)
			}
			if !bytes.Equal(raw, r.body) {
				t.Fatalf("replay of %s answered %s, first answer %s", r.key, raw, r.body)
			}
			replays++
		}
	}
	if replays != requests/10 {
		t.Fatalf("%d replays, want %d", replays, requests/10)
	}
	if err := openDB(t, dsn).QueryRowContext(ctx, "SELECT drawn FROM series WHERE prefix = 'V' AND first_digits = $1", fmt.Sprintf("%08d", first)).Scan(&drawn); err != nil {
		t.Fatal(err)
	}
	if drawn != asked.Load() {
		t.Fatalf("after the replays the series counts %d drawn, %d were handed out", drawn, asked.Load())
	}
	recordFigures(t, "hotdraw", fmt.Sprintf("hot-owner draws: requests=%d numbers=%d processes=%d clients=%d duration=%s",
		requests, asked.Load(), len(servers), workers, took.Round(time.Millisecond)))
}
