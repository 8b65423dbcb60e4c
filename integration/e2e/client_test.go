package e2e

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
)

// The API under test and the tenant every test sets up.
const (
	seriesPath    = "/api/client/integration/virtualseries"
	createPath    = seriesPath + "/create"
	customerCode  = "SL1981"
	itemCode      = "P7WJEJANkt"
	reasonOverlap = "SERIES_OVERLAP"
)

// Series ranges are V followed by 8 digits; slot i is the 10 numbers from
// rangeBase + i*slotStride, so distinct slots never share a number, and a
// range shifted by half a slot overlaps exactly one slot.
const (
	rangeBase   = 10_000_000
	slotStride  = 20
	rangeLength = 10
	overlapBy   = 5
)

// numberRange returns the start and end of the 10-number range beginning
// at first.
func numberRange(first int64) (string, string) {
	return fmt.Sprintf("V%08d", first), fmt.Sprintf("V%08d", first+rangeLength-1)
}

// slotRange is the range of slot i.
func slotRange(i int) (string, string) { return numberRange(rangeBase + int64(i)*slotStride) }

// requestTimeout bounds every HTTP request of the tests.
const requestTimeout = 30 * time.Second

// newClient returns a keep-alive client able to hold conns idle connections
// per server. It never uses a proxy from the environment: all traffic goes
// to 127.0.0.1.
func newClient(t *testing.T, conns int) *http.Client {
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        4 * conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: requestTimeout}
}

// outcome is what one request got.
type outcome struct {
	status int    // 0 when no response arrived (err says why)
	reason string // the error envelope's reason
	id     int64  // a created series' id
	start  string // a created series' start, as the server echoed it
	end    string
	bad    bool   // the body leaks internals (a stack trace or panic)
	body   string // the start of the body, for failure messages
	err    error
	began  time.Time
	ended  time.Time
}

// reply is the union of the API's success and error envelopes.
type reply struct {
	Status string `json:"status"`
	Data   struct {
		ID    int64  `json:"id"`
		Start string `json:"start"`
		End   string `json:"end"`
	} `json:"data"`
	Error struct {
		Reason     string `json:"reason"`
		StatusCode int    `json:"statusCode"`
	} `json:"error"`
}

// leaks reports whether an HTTP body shows internals a client must never
// see: a Go stack trace, a source location or a panic.
func leaks(body []byte) bool {
	return bytes.Contains(body, []byte("goroutine")) || bytes.Contains(body, []byte(".go:")) ||
		bytes.Contains(bytes.ToLower(body), []byte("panic"))
}

