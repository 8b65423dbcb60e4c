package e2e

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"testing"
	"time"
)

// consumeSeries is the series the consume storm races over: 2,000 numbers.
const (
	consumeStart = "V20000000"
	consumeEnd   = "V20001999"
	consumeSize  = 2000
)

// postJSON posts body to path on the server at base and decodes the reply
// into out; it returns the status.
func postJSON(ctx context.Context, c *http.Client, base, key, path string, body any, out any) (int, error) {
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+seriesPath+path, bytes.NewReader(b))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Basic "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return resp.StatusCode, err
	}
	if leaks(raw) {
		return resp.StatusCode, fmt.Errorf("body leaks internals: %.200s", raw)
	}
	return resp.StatusCode, json.Unmarshal(raw, out)
}

// duplicateMarks is the self-join proof: the numbers recorded in more
// than one run of marks, counted over every pair of overlapping runs. The
// exclusion constraint makes it zero unless it is dropped.
func duplicateMarks(t *testing.T, db *sql.DB) int {
	t.Helper()
	var n int
	err := db.QueryRowContext(t.Context(), `SELECT COALESCE(SUM(LEAST(a.last_pos, b.last_pos) - GREATEST(a.first_pos, b.first_pos) + 1), 0)
		FROM series_runs a JOIN series_runs b
		ON a.series_id = b.series_id AND a.ctid < b.ctid AND a.first_pos <= b.last_pos AND b.first_pos <= a.last_pos`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestConsumeStormThreeProcesses races consumes of overlapping sets of
// numbers and draws of the same series from 48 clients across three server
// processes on one database, and checks that every number was handed out
// (consumed or drawn) at most once, that the database holds a used mark
// with the winner's reference for every acknowledged consume, and that the
// self-join finds no number marked twice.
func TestConsumeStormThreeProcesses(t *testing.T) {
	const (
		workers  = 48
		perWork  = 25
		setSize  = 6
		spanUsed = 600 // consumes pick numbers among the first 600, so sets collide
	)
	dsn := srv.NewDatabase(t)
	key := setupTenant(t, dsn)
	servers := startServers(t, dsn, 3)
	c := newClient(t, workers)
	ctx, cancel := context.WithTimeout(t.Context(), stormTimeout)
	defer cancel()
	if o := create(ctx, c, servers[0].base, key, consumeStart, consumeEnd); o.status != http.StatusOK {
		t.Fatalf("create: %s", o.describe())
	}

	var mu sync.Mutex
	handed := map[string]string{} // number -> who got it
	var problems []string
	claim := func(num, by string) {
		mu.Lock()
		defer mu.Unlock()
		if prev, dup := handed[num]; dup {
			problems = append(problems, fmt.Sprintf("%s handed out to %s and to %s", num, prev, by))
		}
		handed[num] = by
	}
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		problems = append(problems, fmt.Sprintf(format, args...))
	}
	var wg sync.WaitGroup
	began := time.Now()
	for w := range workers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 1981))
			for k := range perWork {
				base := servers[(w+k)%len(servers)].base
				if w%4 == 0 {
					var r struct {
						Data struct {
							Numbers []string `json:"numbers"`
						} `json:"data"`
					}
					status, err := postJSON(ctx, c, base, key, "/next", map[string]any{"client_code": customerCode, "item_code": itemCode, "count": 3}, &r)
					if err != nil || status != http.StatusOK {
						fail("draw: %d %v", status, err)
						continue
					}
					for _, n := range r.Data.Numbers {
						claim(n, fmt.Sprintf("draw %d/%d", w, k))
					}
					continue
				}
				ref := fmt.Sprintf("w%d-%d", w, k)
				nums := make([]string, 0, setSize)
				for range setSize {
					nums = append(nums, fmt.Sprintf("V2000%04d", rng.IntN(spanUsed)))
				}
				var r struct {
					Error struct {
						Reason string `json:"reason"`
					} `json:"error"`
				}
				status, err := postJSON(ctx, c, base, key, "/consume", map[string]any{"numbers": nums, "reference": ref, "client_code": customerCode}, &r)
				switch {
				case err != nil:
					fail("consume %s: %v", ref, err)
				case status == http.StatusOK:
					seen := map[string]bool{}
					for _, n := range nums {
						if !seen[n] {
							seen[n] = true
							claim(n, ref)
						}
					}
				case status == http.StatusBadRequest && r.Error.Reason == "NUMBER_ALREADY_USED":
				default:
					fail("consume %s: %d %s", ref, status, r.Error.Reason)
				}
			}
		})
	}
	wg.Wait()
	took := time.Since(began)

	db := openDB(t, dsn)
	dups := duplicateMarks(t, db)
	// Every acknowledged consume is a used mark with its reference.
	rows, err := db.QueryContext(t.Context(), `SELECT p.pos, n.state, n.reference FROM series_runs n JOIN series s ON s.id = n.series_id
		CROSS JOIN LATERAL generate_series(n.first_pos, n.last_pos) AS p(pos)`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	marks := map[string]string{}
	for rows.Next() {
		var pos int64
		var state, ref string
		if err := rows.Scan(&pos, &state, &ref); err != nil {
			t.Fatal(err)
		}
		if state != "used" {
			t.Errorf("mark of offset %d is %s, want used", pos, state)
		}
		marks[fmt.Sprintf("V2000%04d", pos)] = ref
	}
	consumed := 0
	for num, by := range handed {
		if len(by) > 0 && by[0] == 'w' {
			consumed++
			if marks[num] != by {
				t.Errorf("%s was acknowledged to %s but the database records %q", num, by, marks[num])
			}
		}
	}
	recordFigures(t, "consume-storm", fmt.Sprintf("consume-storm: requests=%d handed_out=%d consumed=%d duplicate_marks=%d duration=%s",
		workers*perWork, len(handed), consumed, dups, took.Round(time.Millisecond)))
	if len(problems) > 0 {
		t.Errorf("%d problems: %v", len(problems), problems[:min(len(problems), 10)])
	}
	if dups != 0 {
		t.Errorf("the self-join finds %d numbers marked twice", dups)
	}
	if consumed == 0 || len(marks) != consumed {
		t.Errorf("%d numbers acknowledged as consumed, %d marked in the database", consumed, len(marks))
	}
}

