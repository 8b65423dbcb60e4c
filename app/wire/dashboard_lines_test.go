package wire_test

import (
	"context"
	"github.com/allot-io/allot/cmd/allot/command"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/allot-io/allot/adapters/bunstore"
	"github.com/allot-io/allot/adapters/carrier"
	"github.com/allot-io/allot/adapters/cli"
	"github.com/allot-io/allot/adapters/secret"
	"github.com/allot-io/allot/app/wire"
	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/ports"
)

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// TestDashboardLinesRetry serves the dashboard with the worker inside
// (`allot serve --work`) against a carrier simulator that rejects the
// line: the Lines page finds it by enrollment id, its page shows FAILED
// with the carrier's reason, and Retry (a POST with the session's CSRF
// token) queues it; the carrier now activating it, the line becomes
// ACTIVE with the first MDN of the stock, once.
func TestDashboardLinesRetry(t *testing.T) {
	path := filepath.Join(t.TempDir(), "allot.db")
	db := "sqlite:" + path
	t.Setenv(secret.EnvKey, strings.Repeat("ab", 32))
	fake := carrier.NewFake()
	fake.Answer = func(ports.CarrierRequest) ports.CarrierAnswer {
		return ports.CarrierAnswer{Kind: ports.AnswerRejected, Reason: "no coverage at 98103"}
	}
	sim := httptest.NewServer(&carrier.Simulator{Fake: fake, Secret: []byte("s3cret")})
	defer sim.Close()
	t.Setenv(wire.EnvCarrierURL, sim.URL)
	t.Setenv(wire.EnvCarrierSecret, "s3cret")

	cfg := wire.Config{Hasher: secret.NewTestHasher(), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	bg := context.Background()
	b, err := wire.Open(bg, db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Migrate(bg); err != nil {
		t.Fatal(err)
	}
	org, err := b.Services.Orgs.Create(bg, "ACME", "Acme")
	if err != nil {
		t.Fatal(err)
	}
	_, password, err := b.Services.Operators.Add(bg, org.ID, "ops@acme.test", "")
	if err != nil {
		t.Fatal(err)
	}
	_ = b.Close()
	id := queuedLine(t, db, "3125550100", "3125550109")
	key := enrollment.ActivationKey(int64(org.ID), id)

	ctx, stop := context.WithCancel(bg)
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- command.Deps(os.Getenv, cfg).Serve(ctx, cli.ServeConfig{DSN: db, Addr: "127.0.0.1:0", Work: true, Ready: func(a string) { addr <- a }})
	}()
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	var base string
	select {
	case a := <-addr:
		base = "http://" + a
	case err := <-done:
		t.Fatalf("serve: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not start")
	}
	watch, err := bunstore.Open(bg, db)
	if err != nil {
		t.Fatal(err)
	}
	defer watch.Close()
	waitStatus := func(want enrollment.LineStatus) ports.LineState {
		t.Helper()
		var st ports.LineState
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if st, err = watch.LineState(bg, org.ID, id); err == nil && st.Status == want {
				return st
			}
		}
		t.Fatalf("line %d is %s (%v), want %s", id, st.Status, err, want)
		return st
	}
	waitStatus(enrollment.StatusFailed)

	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	get := func(p string) string {
		t.Helper()
		resp, err := c.Get(base + p)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d\n%s", p, resp.StatusCode, body)
		}
		return string(body)
	}
	post := func(p string, form url.Values) string {
		t.Helper()
		resp, err := c.PostForm(base+p, form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("POST %s = %d\n%s", p, resp.StatusCode, body)
		}
		return string(body)
	}
	csrf := func(page string) string {
		t.Helper()
		m := csrfInput.FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no csrf field in\n%s", page)
		}
		return m[1]
	}
	post("/dashboard/signin", url.Values{"email": {"ops@acme.test"}, "password": {password}, "csrf": {csrf(get("/dashboard/signin"))}})

	list := get("/dashboard/lines?q=w1")
	sid := strconv.FormatInt(id, 10)
	for _, want := range []string{`id="line-` + sid + `"`, "W1", "FAILED"} {
		if !strings.Contains(list, want) {
			t.Fatalf("Lines page searched by enrollment id lacks %q:\n%s", want, list)
		}
	}
	page := get("/dashboard/lines/" + sid)
	if !strings.Contains(page, `<dd id="line-status">FAILED</dd>`) || !strings.Contains(page, "no coverage at 98103") {
		t.Fatalf("line page:\n%s", page)
	}
	// A retry without the session's token is refused.
	resp, err := c.PostForm(base+"/dashboard/lines/"+sid+"/retry", url.Values{"csrf": {"forged"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("forged retry: %d", resp.StatusCode)
	}
	// The carrier has fixed its side: the request under the line's key is
	// now active, as a carrier resolving a rejection reports it.
	fake.Set(key, ports.CarrierAnswer{Kind: ports.AnswerActive})
	after := post("/dashboard/lines/"+sid+"/retry", url.Values{"csrf": {csrf(page)}})
	if !strings.Contains(after, "Line queued for the carrier again.") {
		t.Fatalf("after retry:\n%s", after)
	}
	st := waitStatus(enrollment.StatusActive)
	if st.MDN != "3125550100" || fake.Activations(key) != 1 {
		t.Fatalf("line %+v activated %d times, want MDN 3125550100 once", st, fake.Activations(key))
	}
	if page := get("/dashboard/lines/" + sid); !strings.Contains(page, `<dd id="line-mdn">3125550100</dd>`) || !strings.Contains(page, "retried by an operator") {
		t.Fatalf("line page after activation:\n%s", page)
	}
	if list := get("/dashboard/lines?q=3125550100"); !strings.Contains(list, `id="line-`+sid+`"`) {
		t.Fatalf("Lines page searched by MDN:\n%s", list)
	}
}