// do sends req and fills an outcome from the reply.
func do(c *http.Client, req *http.Request) outcome {
	o := outcome{began: time.Now()}
	resp, err := c.Do(req)
	if err != nil {
		o.err = err
		o.ended = time.Now()
		return o
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	o.ended = time.Now()
	o.status = resp.StatusCode
	if err != nil {
		o.err = fmt.Errorf("read body: %w", err)
	}
	o.bad = leaks(body)
	o.body = string(body[:min(len(body), 300)])
	var r reply
	if json.Unmarshal(body, &r) == nil {
		o.reason, o.id, o.start, o.end = r.Error.Reason, r.Data.ID, r.Data.Start, r.Data.End
	}
	return o
}

// create asks the server at base to allot start-end to the customer.
func create(ctx context.Context, c *http.Client, base, key, start, end string) outcome {
	body, _ := json.Marshal(map[string]string{
		"start": start, "end": end, "client_code": customerCode, "item_code": itemCode,
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+createPath, bytes.NewReader(body))
	if err != nil {
		return outcome{err: err, began: time.Now(), ended: time.Now()}
	}
	req.Header.Set("Authorization", "Basic "+key)
	req.Header.Set("Content-Type", "application/json")
	return do(c, req)
}

// list asks the server at base for the first few series.
func list(ctx context.Context, c *http.Client, base, key string) outcome {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+seriesPath+"?limit=5", nil)
	if err != nil {
		return outcome{err: err, began: time.Now(), ended: time.Now()}
	}
	req.Header.Set("Authorization", "Basic "+key)
	return do(c, req)
}

// readyz probes the server's readiness.
func readyz(ctx context.Context, c *http.Client, base string) outcome {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/readyz", nil)
	if err != nil {
		return outcome{err: err, began: time.Now(), ended: time.Now()}
	}
	return do(c, req)
}

// describe summarises an outcome for a failure message.
func (o outcome) describe() string {
	if o.err != nil && o.status == 0 {
		return "error: " + o.err.Error()
	}
	return fmt.Sprintf("%d %s", o.status, o.body)
}

// openDB opens a pool on dsn for the test's own checks.
func openDB(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := db.PingContext(t.Context()); err != nil {
		t.Fatalf("connect to the test database: %v", err)
	}
	return db
}

// overlapQuery counts pairs of live series of one organisation, prefix and
// width that share a number: what the exclusion constraint forbids.
const overlapQuery = `SELECT count(*) FROM series a JOIN series b
	ON a.id < b.id AND a.org_id = b.org_id AND a.prefix = b.prefix AND a.width = b.width
	AND a.deleted_at IS NULL AND b.deleted_at IS NULL
	AND numrange(a.first_digits::numeric, a.last_digits::numeric, '[]') && numrange(b.first_digits::numeric, b.last_digits::numeric, '[]')`

func overlappingPairs(t *testing.T, db *sql.DB) int {
	t.Helper()
	// Fresh statistics let the planner probe the constraint's GiST index
	// (150 ms for 4,500 rows) instead of hash-joining every pair (7 s). The
	// answer does not depend on the plan; without the constraint there is
	// no index and every pair is compared.
	if _, err := db.ExecContext(t.Context(), "ANALYZE series"); err != nil {
		t.Fatalf("analyze series: %v", err)
	}
	var n int
	if err := db.QueryRowContext(t.Context(), overlapQuery).Scan(&n); err != nil {
		t.Fatalf("self-join for overlaps: %v", err)
	}
	return n
}

// span is a series' start and end as the API writes them.
type span struct{ start, end string }

// liveSeries returns every live series in the database by id.
func liveSeries(t *testing.T, db *sql.DB) map[int64]span {
	t.Helper()
	rows, err := db.QueryContext(t.Context(),
		`SELECT id, prefix || first_digits, prefix || last_digits FROM series WHERE deleted_at IS NULL`)
	if err != nil {
		t.Fatalf("read series: %v", err)
	}
	defer rows.Close()
	out := make(map[int64]span)
	for rows.Next() {
		var id int64
		var s span
		if err := rows.Scan(&id, &s.start, &s.end); err != nil {
			t.Fatalf("read series: %v", err)
		}
		out[id] = s
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read series: %v", err)
	}
	return out
}

// checkAcknowledged reports every acknowledged (200) create that the
// database does not hold with exactly its range, and every id acknowledged
// twice. It returns how many acknowledged series it found.
func checkAcknowledged(t *testing.T, live map[int64]span, acks []outcome) int {
	t.Helper()
	seen := make(map[int64]bool, len(acks))
	found, reported := 0, 0
	for _, o := range acks {
		problem := ""
		switch got, ok := live[o.id]; {
		case seen[o.id]:
			problem = "acknowledged twice"
		case !ok:
			problem = "missing from the database"
		case got != (span{o.start, o.end}):
			problem = fmt.Sprintf("stored as %s-%s", got.start, got.end)
		default:
			found++
		}
		seen[o.id] = true
		if problem != "" && reported < 10 {
			reported++
			t.Errorf("series %d (%s-%s) acknowledged with 200: %s", o.id, o.start, o.end, problem)
		}
	}
	return found
}

// recordFigures logs a test's figures and writes them to
// integration/artifacts/e2e-<name>.txt when that directory can be created
// (it is git-ignored).
func recordFigures(t *testing.T, name, line string) {
	t.Helper()
	t.Log(line)
	dir := filepath.Join("..", "artifacts")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Logf("figures not saved: %v", err)
		return
	}
	stamp := time.Now().UTC().Format(time.RFC3339)
	if err := os.WriteFile(filepath.Join(dir, "e2e-"+name+".txt"), []byte(stamp+" "+line+"\n"), 0o644); err != nil {
		t.Logf("figures not saved: %v", err)
	}
}

// firstN joins up to n items for a failure message.
func firstN(items []string, n int) string {
	if len(items) > n {
		return strings.Join(items[:n], "; ") + fmt.Sprintf("; ... (%d in all)", len(items))
	}
	return strings.Join(items, "; ")
}
