package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"
)

// allotCmd runs the allot binary with a fixed environment: the master key
// and nothing else of ALLOT_ from this process.
type allotCmd struct {
	bin string
	key string // ALLOT_SECRET_KEY, hex
	// authCacheTTL, when set, is the server's ALLOT_AUTH_CACHE_TTL.
	authCacheTTL string
}

func (a allotCmd) env(extra ...string) []string {
	return append(append(cleanEnv(), "ALLOT_SECRET_KEY="+a.key), extra...)
}

// run runs an operator command and returns its stdout.
func (a allotCmd) run(ctx context.Context, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, a.bin, args...)
	cmd.Env = a.env()
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("allot %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
	}
	return out.String(), nil
}

var servingRE = regexp.MustCompile(`allot: serving on (http://\S+)`)

// server is one `allot serve` process. Its output (the JSON request log,
// at the default level) goes to a file, as in a deployment, rather than
// through a pipe the benchmark would have to drain on the same cores.
type server struct {
	base    string // http://127.0.0.1:PORT
	pprof   string // http://127.0.0.1:PORT of the pprof listener, or ""
	cmd     *exec.Cmd
	exited  chan struct{}
	logPath string
	// dsnIsPostgres tells that the server runs on the benchmark's cluster.
	dsnIsPostgres bool
}

// startServer starts `allot serve` on dsn at a free port of 127.0.0.1 and
// waits until it serves; its log goes to logPath. With pprof, the server
// also serves its profiles on a loopback port (ALLOT_PPROF_ADDR).
func startServer(ctx context.Context, a allotCmd, dsn, logPath string, migrate, pprof bool) (*server, error) {
	s := &server{exited: make(chan struct{}), logPath: logPath, dsnIsPostgres: strings.HasPrefix(dsn, "postgres")}
	var extra []string
	if pprof {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		s.pprof = "http://" + addr
		extra = append(extra, "ALLOT_PPROF_ADDR="+addr)
	}
	args := []string{"serve", "--addr", "127.0.0.1:0", "--db", dsn}
	if migrate {
		args = append(args, "--migrate")
	}
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close() // the child has its own descriptor
	s.cmd = exec.Command(a.bin, args...)
	if a.authCacheTTL != "" {
		extra = append(extra, "ALLOT_AUTH_CACHE_TTL="+a.authCacheTTL)
	}
	s.cmd.Env = a.env(extra...)
	s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
	dieWithParent(s.cmd)
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start allot serve: %w", err)
	}
	go func() {
		_ = s.cmd.Wait()
		close(s.exited)
	}()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if m := servingRE.FindSubmatch(s.head()); m != nil {
			s.base = string(m[1])
			return s, nil
		}
		select {
		case <-s.exited:
			return nil, fmt.Errorf("allot serve exited before serving:\n%s", s.output())
		case <-ctx.Done():
			s.stop()
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("allot serve did not report its address within a minute:\n%s", s.output())
		}
	}
}

// head returns the start of the server's log.
func (s *server) head() []byte {
	f, err := os.Open(s.logPath)
	if err != nil {
		return nil
	}
	defer f.Close()
	b := make([]byte, 16<<10)
	n, _ := io.ReadFull(f, b)
	return b[:n]
}

// output returns the end of the server's log.
func (s *server) output() string {
	b, _ := os.ReadFile(s.logPath)
	return tail(b, 4000)
}

// errorLines returns how many lines the server logged at level ERROR.
func (s *server) errorLines() int {
	f, err := os.Open(s.logPath)
	if err != nil {
		return 0
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if bytes.Contains(sc.Bytes(), []byte(`"level":"ERROR"`)) {
			n++
		}
	}
	return n
}

// peakRSS returns the server's peak resident set size in bytes.
func (s *server) peakRSS() (int64, error) { return peakRSS(s.cmd.Process.Pid) }

// stop asks the server to shut down and kills it if it has not within 15
// seconds.
func (s *server) stop() {
	select {
	case <-s.exited:
		return
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(15 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}

// profile saves a CPU profile of secs seconds to dir/name.cpu.pprof. It is
// started beside a phase; errors are reported, not fatal.
func (s *server) profile(ctx context.Context, dir, name string, secs int) error {
	if s.pprof == "" || dir == "" {
		return nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", s.pprof, secs), nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("pprof: %s", resp.Status)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, name+".cpu.pprof"))
	if err != nil {
		return err
	}
	_, err = io.Copy(f, resp.Body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
