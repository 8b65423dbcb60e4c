package browser

import (
	"bytes"
	"context"
	"fmt"
	"github.com/allot-io/allot/cmd/allot/command"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/allot-io/allot/adapters/bunstore"
	"github.com/allot-io/allot/adapters/carrier"
	"github.com/allot-io/allot/adapters/cli"
	"github.com/allot-io/allot/app/wire"
	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// artifacts is where the screenshots go, relative to this package.
const artifacts = "../artifacts/browser"

// syncBuffer collects the server's log, written from its goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// chromium returns the path of the browser, skipping the test when there
// is none, or failing it under CI, where .ci/run installs it.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed; CI must install Debian's chromium package (.ci/run does)")
	}
	t.Skip("chromium is not installed (apt-get install --no-install-recommends chromium); skipping the browser test")
	return ""
}

// fixture is the seeded data and the running server.
type fixture struct {
	url      string
	email    string
	password string
	// lines watches the enrollment's lines; carrier is the simulator
	// the server provisions them at; failing is the line it rejects.
	lines   *bunstore.Store
	org     tenant.OrgID
	carrier *carrier.Fake
	failing int64
	active  int64
}

// serve seeds an SQLite file through the real use cases and serves it with
// wire.Serve, the code behind `allot serve`, on a free loopback port.
func serve(t *testing.T, log *slog.Logger) fixture {
	t.Helper()
	ctx := context.Background()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "allot.db")
	cfg := wire.Config{Log: log}
	b, err := wire.Open(ctx, dsn, cfg)
	if err != nil {
		t.Fatal(err)
	}
	svc := b.Services
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	org, err := svc.Orgs.Create(ctx, "ACME", "Acme Logistics")
	must(err)
	for _, c := range [][2]string{{"SL1981", "Sample Customer"}, {"GL438", "Global Freight"}} {
		_, err = svc.Customers.Add(ctx, org.ID, c[0], c[1])
		must(err)
	}
	for _, st := range [][2]string{{"EXPRESS", "Express"}, {"ECONOMY", "Economy"}} {
		_, err = svc.ServiceTypes.Add(ctx, org.ID, st[0], st[1])
		must(err)
	}
	_, password, err := svc.Operators.Add(ctx, org.ID, "ops@acme.test", "")
	must(err)
	// Another organisation with a customer that matches the search: the
	// operator of ACME must never see it.
	other, err := svc.Orgs.Create(ctx, "OTHER", "Other Org")
	must(err)
	_, err = svc.Customers.Add(ctx, other.ID, "SAMPLE9", "Sample Of Other Org")
	must(err)
	must(b.Close())
	fake, active, failing := enrollLines(t, dsn, org.ID)

	sctx, stop := context.WithCancel(ctx)
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- command.Deps(os.Getenv, cfg).Serve(sctx, cli.ServeConfig{
			DSN: dsn, Addr: "127.0.0.1:0", Migrate: true, Work: true,
			Ready: func(a string) { addr <- a },
		})
	}()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	select {
	case a := <-addr:
		watch, err := bunstore.Open(ctx, dsn)
		must(err)
		t.Cleanup(func() { watch.Close() })
		return fixture{url: "http://" + a, email: "ops@acme.test", password: password,
			lines: watch, org: org.ID, carrier: fake, failing: failing, active: active}
	case err := <-done:
		t.Fatalf("serve: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not start within 30s")
	}
	return fixture{}
}

