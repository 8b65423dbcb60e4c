package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
)

// The database the benchmark creates in its cluster.
const benchDB = "allot"

// cluster is a private PostgreSQL cluster in a temporary directory,
// listening on 127.0.0.1 only, with trust authentication (nothing but this
// process's children can reach it before it is stopped).
type cluster struct {
	bin     string // directory of initdb, pg_ctl, postgres
	dir     string // data directory
	logFile string
	port    int
	runAs   *runAs // nil: run as the current user
	// statements reports whether pg_stat_statements is loaded.
	statements bool
}

// settings are appended to postgresql.conf. They are the cluster's only
// tuning and apply to the service and to pgbench alike, since both use the
// same database: durability stays at its defaults (fsync and
// synchronous_commit on); shared_buffers holds the 1M-series table and its
// indexes; max_wal_size keeps the seeding of 1M series from forcing
// checkpoints into later phases.
var settings = []string{
	"listen_addresses = '127.0.0.1'",
	"max_connections = 200",
	"shared_buffers = 256MB",
	"max_wal_size = 4GB",
	"checkpoint_timeout = 30min",
	"log_min_messages = warning",
}

// findPGBin returns the directory of the PostgreSQL server binaries: dir
// when given, else the real directory of initdb on PATH, else the newest
// /usr/lib/postgresql/*/bin.
func findPGBin(dir string) (string, error) {
	if dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "initdb")); err != nil {
			return "", fmt.Errorf("-pg-bin %s: %w", dir, err)
		}
		return dir, nil
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Dir(real), nil
		}
		return filepath.Dir(p), nil
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(matches) == 0 {
		return "", fmt.Errorf("no PostgreSQL server binaries: initdb is not on PATH nor under /usr/lib/postgresql (Debian: apt-get install postgresql); or pass -pg-bin")
	}
	return filepath.Dir(matches[len(matches)-1]), nil
}

// freePort returns a TCP port of 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// startCluster initialises and starts a cluster under tmp.
func startCluster(ctx context.Context, cfg config, tmp string) (*cluster, error) {
	bin, err := findPGBin(cfg.pgBin)
	if err != nil {
		return nil, err
	}
	ra, err := pgRunAs(cfg.pgUser)
	if err != nil {
		return nil, err
	}
	root := filepath.Join(tmp, "pg")
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, err
	}
	if err := ra.own(root); err != nil {
		return nil, err
	}
	c := &cluster{bin: bin, dir: filepath.Join(root, "data"), logFile: filepath.Join(root, "postgres.log"), runAs: ra}
	if out, err := c.command(ctx, "initdb", "-D", c.dir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	conf := append([]string{}, settings...)
	conf = append(conf, "unix_socket_directories = '"+root+"'")
	if _, err := os.Stat(filepath.Join(c.pkglibdir(ctx), "pg_stat_statements.so")); err == nil {
		// Counts the statements each phase issues (queries per operation);
		// its small overhead applies to the service and pgbench alike.
		conf = append(conf, "shared_preload_libraries = 'pg_stat_statements'", "pg_stat_statements.track_utility = on")
		c.statements = true
	}
	f, err := os.OpenFile(filepath.Join(c.dir, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return nil, err
	}
	_, err = f.WriteString("\n# allotbench\n" + strings.Join(conf, "\n") + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	// A port is free when picked but may be taken before postgres binds
	// it; then pick again.
	for attempt := 1; ; attempt++ {
		if c.port, err = freePort(); err != nil {
			return nil, err
		}
		out, err := c.command(ctx, "pg_ctl", "-D", c.dir, "-l", c.logFile, "-w", "-t", "60",
			"-o", fmt.Sprintf("-p %d", c.port), "start").CombinedOutput()
		if err == nil {
			break
		}
		if attempt == 3 {
			logTail, _ := os.ReadFile(c.logFile)
			return nil, fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, tail(logTail, 2000))
		}
	}
	return c, nil
}

// pkglibdir returns PostgreSQL's library directory, beside bin.
func (c *cluster) pkglibdir(ctx context.Context) string {
	if out, err := exec.CommandContext(ctx, filepath.Join(c.bin, "pg_config"), "--pkglibdir").Output(); err == nil {
		return strings.TrimSpace(string(out))
	}
	return filepath.Join(filepath.Dir(c.bin), "lib")
}

// command returns a command of the cluster's binaries, run as its user.
func (c *cluster) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin, name), args...)
	cmd.Dir = filepath.Dir(c.dir)
	cmd.Env = append(cleanEnv(), "LC_ALL=C")
	c.runAs.apply(cmd)
	return cmd
}

// stop stops the cluster, fast: open sessions are cut.
func (c *cluster) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	_ = c.command(ctx, "pg_ctl", "-D", c.dir, "-m", "fast", "-w", "stop").Run()
}

// dsn returns the URL of database db for user postgres.
func (c *cluster) dsn(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, db)
}

// createDB creates database name and returns a connection pool to it.
func (c *cluster) createDB(ctx context.Context, name string) (*sql.DB, error) {
	admin, err := sql.Open("pgx", c.dsn("postgres"))
	if err != nil {
		return nil, err
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return nil, fmt.Errorf("create database: %w", err)
	}
	db, err := sql.Open("pgx", c.dsn(name))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(4)
	if c.statements {
		if _, err := db.ExecContext(ctx, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"); err != nil {
			c.statements = false
		}
	}
	return db, nil
}

// version returns the server's version string.
func (c *cluster) version(ctx context.Context, db *sql.DB) string {
	var v string
	if err := db.QueryRowContext(ctx, "SHOW server_version").Scan(&v); err != nil {
		return "unknown"
	}
	return "PostgreSQL " + v
}

// cleanEnv is this process's environment without the libpq and Allot
// settings that could point a child elsewhere than the benchmark's own
// cluster and configuration.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PG") || strings.HasPrefix(kv, "ALLOT_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// tail returns the last n bytes of b, as text.
func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[i+1:]
		}
	}
	return string(b)
}
