package wire_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/allot-io/allot/adapters/dashboard"
	"github.com/allot-io/allot/app/wire"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/ports"
)

// TestDashboardNumberForm signs an operator in to the real dashboard over
// SQLite, consumes and voids numbers with the allotment screen's form, is
// refused a second consume, and reads the series' history on the screen:
// every change by the operator, the create included.
func TestDashboardNumberForm(t *testing.T) {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	b, err := wire.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "allot.db"), wire.Config{Log: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	if err := b.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	org, err := b.Services.Orgs.Create(ctx, "ACME", "Acme")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Services.Customers.Add(ctx, org.ID, "SL1981", "Sample"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.Services.Operators.Add(ctx, org.ID, "ops@acme.test", "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	sr, err := b.Services.Series.Create(ports.WithActor(ctx, "cli:setup"), org.ID, series.Spec{Start: "V10000071", End: "V10000080", ClientCode: "SL1981", ItemCode: "AWB", Type: "physical"})
	if err != nil {
		t.Fatal(err)
	}
	gin.SetMode(gin.TestMode)
	e := gin.New()
	dashboard.New(dashboard.Config{}, b.Services, log).Register(e)
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	do := func(method, path string, form url.Values) (int, string) {
		t.Helper()
		var resp *http.Response
		var err error
		if form == nil {
			resp, err = client.Get(srv.URL + path)
		} else {
			resp, err = client.PostForm(srv.URL+path, form)
		}
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	csrf := func(body string) string {
		t.Helper()
		m := csrfInput.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no csrf field in:\n%s", body)
		}
		return m[1]
	}
	_, page := do(http.MethodGet, "/dashboard/signin", nil)
	if status, page := do(http.MethodPost, "/dashboard/signin", url.Values{"email": {"ops@acme.test"}, "password": {"correct horse battery"}, "csrf": {csrf(page)}}); status != 200 || !strings.Contains(page, "Customer Management") {
		t.Fatalf("sign in: %d\n%s", status, page)
	}
	screen := "/dashboard/customers/SL1981/series"
	_, page = do(http.MethodGet, screen, nil)
	tok := csrf(page)

	status, page := do(http.MethodPost, screen+"/numbers", url.Values{"csrf": {tok}, "op": {"consume"}, "numbers": {"V10000075\r\nV10000071"}, "reference": {"SCAN-1"}})
	if status != 200 || !strings.Contains(page, "2 numbers consumed") || !strings.Contains(page, `data-label="Used" class="num">2<`) {
		t.Fatalf("consume: %d\n%s", status, page)
	}
	status, page = do(http.MethodPost, screen+"/numbers", url.Values{"csrf": {tok}, "op": {"void"}, "range_start": {"V10000072"}, "range_end": {"V10000073"}, "reference": {"torn"}})
	if status != 200 || !strings.Contains(page, "2 numbers voided") || !strings.Contains(page, `data-label="Void" class="num">2<`) {
		t.Fatalf("void: %d\n%s", status, page)
	}
	status, page = do(http.MethodPost, screen+"/numbers", url.Values{"csrf": {tok}, "op": {"consume"}, "numbers": {"V10000075 V10000072"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(page, "number V10000075 is already used") || !strings.Contains(page, "number V10000072 is void") ||
		!strings.Contains(page, ">V10000075 V10000072</textarea>") {
		t.Fatalf("refused consume: %d\n%s", status, page)
	}

	status, page = do(http.MethodGet, screen+"?history="+jsonNum(float64(sr.ID)), nil)
	for _, want := range []string{`<td data-label="Who">cli:setup</td>`, `<td data-label="What">create</td>`,
		`<td data-label="Who">operator:ops@acme.test</td>`, `<td data-label="Reference">SCAN-1</td>`, `<td data-label="What">void</td>`} {
		if status != 200 || !strings.Contains(page, want) {
			t.Fatalf("history lacks %q: %d\n%s", want, status, page)
		}
	}
	if strings.Count(page, `<td data-label="What">consume</td>`) != 2 {
		t.Fatalf("history shows %d consume entries, want one per run of the 2 numbers", strings.Count(page, `<td data-label="What">consume</td>`))
	}

	// A series deleted from the screen is recorded as the operator's.
	other, err := b.Services.Series.Create(ctx, org.ID, series.Spec{Start: "W1", End: "W5", ClientCode: "SL1981", ItemCode: "AWB"})
	if err != nil {
		t.Fatal(err)
	}
	if status, page = do(http.MethodPost, screen+"/delete", url.Values{"csrf": {tok}, "selected": {jsonNum(float64(other.ID))}, "confirm": {"yes"}}); status != 200 || !strings.Contains(page, "Series deleted successfully") {
		t.Fatalf("delete: %d\n%s", status, page)
	}
	hist, err := b.Services.Numbers.History(ctx, org.ID, ports.HistoryQuery{SeriesID: other.ID})
	if err != nil || hist.Total != 2 || hist.Items[1].Action != series.ActionDelete || hist.Items[1].Actor != "operator:ops@acme.test" {
		t.Fatalf("history of the deleted series = %+v, %v", hist, err)
	}
}
