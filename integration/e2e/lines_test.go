package e2e

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/allot-io/allot/adapters/carrier"
	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/series"
)

// The line lifecycle end to end (issue 15, items 6 and 9): server processes
// on one PostgreSQL database provision lines at a carrier simulator that
// runs in this test process, so that its count of activations spans every
// process and survives one killed with SIGKILL.

// simSecret signs the servers' requests to the simulator.
const simSecret = "e2e-carrier-secret"

// Stock of the tests' organisation: MDNs of hub TMB from mdnFirst, and SIMs
// (ICCIDs: 18-digit serials from simFirst, a Luhn digit appended).
const (
	mdnFirst = int64(2065550000)
	simFirst = int64(890126000000000000)
)

// simCarrier is the carrier simulator and what it has seen.
type simCarrier struct {
	fake  *carrier.Fake
	srv   *httptest.Server
	posts atomic.Int64 // activation requests received
}

// startCarrier serves carrier.Simulator, answering each activation after
// delay, until t ends.
func startCarrier(t *testing.T, delay time.Duration) *simCarrier {
	t.Helper()
	c := &simCarrier{fake: carrier.NewFake()}
	sim := &carrier.Simulator{Fake: c.fake, Secret: []byte(simSecret), Delay: delay}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			c.posts.Add(1)
		}
		sim.ServeHTTP(w, r)
	}))
	t.Cleanup(c.srv.Close)
	return c
}

// env points a server process at the simulator.
func (c *simCarrier) env() []string {
	return []string{"ALLOT_CARRIER_URL=" + c.srv.URL, "ALLOT_CARRIER_SECRET=" + simSecret}
}

// iccid is the SIM of line i: serial simFirst+i with its Luhn digit.
func iccid(i int) string {
	return series.Luhn.Full(series.MustParseNumber(fmt.Sprint(simFirst + int64(i)))).String()
}

// setupLineStock configures ACME for the prepaid flow with stock for n
// lines: MDN series of hub TMB, a Luhn SIM series, and the sim-stock
// setting on.
func setupLineStock(t *testing.T, dsn string, n int) {
	t.Helper()
	for _, args := range [][]string{
		{"org", "create", "--db", dsn, "ACME"},
		{"vendor", "add", "--db", dsn, "--org", "ACME", "--vendor-id", "ACMEVENDOR", "--username", "acmeapi", "--password", e2eVendorPassword, "--pin", e2eVendorPin},
		{"agent", "add", "--db", dsn, "--org", "ACME", "--id", "web"},
		{"plan", "add", "--db", dsn, "--org", "ACME", "--id", "1828", "--name", "Unlimited 30", "--price", "25.00"},
		{"zip", "add", "--db", dsn, "--org", "ACME", "--zip", "98103", "--city", "SEATTLE", "--state", "WA"},
		{"source", "allow", "--db", dsn, "--org", "ACME", "API"},
		{"hub", "add", "--db", dsn, "--org", "ACME", "--code", "TMB", "--name", "T-Mobile"},
		{"series", "create", "--db", dsn, "--org", "ACME", "--hub", "TMB", "--item-code", enrollment.MDNItemCode,
			"--start", fmt.Sprint(mdnFirst), "--end", fmt.Sprint(mdnFirst + int64(n) + 99)},
		{"customer", "add", "--db", dsn, "--org", "ACME", "--code", "SIMS", "--name", "SIM stock"},
		{"series", "create", "--db", dsn, "--org", "ACME", "--client", "SIMS", "--item-code", enrollment.SIMItemCode, "--check-digit", "luhn",
			"--start", fmt.Sprint(simFirst), "--end", fmt.Sprint(simFirst + int64(n) + 99)},
		{"org", "set", "--db", dsn, "--sim-stock", "Y", "ACME"},
	} {
		allot(t, args...)
	}
}

// linesPerRequest is how many lines one create request carries (the
// default maximum).
const linesPerRequest = 10

