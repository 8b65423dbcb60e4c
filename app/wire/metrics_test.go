package wire_test

import (
	"context"
	"fmt"
	"github.com/allot-io/allot/cmd/allot/command"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/allot-io/allot/adapters/cli"
	"github.com/allot-io/allot/adapters/secret"
	"github.com/allot-io/allot/app/wire"
	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/token"
)

// metricsStack is wire.Serve with --metrics-addr on a SQLite file set up
// like newBSS's, plus customer SL1981 and an API key.
type metricsStack struct {
	*bss
	key     string
	metrics string // http://HOST:PORT of the metrics listener
}

func serveWithMetrics(t *testing.T) *metricsStack {
	t.Helper()
	setup := newBSS(t, 0)
	cfg := wire.Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Hasher: secret.NewTestHasher()}
	dsn := "sqlite:" + setup.db
	b, err := wire.Open(context.Background(), dsn, cfg)
	if err != nil {
		t.Fatal(err)
	}
	svc := b.Services
	org, err := svc.Orgs.ByCode(t.Context(), "ACME")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Customers.Add(t.Context(), org.ID, "SL1981", "Sample Customer"); err != nil {
		t.Fatal(err)
	}
	key, _, err := svc.APIKeys.Create(t.Context(), org.ID)
	if err != nil {
		t.Fatal(err)
	}
	b.Close()

	ctx, stop := context.WithCancel(context.Background())
	api, mets := make(chan string, 1), make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- command.Deps(os.Getenv, cfg).Serve(ctx, cli.ServeConfig{
			DSN: dsn, Addr: "127.0.0.1:0", MetricsAddr: "127.0.0.1:0",
			Ready:        func(a string) { api <- a },
			MetricsReady: func(a string) { mets <- a },
		})
	}()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	// The bss helpers read only the server's URL: here, wire.Serve's.
	s := &metricsStack{bss: &bss{db: setup.db, srv: &httptest.Server{}}, key: key}
	for s.srv.URL == "" || s.metrics == "" {
		select {
		case a := <-api:
			s.srv.URL = "http://" + a
		case a := <-mets:
			s.metrics = "http://" + a
		case err := <-done:
			t.Fatalf("serve: %v", err)
		case <-time.After(30 * time.Second):
			t.Fatal("the servers did not start")
		}
	}
	return s
}