// enrollLines writes, through the store of dsn, an MDN series for carrier
// TMB and an enrollment of two queued lines, BROWSER1 and BROWSER2, and
// points the server at a carrier simulator (ALLOT_CARRIER_URL) that
// activates the first and rejects the second, and returns it and their
// customer ids.
func enrollLines(t *testing.T, dsn string, org tenant.OrgID) (fake *carrier.Fake, active, failing int64) {
	t.Helper()
	ctx := context.Background()
	s, err := bunstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.InsertSeries(ctx, org, series.Series{Owner: enrollment.MDNStock("TMB"), Type: series.Virtual,
		Range: series.MustParseRange("2065550100", "2065550199"), ItemCode: enrollment.MDNItemCode}); err != nil {
		t.Fatal(err)
	}
	ids := []string{"BROWSER1", "BROWSER2"}
	in := enrollment.RequestInput{Action: enrollment.ActionCreate, ParentEnrollmentID: ids[0], AgentID: "agent", Source: "WEBSITE"}
	for i, id := range ids {
		if err := s.IssueEnrollmentID(ctx, org, ports.IssuedEnrollmentID{ID: id, Zip: "98103", AgentID: "agent"}); err != nil {
			t.Fatal(err)
		}
		in.Lines = append(in.Lines, enrollment.LineInput{EnrollmentID: id, FirstName: []string{"Ann", "Bo"}[i], LastName: "Lee",
			AlternatePhoneNumber: "1561651651", Email: "lee@example.com",
			ServiceAddressOne: "112 N 41ST ST", ServiceCity: "SEATTLE", ServiceState: "WA", ServiceZip: "98103",
			PlanID: "1828", Carrier: "TMB", ActivationType: "NEWACTIVATION", EnrollmentType: "SHIPMENT", ActivationLater: "N"})
	}
	req, err := enrollment.Validate(in, enrollment.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	var lines []ports.NewLine
	for _, l := range req.Lines() {
		lines = append(lines, ports.NewLine{Line: l})
	}
	_, recs, err := s.CreateEnrollment(ctx, org, ports.NewEnrollment{ParentEnrollmentID: ids[0], AgentID: "agent", Source: "WEBSITE", Lines: lines})
	if err != nil {
		t.Fatal(err)
	}
	active, failing = recs[0].CustomerID, recs[1].CustomerID
	fake = carrier.NewFake()
	fake.Answer = func(r ports.CarrierRequest) ports.CarrierAnswer {
		if r.Line.CustomerID == failing {
			return ports.CarrierAnswer{Kind: ports.AnswerRejected, Reason: "no coverage at 98103"}
		}
		return ports.CarrierAnswer{Kind: ports.AnswerActive}
	}
	sim := httptest.NewServer(&carrier.Simulator{Fake: fake, Secret: []byte("browser-secret")})
	t.Cleanup(sim.Close)
	t.Setenv(wire.EnvCarrierURL, sim.URL)
	t.Setenv(wire.EnvCarrierSecret, "browser-secret")
	return fake, active, failing
}

// waitLine waits until line id of f is in status want.
func (f fixture) waitLine(t *testing.T, id int64, want enrollment.LineStatus) {
	t.Helper()
	var st ports.LineState
	var err error
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if st, err = f.lines.LineState(context.Background(), f.org, id); err == nil && st.Status == want {
			return
		}
	}
	t.Fatalf("line %d is %s (%v), want %s", id, st.Status, err, want)
}