// enrollLines enrolls lines 0..n-1 (activation_later N, carrier TMB, SIM
// iccid(i)) with workers clients at once, request k to server k mod
// len(servers): each client authenticates once and chains the fresh token
// of every answer through check_service_availability (an enrollment id per
// line) and create_prepaid_postpaid_customer_v2 (ten lines a request). It
// returns every failure, not failing t, since it runs in goroutines, and
// the slowest create request's time.
func enrollLines(t *testing.T, c *http.Client, servers []*server, n, workers int) ([]string, time.Duration) {
	t.Helper()
	requests := (n + linesPerRequest - 1) / linesPerRequest
	var next, slowest atomic.Int64
	var mu sync.Mutex
	var problems []string
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		problems = append(problems, fmt.Sprintf(format, args...))
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			base := servers[w%len(servers)].base
			tok := authenticate(t, c, base)
			for {
				k := int(next.Add(1) - 1)
				if k >= requests {
					return
				}
				at := servers[k%len(servers)].base
				first, last := k*linesPerRequest, min(n, (k+1)*linesPerRequest)
				ids := make([]string, 0, last-first)
				for range last - first {
					r := bssCall(t, c, at, "/enrollment", tok, `{"action":"check_service_availability","zip_code":"98103","enrollment_type":"NON_LIFELINE","is_enrollment":"Y",`+bssAgent+`}`)
					var d struct {
						EnrollmentID string `json:"enrollment_id"`
					}
					if err := json.Unmarshal(r.Data, &d); err != nil || r.MsgCode != "RESTAPI000" || d.EnrollmentID == "" {
						fail("check_service_availability: %+v", r)
						return
					}
					tok = r.Token
					ids = append(ids, d.EnrollmentID)
				}
				lines := make([]string, len(ids))
				for i, id := range ids {
					parent := ""
					if i > 0 {
						parent = ids[0]
					}
					lines[i] = fmt.Sprintf(`{"enrollment_id":%q,"parent_enrollment_id":%q,"first_name":"Ann","last_name":"Lee","email":"ann@example.com",
						"service_address":{"address_one":"112 N 41ST ST","city":"SEATTLE","state":"WA","zip":"98103"},"plan_id":1828,
						"is_portin":"N","enrollment_type":"SHIPMENT","carrier":"TMB","activation_later":"N","sim":%q}`, id, parent, iccid(first+i))
				}
				sent := time.Now()
				r := bssCall(t, c, at, "/customer", tok, `{"action":"create_prepaid_postpaid_customer_v2",`+bssAgent+`,"lines":[`+strings.Join(lines, ",")+`]}`)
				for took := int64(time.Since(sent)); ; {
					if old := slowest.Load(); took <= old || slowest.CompareAndSwap(old, took) {
						break
					}
				}
				var created v2Created
				if err := json.Unmarshal(r.Data, &created); err != nil || r.MsgCode != "RESTAPI000" || len(created) != len(ids) {
					fail("create lines %d-%d: %+v (data %s)", first, last-1, r, r.Data)
					return
				}
				tok = r.Token
			}
		})
	}
	wg.Wait()
	return problems, time.Duration(slowest.Load())
}

