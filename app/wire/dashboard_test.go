package wire_test

import (
	"context"
	"github.com/allot-io/allot/cmd/allot/command"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/allot-io/allot/adapters/cli"
	"github.com/allot-io/allot/app/wire"
	"github.com/allot-io/allot/domain/fault"
)

// serveDashboard runs wire.Serve on a fresh SQLite file and returns its
// base URL.
func serveDashboard(t *testing.T) string {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- command.Deps(os.Getenv, wire.Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}).Serve(ctx, cli.ServeConfig{
			DSN: "sqlite:" + filepath.Join(t.TempDir(), "allot.db"), Addr: "127.0.0.1:0", Migrate: true,
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
		return "http://" + a
	case err := <-done:
		t.Fatalf("serve: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not start")
	}
	return ""
}

// TestServeMountsDashboard checks that `allot serve` serves the dashboard
// beside the API, and that ALLOT_SECURE_COOKIES marks its cookies Secure.
func TestServeMountsDashboard(t *testing.T) {
	for _, secure := range []string{"", "true"} {
		t.Setenv(wire.EnvSecureCookies, secure)
		base := serveDashboard(t)
		resp, err := http.Get(base + "/dashboard/signin")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `<label for="email">`) {
			t.Fatalf("GET /dashboard/signin = %d\n%s", resp.StatusCode, body)
		}
		var cookie *http.Cookie
		for _, c := range resp.Cookies() {
			cookie = c
		}
		if cookie == nil || cookie.Secure != (secure == "true") {
			t.Errorf("%s=%q: cookie %+v", wire.EnvSecureCookies, secure, cookie)
		}
		if resp.Header.Get("X-Request-ID") == "" {
			t.Error("the dashboard does not go through the API's middleware")
		}
	}
	// Mounted as a handler of its own, the dashboard answers its unknown
	// paths with its HTML page (on the API's engine they were the API's
	// JSON 404), and /dashboard without a slash still reaches it.
	base := serveDashboard(t)
	for path, want := range map[string]int{"/dashboard/nope": http.StatusNotFound, "/dashboard": http.StatusSeeOther, "/dashboard/": http.StatusSeeOther} {
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := c.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want || (want == http.StatusNotFound && !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html")) ||
			resp.Header.Get("X-Request-ID") == "" {
			t.Errorf("GET %s = %d %s (request id %q)\n%s", path, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("X-Request-ID"), body)
		}
	}
	if resp, err := http.Get(base + "/api/client/integration/virtualseries/nope"); err != nil || resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusNotFound {
		t.Errorf("the API beside the dashboard: %v %v", resp, err)
	}

	t.Setenv(wire.EnvSecureCookies, "maybe")
	err := command.Deps(os.Getenv, wire.Config{}).Serve(context.Background(), cli.ServeConfig{DSN: "sqlite:" + filepath.Join(t.TempDir(), "x.db"), Addr: "127.0.0.1:0"})
	if fault.CodeOf(err) != fault.Invalid {
		t.Errorf("a bad %s: %v", wire.EnvSecureCookies, err)
	}
}
