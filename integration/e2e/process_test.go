package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// Bounds on the child processes.
const (
	cliTimeout   = 30 * time.Second
	readyTimeout = 30 * time.Second
	killWait     = 10 * time.Second
	// logHead and logTail bound how much of the start and of the end of a
	// server's output a failing test prints.
	logHead = 4 << 10
	logTail = 20 << 10
)

var servingRE = regexp.MustCompile(`allot: serving on (http://\S+)`)

// logBuffer collects a child's output; the exec package writes it from its
// own goroutine while the test reads it.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// excerpt returns the output, or its first logHead and last logTail bytes
// when it is longer: how the server started and what it did last.
func (b *logBuffer) excerpt() string {
	s := b.String()
	if len(s) <= logHead+logTail {
		return s
	}
	return s[:logHead] + fmt.Sprintf("\n[... %d bytes ...]\n", len(s)-logHead-logTail) + s[len(s)-logTail:]
}

// secretKey is the master key every child process of this test binary
// gets: a server on PostgreSQL requires one, and the processes sharing a
// database must share it.
var secretKey = func() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand panics instead)
	return hex.EncodeToString(b)
}()

// childEnv is this process's environment without any ALLOT_ setting (the
// tests pass the DSN with --db and nothing else should leak in), plus the
// master key, logging warnings and errors only: the request log of
// thousands of requests would cost the servers CPU, while every 5xx is
// still logged as an error.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ALLOT_") {
			env = append(env, kv)
		}
	}
	return append(env, "ALLOT_LOG_LEVEL=warn", "ALLOT_SECRET_KEY="+secretKey)
}

// allot runs an operator command of the binary and returns its stdout; any
// exit status but 0 fails the test.
func allot(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), cliTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, allotBin, args...)
	cmd.Env = childEnv()
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("allot %s: %v\nstdout: %s\nstderr: %s", strings.Join(args, " "), err, out.String(), errOut.String())
	}
	return out.String()
}

// setupTenant creates, through the CLI, organisation ACME with customer
// SL1981 on the database dsn and returns a fresh API key of ACME.
func setupTenant(t *testing.T, dsn string) string {
	t.Helper()
	allot(t, "org", "create", "--db", dsn, "--name", "Acme Logistics", "ACME")
	allot(t, "customer", "add", "--db", dsn, "--org", "ACME", "--code", customerCode, "--name", "Sample Customer")
	key := strings.TrimSpace(allot(t, "apikey", "create", "--db", dsn, "--org", "ACME"))
	if key == "" || strings.ContainsAny(key, " \n") {
		t.Fatalf("apikey create printed %q, want only the key", key)
	}
	return key
}

// server is one `allot serve` child process.
type server struct {
	name string
	base string // http://127.0.0.1:PORT once ready
	cmd  *exec.Cmd
	logs *logBuffer

	exited  chan struct{} // closed once the process has exited
	waitErr error         // the exit status; read only after exited closes
}

// startServers starts n `allot serve --addr 127.0.0.1:0 --work=false` processes on the
// database dsn and waits until each reports its address. They start in
// parallel and are killed when t ends; a failing test prints their output.
func startServers(t *testing.T, dsn string, n int) []*server {
	t.Helper()
	servers := make([]*server, n)
	for i := range servers {
		servers[i] = launch(t, fmt.Sprintf("server-%d", i+1), dsn)
	}
	for _, s := range servers {
		s.waitReady(t)
	}
	return servers
}

// launch starts one server process of the API alone (--work=false: the
// tests that provision lines start their workers themselves, at their
// carrier) and arranges for it to be killed.
func launch(t *testing.T, name, dsn string) *server {
	t.Helper()
	return launchWith(t, name, nil, "serve", "--addr", "127.0.0.1:0", "--db", dsn, "--work=false")
}

// launchWith starts one allot process with args and, beside childEnv,
// the environment env, and arranges for it to be killed.
func launchWith(t *testing.T, name string, env []string, args ...string) *server {
	t.Helper()
	s := &server{name: name, logs: &logBuffer{}, exited: make(chan struct{})}
	s.cmd = exec.Command(allotBin, args...)
	s.cmd.Env = append(childEnv(), env...)
	s.cmd.Stdout, s.cmd.Stderr = s.logs, s.logs
	dieWithParent(s.cmd)
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		s.waitErr = s.cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() {
		s.kill()
		if t.Failed() {
			out := s.logs.excerpt()
			if out == "" {
				out = "(none)"
			}
			t.Logf("%s output (%s):\n%s", s.name, s.exitStatus(), out)
		}
	})
	return s
}

// waitReady waits until the server prints the address it serves on.
func (s *server) waitReady(t *testing.T) {
	t.Helper()
	deadline := time.NewTimer(readyTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if m := servingRE.FindStringSubmatch(s.logs.String()); m != nil {
			s.base = m[1]
			return
		}
		select {
		case <-s.exited:
			t.Fatalf("%s exited before serving (%v); its output follows", s.name, s.waitErr)
		case <-deadline.C:
			t.Fatalf("%s did not report its address within %s; its output follows", s.name, readyTimeout)
		case <-tick.C:
		}
	}
}

// kill sends SIGKILL (kill -9) unless the process has exited, and waits
// for it to go.
func (s *server) kill() {
	select {
	case <-s.exited:
		return
	default:
	}
	_ = s.cmd.Process.Kill()
	select {
	case <-s.exited:
	case <-time.After(killWait):
	}
}

// exitStatus describes how the process ended, or that it still runs.
func (s *server) exitStatus() string {
	select {
	case <-s.exited:
		var ee *exec.ExitError
		if errors.As(s.waitErr, &ee) {
			return ee.ProcessState.String()
		}
		if s.waitErr != nil {
			return s.waitErr.Error()
		}
		return "exit status 0"
	default:
		return "running"
	}
}