// waitActive polls until want lines are ACTIVE or limit passes, and
// returns the count by status at the end.
func waitActive(t *testing.T, db *sql.DB, want int, limit time.Duration) map[string]int {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		by := map[string]int{}
		rows, err := db.QueryContext(t.Context(), "SELECT status, count(*) FROM lines GROUP BY status")
		if err != nil {
			t.Fatalf("count lines: %v", err)
		}
		for rows.Next() {
			var st string
			var k int
			if err := rows.Scan(&st, &k); err != nil {
				t.Fatal(err)
			}
			by[st] = k
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			t.Fatal(err)
		}
		if by[string(enrollment.StatusActive)] >= want || time.Now().After(deadline) {
			return by
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// The proofs that no number is held by two lines: pairs of lines of one
// organisation with one MDN, and with one SIM (as the line names it: sim,
// else uiccid, else esn).
const (
	mdnPairsQuery = `SELECT count(*) FROM lines a JOIN lines b
		ON a.org_id = b.org_id AND a.customer_id < b.customer_id AND a.mdn = b.mdn`
	simPairsQuery = `SELECT count(*) FROM lines a JOIN lines b
		ON a.org_id = b.org_id AND a.customer_id < b.customer_id
		AND COALESCE(NULLIF(a.details::jsonb->>'sim', ''), NULLIF(a.details::jsonb->>'uiccid', ''), a.details::jsonb->>'esn')
		  = COALESCE(NULLIF(b.details::jsonb->>'sim', ''), NULLIF(b.details::jsonb->>'uiccid', ''), b.details::jsonb->>'esn')`
)

// pairs runs the proofs on q (the database or a transaction).
func pairs(t *testing.T, q interface {
	QueryRow(string, ...any) *sql.Row
}) (mdn, sim int) {
	t.Helper()
	if err := q.QueryRow(mdnPairsQuery).Scan(&mdn); err != nil {
		t.Fatalf("MDN proof: %v", err)
	}
	if err := q.QueryRow(simPairsQuery).Scan(&sim); err != nil {
		t.Fatalf("SIM proof: %v", err)
	}
	return mdn, sim
}

// negativeControl plants, in a transaction it rolls back, a second line
// with the MDN and the SIM of another (dropping the unique index that
// would refuse the MDN), and returns what the proofs count then: each must
// see the pair, or a clean result proves nothing.
func negativeControl(t *testing.T, db *sql.DB) (mdn, sim int) {
	t.Helper()
	tx, err := db.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	for _, stmt := range []string{
		"DROP INDEX lines_org_mdn_key",
		`UPDATE lines SET mdn = (SELECT mdn FROM lines ORDER BY customer_id LIMIT 1),
			details = (SELECT details FROM lines ORDER BY customer_id LIMIT 1)
			WHERE customer_id = (SELECT customer_id FROM lines ORDER BY customer_id DESC LIMIT 1)`,
	} {
		if _, err := tx.ExecContext(t.Context(), stmt); err != nil {
			t.Fatalf("plant a duplicate: %s: %v", stmt, err)
		}
	}
	return pairs(t, tx)
}

// activationCheck returns the lines the simulator activated other than
// once, among the keys of the lines of db.
func activationCheck(t *testing.T, db *sql.DB, counts map[string]int) (keys int, wrong []string) {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), "SELECT org_id, customer_id FROM lines ORDER BY customer_id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var org, id int64
		if err := rows.Scan(&org, &id); err != nil {
			t.Fatal(err)
		}
		keys++
		if k := enrollment.ActivationKey(org, id); counts[k] != 1 {
			wrong = append(wrong, fmt.Sprintf("%s activated %d times", k, counts[k]))
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return keys, wrong
}

// scalar runs a query of one integer.
func scalar(t *testing.T, db *sql.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(t.Context(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// TestLinesThreeProcesses: 1,000 lines enrolled at once through three
// `allot serve --work` processes on one PostgreSQL become ACTIVE, each
// activated at the carrier exactly once and with one ACTIVE transition; no
// MDN and no SIM is held by two lines, which self-joins prove, with a
// negative control showing the proofs see a planted duplicate; every SIM is
// consumed in its series by its line and every MDN drawn from stock.
func TestLinesThreeProcesses(t *testing.T) {
	const n = 1000
	dsn := srv.NewDatabase(t)
	setupLineStock(t, dsn, n)
	sim := startCarrier(t, 5*time.Millisecond)
	servers := make([]*server, 3)
	for i := range servers {
		servers[i] = launchWith(t, fmt.Sprintf("server-%d", i+1), sim.env(), "serve", "--addr", "127.0.0.1:0", "--db", dsn, "--work")
	}
	for _, s := range servers {
		s.waitReady(t)
	}
	db := openDB(t, dsn)
	c := newClient(t, 24)

	began := time.Now()
	problems, slowest := enrollLines(t, c, servers, n, 24)
	if len(problems) > 0 {
		t.Fatalf("%d enrollment requests failed (the slowest create took %s): %s", len(problems), slowest.Round(time.Millisecond), firstN(problems, 3))
	}
	enrolled := time.Since(began)
	by := waitActive(t, db, n, 60*time.Second)
	active := time.Since(began)
	if by[string(enrollment.StatusActive)] != n || len(by) != 1 {
		t.Fatalf("lines by status after %s: %v, want %d ACTIVE", active.Round(time.Millisecond), by, n)
	}

	counts := sim.fake.ActivationCounts()
	keys, wrong := activationCheck(t, db, counts)
	if keys != n || len(counts) != n || len(wrong) > 0 {
		t.Errorf("%d lines, %d keys activated at the carrier; not once: %s", keys, len(counts), firstN(wrong, 5))
	}
	if k := scalar(t, db, `SELECT count(*) FROM (SELECT customer_id FROM line_history WHERE to_status = 'ACTIVE'
		GROUP BY customer_id HAVING count(*) = 1) AS once`); k != n {
		t.Errorf("%d lines have exactly one ACTIVE transition, want %d", k, n)
	}
	mdnPairs, simPairs := pairs(t, db)
	if mdnPairs != 0 || simPairs != 0 {
		t.Errorf("lines sharing an MDN: %d pairs, a SIM: %d pairs", mdnPairs, simPairs)
	}
	ctlMDN, ctlSIM := negativeControl(t, db)
	if ctlMDN != 1 || ctlSIM != 1 {
		t.Errorf("negative control: the proofs counted %d MDN and %d SIM pairs after planting one of each", ctlMDN, ctlSIM)
	}
	if m, s := pairs(t, db); m != 0 || s != 0 {
		t.Errorf("after the control's rollback: %d, %d pairs", m, s)
	}
	// The stock: each SIM consumed once, by its own line, and the MDN
	// series drawn n times, every line's MDN inside it.
	if k := scalar(t, db, `SELECT count(DISTINCT m.reference) FROM series_runs m JOIN series s ON s.id = m.series_id
		WHERE s.item_code = 'SIM' AND m.state = 'used' AND m.reference IN (SELECT 'line ' || enrollment_id FROM lines)`); k != n {
		t.Errorf("%d SIMs consumed by their lines, want %d", k, n)
	}
	if k := scalar(t, db, `SELECT COALESCE(SUM(drawn), 0) FROM series WHERE item_code = 'MDN'`); k != n {
		t.Errorf("%d MDNs drawn, want %d", k, n)
	}
	if k := scalar(t, db, `SELECT count(*) FROM lines WHERE mdn::bigint BETWEEN $1 AND $2`, mdnFirst, mdnFirst+n-1); k != n {
		t.Errorf("%d lines have an MDN of the first %d of the stock, want %d", k, n, n)
	}
	recordFigures(t, "lines", fmt.Sprintf(
		"lines=%d servers=3 (serve --work, 4 jobs each) clients=24 enrolled_in=%s slowest_create=%s all_active_after=%s (%.0f lines/s end to end) carrier_requests=%d keys_activated=%d activated_not_once=%d mdn_pairs=%d sim_pairs=%d control_pairs=%d/%d",
		n, enrolled.Round(time.Millisecond), slowest.Round(time.Millisecond), active.Round(time.Millisecond), float64(n)/active.Seconds(),
		sim.posts.Load(), len(counts), len(wrong), mdnPairs, simPairs, ctlMDN, ctlSIM))
}

// waitLog waits until s has printed sub.
func waitLog(t *testing.T, s *server, sub string) {
	t.Helper()
	deadline := time.Now().Add(readyTimeout)
	for !strings.Contains(s.logs.String(), sub) {
		select {
		case <-s.exited:
			t.Fatalf("%s exited (%v) before printing %q", s.name, s.waitErr, sub)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not print %q within %s", s.name, sub, readyTimeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestLinesWorkerKilled: a worker process killed with SIGKILL while the
// carrier holds its answers leaves jobs running with no one to finish
// them; another worker rescues and retries them, asks the carrier under
// each line's activation key, and every line becomes ACTIVE with exactly
// one activation at the carrier.
func TestLinesWorkerKilled(t *testing.T) {
	const n = 20
	const rescue = "4s" // a job runs at most 2s (half of it); the carrier answers after 1s
	dsn := srv.NewDatabase(t)
	setupLineStock(t, dsn, n)
	sim := startCarrier(t, time.Second)
	api := launch(t, "server", dsn)
	api.waitReady(t)
	work := func(name string) *server {
		s := launchWith(t, name, sim.env(), "work", "--db", dsn, "--workers", "4", "--poll", "100ms", "--rescue-after", rescue)
		waitLog(t, s, "provisioning worker running")
		return s
	}
	w1 := work("worker-1")
	db := openDB(t, dsn)
	c := newClient(t, 4)
	if problems, _ := enrollLines(t, c, []*server{api}, n, 2); len(problems) > 0 {
		t.Fatalf("enrollment failed: %s", firstN(problems, 3))
	}

	// Kill worker-1 once the carrier has taken activations it has not
	// answered yet: those lines are activated, their answers lost.
	deadline := time.Now().Add(30 * time.Second)
	for len(sim.fake.ActivationCounts()) < 4 {
		if time.Now().After(deadline) {
			t.Fatalf("the carrier took %d activations in 30s", len(sim.fake.ActivationCounts()))
		}
		time.Sleep(5 * time.Millisecond)
	}
	w1.kill()
	killed := time.Now()
	inFlight := len(sim.fake.ActivationCounts())
	running := scalar(t, db, "SELECT count(*) FROM river_job WHERE state = 'running'")
	submitted := scalar(t, db, "SELECT count(*) FROM lines WHERE status = 'SUBMITTED'")
	if running == 0 || submitted == 0 {
		t.Fatalf("at the kill %d jobs were running and %d lines SUBMITTED: nothing was cut off mid-activation", running, submitted)
	}

	work("worker-2")
	by := waitActive(t, db, n, 75*time.Second)
	recovered := time.Since(killed)
	if by[string(enrollment.StatusActive)] != n {
		t.Fatalf("lines by status %s after the kill: %v, want %d ACTIVE", recovered.Round(time.Millisecond), by, n)
	}
	counts := sim.fake.ActivationCounts()
	keys, wrong := activationCheck(t, db, counts)
	if keys != n || len(wrong) > 0 {
		t.Errorf("%d lines; activated at the carrier not once: %s", keys, firstN(wrong, 5))
	}
	retried := scalar(t, db, "SELECT count(*) FROM river_job WHERE kind = 'provision_line' AND attempt > 1")
	if retried < submitted {
		t.Errorf("%d jobs retried, but %d lines were cut off mid-activation", retried, submitted)
	}
	if m, s := pairs(t, db); m != 0 || s != 0 {
		t.Errorf("lines sharing an MDN: %d pairs, a SIM: %d pairs", m, s)
	}
	recordFigures(t, "lines-kill9", fmt.Sprintf(
		"lines=%d killed_worker_with running_jobs=%d submitted_lines=%d carrier_took=%d all_active_after_kill=%s (rescue-after %s, River leader takeover) jobs_retried=%d carrier_requests=%d activated_not_once=%d",
		n, running, submitted, inFlight, recovered.Round(time.Millisecond), rescue, retried, sim.posts.Load(), len(wrong)))
}