// series sends a series API request with authorization auth and returns
// the status.
func (s *metricsStack) series(t *testing.T, method, path, auth, body string) int {
	t.Helper()
	req, _ := http.NewRequest(method, s.srv.URL+"/api/client/integration/virtualseries"+path, strings.NewReader(body))
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// TestMetricsAfterKnownTraffic serves the whole stack with a metrics
// listener, sends known series and BSS traffic, and checks the scrape.
func TestMetricsAfterKnownTraffic(t *testing.T) {
	s := serveWithMetrics(t)
	basic := "Basic " + s.key
	create := func(start, end string) string {
		return fmt.Sprintf(`{"start":%q,"end":%q,"client_code":"SL1981","item_code":"P7WJEJANkt"}`, start, end)
	}
	for _, c := range []struct {
		method, path, auth, body string
		status                   int
	}{
		{"POST", "/create", basic, create("V10000071", "V10000080"), 200},
		{"POST", "/create", basic, create("V10000081", "V10000090"), 200},
		{"POST", "/create", basic, create("V10000075", "V10000085"), 400}, // overlap: not created
		{"POST", "/next", basic, `{"client_code":"SL1981","item_code":"P7WJEJANkt","count":3}`, 200},
		{"POST", "/next", basic, `{"client_code":"SL1981","item_code":"P7WJEJANkt","count":2}`, 200},
		{"POST", "/next", basic, `{"client_code":"SL1981","item_code":"P7WJEJANkt","count":999}`, 400}, // exhausted: nothing drawn
		{"GET", "/lookup?number=V10000075", basic, "", 200},
		{"DELETE", "/4242", basic, "", 404},
		{"POST", "/create", "", create("V1", "V2"), 401},                   // NO_API_KEY, decided by the HTTP adapter
		{"POST", "/create", "Bearer " + s.key, create("V1", "V2"), 401},    // WRONG_API_KEY, decided by the HTTP adapter
		{"POST", "/create", "Basic ak_0000_nope", create("V1", "V2"), 401}, // WRONG_API_KEY, decided by the use case
	} {
		if got := s.series(t, c.method, c.path, c.auth, c.body); got != c.status {
			t.Fatalf("%s %s: HTTP %d, want %d", c.method, c.path, got, c.status)
		}
	}
	resp, err := http.Get(s.srv.URL + "/no/such/page")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	// BSS: one refused and one accepted authentication, two enrollment
	// ids, a customer of two lines (one provisioned later, one now), a
	// spent token presented again and a call without a token.
	r := s.call(t, "POST", "/authenticate", "", fmt.Sprintf(`{"vendor_id":"ACMEVENDOR","username":"acmeapi","password":"wrong","pin":%s}`, vendorPin))
	if r.MsgCode != "RESTAPI001" {
		t.Fatalf("wrong password: %s", r.raw)
	}
	first := s.authenticate(t)
	e1, tok := s.enrollmentID(t, first)
	e2, tok := s.enrollmentID(t, tok)
	body := sampleWith(t, e1, e2)
	last := strings.LastIndex(body, `"activation_later": "Y"`)
	body = body[:last] + `"activation_later": "N"` + body[last+len(`"activation_later": "Y"`):]
	r = s.call(t, "POST", "/customer", tok, body)
	if r.MsgCode != "RESTAPI000" {
		t.Fatalf("create customer: %s", r.raw)
	}
	plan := `{"action":"plan_list","agent_id":"ewebsiteapi","source":"WEBSITE"}`
	if r := s.call(t, "POST", "/plan", first, plan); r.MsgCode != "RESTAPI001" {
		t.Fatalf("spent token: %s", r.raw)
	}
	if r := s.call(t, "POST", "/plan", "", plan); r.MsgCode != "RESTAPI001" {
		t.Fatalf("no token: %s", r.raw)
	}

	resp, err = http.Get(s.metrics + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("scrape: HTTP %d %s", resp.StatusCode, b)
	}
	got := string(b)
	const route = "/api/client/integration/virtualseries"
	want := []string{
		`allot_series_created_total{org_id="1"} 2`,
		`allot_numbers_drawn_total{org_id="1"} 5`,
		`allot_stock_remaining_numbers{item="P7WJEJANkt",org_id="1",owner="SL1981",owner_kind="customer"} 15`,
		`allot_stock_pairs 1`,
		`allot_org_info{org="ACME",org_id="1"} 1`,
		// authenticate, and each of the three calls that spent one
		`allot_bss_tokens_issued_total 4`,
		`allot_bss_tokens_consumed_total 3`,
		`allot_enrollment_lines_created_total{status="ATTACHED"} 1`,
		`allot_enrollment_lines_created_total{status="QUEUED"} 1`,
		// the queued line's provisioning job, no worker running here
		`allot_provisioning_queue_depth 1`,
		`allot_auth_failures_total{api="series",reason="NO_API_KEY"} 1`,
		`allot_auth_failures_total{api="series",reason="WRONG_API_KEY"} 2`,
		fmt.Sprintf(`allot_auth_failures_total{api="bss",reason=%q} 1`, enrollment.ReasonCredentials),
		fmt.Sprintf(`allot_auth_failures_total{api="bss",reason=%q} 1`, token.ReasonUsed),
		fmt.Sprintf(`allot_auth_failures_total{api="bss",reason=%q} 1`, token.ReasonInvalid),
		`allot_store_errors_total{code="unavailable"} 0`,
		`allot_store_errors_total{code="internal"} 0`,
		`allot_http_requests_total{method="POST",route="` + route + `/create",status="200"} 2`,
		`allot_http_requests_total{method="POST",route="` + route + `/create",status="400"} 1`,
		`allot_http_requests_total{method="POST",route="` + route + `/create",status="401"} 3`,
		`allot_http_requests_total{method="POST",route="` + route + `/next",status="200"} 2`,
		`allot_http_requests_total{method="DELETE",route="` + route + `/:id",status="404"} 1`,
		`allot_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`allot_http_requests_total{method="POST",route="/authenticate",status="200"} 2`,
		`allot_http_requests_total{method="POST",route="/customer",status="200"} 1`,
		`allot_http_request_duration_seconds_count{method="POST",route="` + route + `/create",status="200"} 2`,
		// SQLite: one writer connection and the read-only pool.
		`go_sql_max_open_connections{db_name="primary"} 1`,
		`go_sql_max_open_connections{db_name="read"} 4`,
	}
	have := map[string]bool{}
	for _, l := range strings.Split(got, "\n") {
		have[l] = true
	}
	for _, w := range want {
		if !have[w] {
			t.Errorf("missing %s", w)
		}
	}
	if strings.Contains(got, "4242") || strings.Contains(got, "V10000075") {
		t.Error("a raw path or query appears in the metrics")
	}
	if t.Failed() {
		t.Logf("scrape:\n%s", got)
	}
}

// TestMetricsListenerFailureStopsServe checks that a server whose metrics
// address cannot be had does not keep serving unwatched: Serve returns
// the listen error.
func TestMetricsListenerFailureStopsServe(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	done := make(chan error, 1)
	go func() {
		done <- command.Deps(os.Getenv, wire.Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}).Serve(context.Background(), cli.ServeConfig{
			DSN: "sqlite:" + filepath.Join(t.TempDir(), "allot.db"), Addr: "127.0.0.1:0", Migrate: true,
			MetricsAddr: taken.Addr().String(),
		})
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), taken.Addr().String()) {
			t.Fatalf("Serve = %v, want the metrics listen error", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Serve kept running without its metrics listener")
	}
}
