package main

import (
	"bufio"
	"bytes"
	"errors"
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

// buildBinary compiles the real allot program once per test run.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "allot")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

type run struct {
	stdout, stderr string
	code           int
}

func allot(t *testing.T, bin, db string, args ...string) run {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "ALLOT_DB="+db)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	r := run{stdout: out.String(), stderr: errOut.String()}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestProgram drives the real binary the way an operator and an integrator
// would: set up with the CLI, serve, call the vendor's sample request, look
// numbers up, and stop the server with SIGTERM.
func TestProgram(t *testing.T) {
	bin := buildBinary(t)
	db := "sqlite:" + filepath.Join(t.TempDir(), "allot.db")

	for _, args := range [][]string{
		{"migrate"},
		{"org", "create", "--name", "Acme Logistics", "ACME"},
		{"customer", "add", "--org", "ACME", "--code", "SL1981", "--name", "Sample Customer"},
	} {
		if r := allot(t, bin, db, args...); r.code != 0 {
			t.Fatalf("allot %v: exit %d: %s", args, r.code, r.stderr)
		}
	}
	r := allot(t, bin, db, "apikey", "create", "--org", "ACME")
	key := strings.TrimSpace(r.stdout)
	if r.code != 0 || strings.Contains(key, "\n") || !strings.HasPrefix(key, "ak_") {
		t.Fatalf("apikey create printed %q (exit %d, %s)", r.stdout, r.code, r.stderr)
	}

	serve := exec.Command(bin, "serve", "--addr", "127.0.0.1:0")
	serve.Env = append(os.Environ(), "ALLOT_DB="+db)
	stderr, err := serve.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	defer serve.Process.Kill()
	addrCh := make(chan string, 1)
	var logs bytes.Buffer // written by the scanner until scanDone closes
	scanDone := make(chan struct{})
	go func() {
		defer close(scanDone)
		re := regexp.MustCompile(`serving on (http://\S+)`)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			logs.WriteString(sc.Text() + "\n")
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addrCh <- m[1]
			}
		}
	}()
	var base string
	select {
	case base = <-addrCh:
	case <-time.After(20 * time.Second):
		t.Fatalf("server did not report its address")
	}

	req, _ := http.NewRequest(http.MethodPost, base+"/api/client/integration/virtualseries/create",
		strings.NewReader(`{ "start": "V10000071", "end": "V10000080", "client_code": "SL1981", "item_code": "P7WJEJANkt" }`))
	req.Header.Set("Authorization", "Basic "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte(`"status":"OK"`)) {
		t.Fatalf("vendor sample: %d %s", resp.StatusCode, body)
	}

	if r := allot(t, bin, db, "series", "lookup", "--org", "ACME", "V10000075"); r.code != 0 || !strings.Contains(r.stdout, "SL1981") {
		t.Errorf("lookup: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	if r := allot(t, bin, db, "series", "lookup", "--org", "ACME", "V99999999"); r.code == 0 || r.stdout != "" || !strings.Contains(r.stderr, "V99999999") {
		t.Errorf("free number: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}

	if err := serve.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-scanDone: // stderr closed: the process is exiting
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop on SIGTERM")
	}
	if err := serve.Wait(); err != nil {
		t.Errorf("serve exited with %v after SIGTERM; logs:\n%s", err, logs.String())
	}
	if strings.Contains(logs.String(), key) {
		t.Error("the API key appears in the server's logs")
	}
}