// TestConsumeStormNegativeControl plants a duplicate mark after dropping
// the primary key and exclusion constraint of series_runs and checks that the self-join of the
// storm finds it: the proof can fail.
func TestConsumeStormNegativeControl(t *testing.T) {
	dsn := srv.NewDatabase(t)
	key := setupTenant(t, dsn)
	servers := startServers(t, dsn, 1)
	c := newClient(t, 2)
	ctx, cancel := context.WithTimeout(t.Context(), stormTimeout)
	defer cancel()
	if o := create(ctx, c, servers[0].base, key, consumeStart, consumeEnd); o.status != http.StatusOK {
		t.Fatalf("create: %s", o.describe())
	}
	var r map[string]any
	if status, err := postJSON(ctx, c, servers[0].base, key, "/consume", map[string]any{"numbers": []string{"V20000007"}, "client_code": customerCode}, &r); err != nil || status != http.StatusOK {
		t.Fatalf("consume: %d %v %v", status, err, r)
	}
	db := openDB(t, dsn)
	if n := duplicateMarks(t, db); n != 0 {
		t.Fatalf("before planting: %d duplicates", n)
	}
	if _, err := db.ExecContext(t.Context(), "ALTER TABLE series_runs DROP CONSTRAINT series_runs_pkey, DROP CONSTRAINT series_runs_no_overlap"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(t.Context(), "INSERT INTO series_runs SELECT * FROM series_runs"); err != nil {
		t.Fatal(err)
	}
	if n := duplicateMarks(t, db); n != 1 {
		t.Fatalf("the self-join found %d planted duplicates, want 1: it cannot detect a number consumed twice", n)
	}
}
