package wire_test

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/allot-io/allot/cmd/allot/command"
	"io"
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
	"github.com/allot-io/allot/domain/webhook"
)

// TestWebhookCommands runs `allot webhook add|list|deliveries|remove` on
// the embedded default: the secret is printed once, on stdout alone; a
// loopback URL is refused without --allow-private and taken with it; a
// bad event is refused naming it; the list never shows the secret.
func TestWebhookCommands(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "allot.db")
	t.Setenv(secret.EnvKey, strings.Repeat("cd", 32))
	deps := command.Deps(os.Getenv, wire.Config{Hasher: secret.NewTestHasher()})
	run := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		deps.Stdout, deps.Stderr = &out, &errOut
		code := cli.Run(context.Background(), deps, append([]string{"allot"}, args...))
		return code, out.String(), errOut.String()
	}
	if code, _, e := run("org", "create", "--db", db, "ACME"); code != 0 {
		t.Fatalf("org create: %s", e)
	}
	code, _, e := run("webhook", "add", "--db", db, "--org", "ACME", "--url", "http://127.0.0.1:8080/hook", "--events", "line.activated")
	if code == 0 || !strings.Contains(e, "--allow-private") {
		t.Fatalf("loopback without --allow-private: exit %d, %s", code, e)
	}
	code, _, e = run("webhook", "add", "--db", db, "--org", "ACME", "--url", "https://hooks.example.com/x", "--events", "line.activated,line.deleted")
	if code == 0 || !strings.Contains(e, "line.deleted") {
		t.Fatalf("unknown event: exit %d, %s", code, e)
	}
	code, out, e := run("webhook", "add", "--db", db, "--org", "ACME", "--url", "http://127.0.0.1:8080/hook", "--events", "line.activated, port.status_changed", "--allow-private")
	secretOut := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(secretOut, "whsec_") || len(secretOut) != len("whsec_")+64 || !strings.Contains(e, "shown only this once") {
		t.Fatalf("add: exit %d, stdout %q, stderr %s", code, out, e)
	}
	code, out, e = run("webhook", "list", "--db", db, "--org", "ACME", "--json")
	var list []struct {
		ID           int64    `json:"id"`
		URL          string   `json:"url"`
		Events       []string `json:"events"`
		AllowPrivate bool     `json:"allow_private"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil || len(list) != 1 || list[0].URL != "http://127.0.0.1:8080/hook" ||
		strings.Join(list[0].Events, ",") != "line.activated,port.status_changed" || !list[0].AllowPrivate || strings.Contains(out, secretOut) {
		t.Fatalf("list: exit %d, %s %s", code, out, e)
	}
	if code, out, e := run("webhook", "deliveries", "--db", db, "--org", "ACME"); code != 0 || !strings.Contains(out, "ATTEMPTS") {
		t.Fatalf("deliveries: exit %d, %s %s", code, out, e)
	}
	if code, out, e := run("webhook", "remove", "--db", db, "--org", "ACME", "1"); code != 0 || !strings.Contains(out, "removed") {
		t.Fatalf("remove: exit %d, %s %s", code, out, e)
	}
	if code, _, e := run("webhook", "remove", "--db", db, "--org", "ACME", "1"); code == 0 || !strings.Contains(e, "not found") {
		t.Fatalf("remove again: exit %d, %s", code, e)
	}
}

// TestWorkDeliversWebhooks runs the composition end to end: `allot work`
// provisions a queued line at the simulator and delivers the
// line.activated its activation raised to a receiver that verifies the
// signature with the secret `webhook add` printed.
func TestWorkDeliversWebhooks(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "allot.db")
	t.Setenv(secret.EnvKey, strings.Repeat("cd", 32))
	deps := command.Deps(os.Getenv, wire.Config{Hasher: secret.NewTestHasher()})
	var out, errOut bytes.Buffer
	run := func(ctx context.Context, args ...string) int {
		out.Reset()
		errOut.Reset()
		deps.Stdout, deps.Stderr = &out, &errOut
		return cli.Run(ctx, deps, append([]string{"allot"}, args...))
	}
	if run(context.Background(), "org", "create", "--db", db, "ACME") != 0 {
		t.Fatalf("org create: %s", errOut.String())
	}
	got := make(chan string, 4)
	var key []byte
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := webhook.Verify(key, r.Header.Get(webhook.SignatureHeader), r.Header.Get(webhook.TimestampHeader), body, time.Now()); err != nil {
			got <- "refused: " + err.Error()
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		got <- string(body)
	}))
	defer recv.Close()
	if run(context.Background(), "webhook", "add", "--db", db, "--org", "ACME", "--url", recv.URL, "--events", "line.activated", "--allow-private") != 0 {
		t.Fatalf("webhook add: %s", errOut.String())
	}
	key = []byte(strings.TrimSpace(out.String()))
	queuedLine(t, db, "3125550100", "3125550109")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		var o bytes.Buffer
		d := deps
		d.Stdout, d.Stderr = &o, &o
		done <- cli.Run(ctx, d, []string{"allot", "work", "--db", db, "--poll", "20ms"})
	}()
	var body string
	select {
	case body = <-got:
	case <-time.After(30 * time.Second):
	}
	cancel()
	<-done
	if !strings.Contains(body, `"type":"line.activated"`) || !strings.Contains(body, `"mdn":"3125550100"`) {
		t.Fatalf("the receiver got %q", body)
	}
}
