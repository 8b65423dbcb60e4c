package main

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestProgramMetrics starts the real binary with ALLOT_METRICS_ADDR and
// checks that /metrics is served on that listener, apart from the API,
// counting a request the API answered.
func TestProgramMetrics(t *testing.T) {
	bin := buildBinary(t)
	db := "sqlite:" + filepath.Join(t.TempDir(), "allot.db")
	serve := exec.Command(bin, "serve", "--addr", "127.0.0.1:0")
	serve.Env = append(os.Environ(), "ALLOT_DB="+db, "ALLOT_METRICS_ADDR=127.0.0.1:0")
	stderr, err := serve.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	defer serve.Process.Kill()
	api, metrics := make(chan string, 1), make(chan string, 1)
	scanDone := make(chan struct{})
	go func() {
		defer close(scanDone)
		apiRe := regexp.MustCompile(`serving on (http://\S+)`)
		metricsRe := regexp.MustCompile(`metrics on (http://\S+)`)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := apiRe.FindStringSubmatch(sc.Text()); m != nil {
				api <- m[1]
			}
			if m := metricsRe.FindStringSubmatch(sc.Text()); m != nil {
				metrics <- m[1]
			}
		}
	}()
	var base, scrape string
	for base == "" || scrape == "" {
		select {
		case base = <-api:
		case scrape = <-metrics:
		case <-time.After(20 * time.Second):
			t.Fatalf("the server did not report both addresses (api %q, metrics %q)", base, scrape)
		}
	}
	if !strings.HasSuffix(scrape, "/metrics") || strings.TrimSuffix(scrape, "/metrics") == base {
		t.Fatalf("metrics at %s, API at %s: want a listener of its own", scrape, base)
	}
	get := func(url string) (int, string) {
		t.Helper()
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := get(base + "/healthz"); code != http.StatusOK {
		t.Fatalf("healthz: %d", code)
	}
	if code, _ := get(base + "/metrics"); code != http.StatusNotFound {
		t.Errorf("the API serves /metrics (HTTP %d)", code)
	}
	code, body := get(scrape)
	for _, want := range []string{
		`allot_http_requests_total{method="GET",route="/healthz",status="200"} 1`,
		`go_sql_max_open_connections{db_name="primary"} 1`,
		`allot_bss_tokens_issued_total 0`,
	} {
		if code != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("scrape: HTTP %d, missing %s", code, want)
		}
	}

	if err := serve.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-scanDone:
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop on SIGTERM")
	}
	if err := serve.Wait(); err != nil {
		t.Errorf("serve exited with %v after SIGTERM", err)
	}
}