// TestDashboardInChromium walks the operator's whole path in a real
// browser and saves a screenshot of every step.
func TestDashboardInChromium(t *testing.T) {
	exe := chromium(t)
	logs := &syncBuffer{}
	f := serve(t, slog.New(slog.NewTextHandler(logs, nil)))
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})

	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	old, _ := filepath.Glob(filepath.Join(artifacts, "*.png"))
	for _, p := range old {
		_ = os.Remove(p)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		// CI runs as root in a container, where Chromium's sandbox cannot
		// start; the pages come from our own server on loopback.
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("no-proxy-server", true),
	)
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()

	n := 0
	var shots []string
	// step runs actions, then saves a full-page screenshot named after
	// the step; on failure it saves what the browser shows and stops.
	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bctx, actions...); err != nil {
			png, _ := chromedp.Run(bctx, chromedp.FullScreenshot(100))
			_ = os.WriteFile(filepath.Join(artifacts, "failed-"+name+".png"), png, 0o644)
			html, _ := chromedp.Run(bctx, chromedp.OuterHTML(chromedp.CSS("html")))
			t.Fatalf("step %s: %v\npage:\n%s", name, err, html)
		}
		n++
		png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot of %s: %v", name, err)
		}
		file := fmt.Sprintf("%02d-%s.png", n, name)
		if err := os.WriteFile(filepath.Join(artifacts, file), png, 0o644); err != nil {
			t.Fatal(err)
		}
		shots = append(shots, file)
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}
	value := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Value(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("value of %s: %v", sel, err)
		}
		return s
	}
	eval := func(js string) bool {
		t.Helper()
		ok, err := chromedp.Run(bctx, chromedp.Evaluate[bool](js))
		if err != nil {
			t.Fatalf("evaluate %s: %v", js, err)
		}
		return ok
	}
	wantContains := func(what, got string, parts ...string) {
		t.Helper()
		for _, p := range parts {
			if !strings.Contains(got, p) {
				t.Errorf("%s = %q, want it to contain %q", what, got, p)
			}
		}
	}
	poll := func(js string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Poll[bool](js, chromedp.WithPollingTimeout(20*time.Second))(ctx, tg)
			return err
		})
	}

	// 1. The dashboard sends a signed-out visitor to sign in.
	step("sign-in",
		chromedp.Navigate(f.url+"/dashboard"),
		chromedp.WaitVisible(chromedp.ID("email")),
	)

	// 2. Sign in: Customer Management.
	step("customer-management",
		chromedp.SendKeys(chromedp.ID("email"), f.email),
		chromedp.SendKeys(chromedp.ID("password"), f.password),
		chromedp.Click(chromedp.ID("sign-in")),
		chromedp.WaitVisible(chromedp.ID("q")),
	)
	wantContains("heading", text("h1"), "Customer Management")
	wantContains("customers", text("#customers"), "SL1981", "GL438")

	// 3. Search a customer by name: only ACME's match.
	step("search-customer",
		chromedp.SendKeys(chromedp.ID("q"), "sample"),
		chromedp.Click(chromedp.ID("search")),
		chromedp.WaitNotPresent(chromedp.ID("virtual-series-GL438")),
		chromedp.WaitVisible(chromedp.ID("virtual-series-SL1981")),
	)
	if got := text("#customers tbody"); strings.Contains(got, "SAMPLE9") || strings.Contains(got, "GL438") {
		t.Errorf("search results %q show a customer of another organisation or one not matching", got)
	}

	// 4. Open the customer's Virtual Series Allotment screen.
	step("allotment-screen",
		chromedp.Click(chromedp.ID("virtual-series-SL1981")),
		chromedp.WaitVisible(chromedp.ID("allot-form")),
	)
	wantContains("heading", text("h1"), "Virtual Series Allotment")
	wantContains("customer", text("#customer-code"), "SL1981")

	// 5. Fill the form: the count appears as soon as start and end are
	// valid, before anything is submitted.
	step("count-shown",
		chromedp.Click(chromedp.CSS(`#service_types option[value="EXPRESS"]`)),
		chromedp.SendKeys(chromedp.ID("start"), "V10000051"),
		chromedp.SendKeys(chromedp.ID("end"), "V10000060"),
		poll(`document.getElementById("count").textContent === "10"`),
		chromedp.SendKeys(chromedp.ID("item_code"), "P7WJEJANkt"),
	)
	if !eval(`document.querySelector('#service_types option[value="EXPRESS"]').selected`) {
		t.Fatal("the service type EXPRESS is not selected")
	}

	// 6. Add series: the notification and the new row with its count.
	step("series-added",
		chromedp.Click(chromedp.ID("add-series")),
		chromedp.WaitVisible(chromedp.ID("notice")),
		chromedp.WaitVisible(chromedp.CSS("#series tr.new")),
	)
	if got := text("#notice"); got != "Series added successfully" {
		t.Errorf("notification = %q", got)
	}
	row := text("#series tr.new")
	wantContains("new row", row, "EXPRESS", "V10000051", "V10000060", "P7WJEJANkt", "virtual", time.Now().UTC().Format("2006-01-02"))
	if got := text("#series tr.new .count-cell"); got != "10" {
		t.Errorf("count of the new row = %q, want 10", got)
	}

	// 7. An overlapping series: the error beside the range, the input
	// kept, and the count recomputed by the server after submit.
	step("overlap-error",
		chromedp.SendKeys(chromedp.ID("start"), "V10000055"),
		chromedp.SendKeys(chromedp.ID("end"), "V10000070"),
		chromedp.SendKeys(chromedp.ID("item_code"), "P7WJEJANkt"),
		chromedp.Click(chromedp.ID("add-series")),
		chromedp.WaitVisible(chromedp.ID("range-error")),
	)
	wantContains("overlap error", text("#range-error"), "overlaps existing series V10000051-V10000060")
	if s, e, i := value("#start"), value("#end"), value("#item_code"); s != "V10000055" || e != "V10000070" || i != "P7WJEJANkt" {
		t.Errorf("the form lost its input: start %q end %q item code %q", s, e, i)
	}
	if got := text("#count"); got != "16" {
		t.Errorf("count after submit = %q, want 16", got)
	}
	if rows, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll("#series tbody tr").length`)); err != nil || rows != 1 {
		t.Errorf("the table has %d rows (%v), want only the first series", rows, err)
	}

	// 8. Readable at phone width: the table becomes a card per series,
	// and nothing is wider than the screen.
	step("phone-width",
		chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile),
		chromedp.Navigate(f.url+"/dashboard/customers/SL1981/series"),
		chromedp.WaitVisible(chromedp.CSS("#series tbody tr")),
	)
	if !eval(`document.documentElement.scrollWidth <= window.innerWidth`) {
		w, _ := chromedp.Run(bctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		t.Errorf("at 375px the page is %dpx wide", w)
	}
	if err := chromedp.Do(bctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatal(err)
	}

	// 9. Delete the series: a confirmation first.
	step("delete-confirmation",
		chromedp.Click(chromedp.CSS(`#series button[name="one"]`)),
		chromedp.WaitVisible(chromedp.ID("confirm-delete")),
	)
	wantContains("confirmation", text("#confirm-list"), "V10000051 – V10000060")

	// 10. Confirmed: gone.
	step("series-deleted",
		chromedp.Click(chromedp.ID("confirm-delete")),
		chromedp.WaitVisible(chromedp.ID("no-series")),
	)
	if got := text("#notice"); got != "Series deleted successfully" {
		t.Errorf("notification = %q", got)
	}

	// 11. Enrollments and lines: the worker has provisioned both lines,
	// the carrier rejecting one; a search by enrollment id finds it.
	f.waitLine(t, f.failing, enrollment.StatusFailed)
	failing := strconv.FormatInt(f.failing, 10)
	step("lines",
		chromedp.Click(chromedp.CSS(`nav a[href="/dashboard/lines"]`)),
		chromedp.WaitVisible(chromedp.ID("lines")),
	)
	wantContains("lines", text("#lines"), "BROWSER1", "BROWSER2", "ACTIVE", "FAILED", "2065550100")
	step("lines-search",
		chromedp.SendKeys(chromedp.ID("q"), "browser2"),
		chromedp.Click(chromedp.ID("search")),
		chromedp.WaitNotPresent(chromedp.ID("line-"+strconv.FormatInt(f.active, 10))),
		chromedp.WaitVisible(chromedp.ID("line-"+failing)),
	)
	if got := text("#lines tbody"); strings.Contains(got, "BROWSER1") {
		t.Errorf("search for browser2 lists %q", got)
	}

	// 12. The failed line: its status, the carrier's reason in its
	// history, and Retry and Cancel.
	step("failed-line",
		chromedp.Click(chromedp.ID("open-"+failing)),
		chromedp.WaitVisible(chromedp.ID("retry")),
	)
	wantContains("status", text("#line-status"), "FAILED")
	wantContains("history", text("#history"), "rejected by the carrier: no coverage at 98103")
	if !eval(`document.getElementById("cancel") !== null`) {
		t.Error("a FAILED line offers no Cancel")
	}

	// 13. The carrier has fixed its side; Retry queues the line again and
	// the worker activates it, with the next MDN of the stock.
	f.carrier.Set(enrollment.ActivationKey(int64(f.org), f.failing), ports.CarrierAnswer{Kind: ports.AnswerActive})
	step("line-retried",
		chromedp.Click(chromedp.ID("retry")),
		chromedp.WaitVisible(chromedp.ID("notice")),
	)
	wantContains("notice", text("#notice"), "Line queued for the carrier again.")
	f.waitLine(t, f.failing, enrollment.StatusActive)
	step("line-active",
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.ID("line-mdn")),
	)
	wantContains("status", text("#line-status"), "ACTIVE")
	wantContains("MDN", text("#line-mdn"), "2065550101")
	wantContains("history", text("#history"), "retried by an operator", "active with MDN 2065550101")
	if n := f.carrier.Activations(enrollment.ActivationKey(int64(f.org), f.failing)); n != 1 {
		t.Errorf("the retried line was activated %d times at the carrier", n)
	}

	// 14. Sign out: the session is over.
	step("signed-out",
		chromedp.Click(chromedp.ID("sign-out")),
		chromedp.WaitVisible(chromedp.ID("email")),
	)
	wantContains("notice", text("#notice"), "You have signed out")
	if err := chromedp.Do(bctx, chromedp.Navigate(f.url+"/dashboard/customers")); err != nil {
		t.Fatal(err)
	}
	if got, _ := chromedp.Run(bctx, chromedp.Location()); !strings.HasSuffix(got, "/dashboard/signin") {
		t.Errorf("after sign-out /dashboard/customers is at %s, want the sign-in page", got)
	}

	t.Logf("screenshots in integration/artifacts/browser: %s", strings.Join(shots, ", "))
}
