package metrics_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/allot-io/allot/adapters/metrics"
	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// stock is a ports.StockReader answering levels, or err.
type stock struct {
	levels []ports.StockLevel
	total  int
	err    error
	limit  int
}

func (s *stock) LowestStock(_ context.Context, limit int) ([]ports.StockLevel, int, error) {
	s.limit = limit
	return s.levels, s.total, s.err
}

// orgs is a ports.OrgStore that only lists.
type orgs struct {
	ports.OrgStore
	list []tenant.Organisation
}

func (o orgs) ListOrgs(context.Context) ([]tenant.Organisation, error) { return o.list, nil }

// scrape returns the text exposition the handler serves.
func scrape(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("scrape: HTTP %d %s", resp.StatusCode, b)
	}
	return string(b)
}

// wantLines fails t for every line of want missing from the exposition.
func wantLines(t *testing.T, got string, want ...string) {
	t.Helper()
	have := map[string]bool{}
	for _, l := range strings.Split(got, "\n") {
		have[l] = true
	}
	for _, w := range want {
		if !have[w] {
			t.Errorf("missing %q", w)
		}
	}
	if t.Failed() {
		t.Logf("exposition:\n%s", got)
	}
}

func TestEventsAndRequestsAreExported(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	st := &stock{total: 7, levels: []ports.StockLevel{
		{Org: 3, Owner: series.Owner{Kind: series.Customer, Code: "SL1981"}, ItemCode: "P7", Remaining: 0},
		{Org: 3, Owner: series.Owner{Kind: series.Hub, Code: "BF074"}, ItemCode: "P7", Remaining: 42},
	}}
	if err := m.WatchStock(st, 2); err != nil {
		t.Fatal(err)
	}
	if err := m.WatchOrgs(orgs{list: []tenant.Organisation{{ID: 3, Code: "ACME"}, {ID: 4, Code: "BETA"}}}); err != nil {
		t.Fatal(err)
	}
	m.SeriesCreated(3)
	m.SeriesCreated(3)
	m.SeriesCreated(4)
	m.NumbersDrawn(3, 10)
	m.NumbersDrawn(3, 5)
	m.NumbersConsumed(3, 4)
	m.TokenIssued()
	m.TokenIssued()
	m.TokenConsumed()
	m.AuthFailed(ports.AuthSeries, "WRONG_API_KEY")
	m.AuthFailed(ports.AuthSeries, "WRONG_API_KEY")
	m.AuthFailed(ports.AuthBSS, "TOKEN_USED")
	m.EnrollmentLineCreated(enrollment.StatusQueued)
	m.StoreError(fault.Unavailable)

	gin.SetMode(gin.TestMode)
	e := gin.New()
	e.Use(m.Middleware())
	e.GET("/series/:id", func(c *gin.Context) { c.Status(http.StatusNoContent) })
	e.POST("/boom", func(c *gin.Context) { c.Status(http.StatusInternalServerError) })
	for _, r := range []struct{ method, path string }{
		{"GET", "/series/1"}, {"GET", "/series/2"}, {"GET", "/series/3"},
		{"POST", "/boom"},
		{"GET", "/no/such/path/12345"}, {"BREW", "/series/1"},
	} {
		e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(r.method, r.path, nil))
	}

	got := scrape(t, m.Handler(nil))
	wantLines(t, got,
		`allot_series_created_total{org_id="3"} 2`,
		`allot_series_created_total{org_id="4"} 1`,
		`allot_numbers_drawn_total{org_id="3"} 15`,
		`allot_numbers_consumed_total{org_id="3"} 4`,
		`allot_bss_tokens_issued_total 2`,
		`allot_bss_tokens_consumed_total 1`,
		`allot_auth_failures_total{api="series",reason="WRONG_API_KEY"} 2`,
		`allot_auth_failures_total{api="bss",reason="TOKEN_USED"} 1`,
		`allot_enrollment_lines_created_total{status="QUEUED"} 1`,
		`allot_enrollment_lines_created_total{status="ATTACHED"} 0`,
		`allot_store_errors_total{code="unavailable"} 1`,
		`allot_store_errors_total{code="internal"} 0`,
		// The route template, never the raw path.
		`allot_http_requests_total{method="GET",route="/series/:id",status="204"} 3`,
		`allot_http_requests_total{method="POST",route="/boom",status="500"} 1`,
		`allot_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`allot_http_requests_total{method="OTHER",route="unmatched",status="404"} 1`,
		`allot_http_request_duration_seconds_count{method="GET",route="/series/:id",status="204"} 3`,
		`allot_stock_remaining_numbers{item="P7",org_id="3",owner="SL1981",owner_kind="customer"} 0`,
		`allot_stock_remaining_numbers{item="P7",org_id="3",owner="BF074",owner_kind="hub"} 42`,
		`allot_stock_pairs 7`,
		`allot_org_info{org="ACME",org_id="3"} 1`,
		`allot_org_info{org="BETA",org_id="4"} 1`,
	)
	if strings.Contains(got, "/series/1") || strings.Contains(got, "12345") {
		t.Error("a raw path appears in the metrics")
	}
	if !strings.Contains(got, "go_goroutines ") || !strings.Contains(got, "process_") {
		t.Error("the Go runtime and process collectors are missing")
	}
	if st.limit != 2 {
		t.Errorf("stock read with limit %d, want 2", st.limit)
	}
}

// TestFailingStockReadKeepsTheRest checks that a scrape while the stock
// query fails still serves every other metric.
func TestFailingStockReadKeepsTheRest(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	if err := m.WatchStock(&stock{err: errors.New("database down")}, 0); err != nil {
		t.Fatal(err)
	}
	m.StoreError(fault.Internal)
	got := scrape(t, m.Handler(nil))
	wantLines(t, got, `allot_store_errors_total{code="internal"} 1`)
	// The failure itself is counted, for an alert, on the next scrape.
	wantLines(t, scrape(t, m.Handler(nil)), `promhttp_metric_handler_errors_total{cause="gathering"} 1`)
	if strings.Contains(got, "allot_stock_") {
		t.Errorf("stock metrics served although the read failed:\n%s", got)
	}
}

// TestRegistriesAreApart checks that two servers in one process count
// apart: nothing is registered globally.
func TestRegistriesAreApart(t *testing.T) {
	a, b := metrics.New(prometheus.NewRegistry()), metrics.New(prometheus.NewRegistry())
	a.TokenIssued()
	wantLines(t, scrape(t, a.Handler(nil)), `allot_bss_tokens_issued_total 1`)
	wantLines(t, scrape(t, b.Handler(nil)), `allot_bss_tokens_issued_total 0`)
}

// backlog is a ports.QueueReader answering level, or err.
type backlog struct {
	level ports.QueueLevel
	err   error
}

func (b backlog) ProvisioningBacklog(context.Context) (ports.QueueLevel, error) {
	return b.level, b.err
}

// TestProvisioningQueueExported: the queue's depth and the age of its
// oldest job are read at each scrape; a failing read leaves them out and
// the rest is still served.
func TestProvisioningQueueExported(t *testing.T) {
	m := metrics.New(prometheus.NewRegistry())
	if err := m.WatchQueue(backlog{level: ports.QueueLevel{Depth: 7, OldestAge: 90 * time.Second}}); err != nil {
		t.Fatal(err)
	}
	out := scrape(t, m.Handler(nil))
	for _, want := range []string{"allot_provisioning_queue_depth 7\n", "allot_provisioning_queue_oldest_seconds 90\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("scrape lacks %q:\n%s", want, out)
		}
	}
	failing := metrics.New(prometheus.NewRegistry())
	if err := failing.WatchQueue(backlog{err: errors.New("database down")}); err != nil {
		t.Fatal(err)
	}
	if out := scrape(t, failing.Handler(nil)); strings.Contains(out, "allot_provisioning_queue_depth") || !strings.Contains(out, "go_goroutines") {
		t.Errorf("a failing queue read: %s", out)
	}
}
