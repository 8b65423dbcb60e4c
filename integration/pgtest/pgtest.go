// Package pgtest runs one PostgreSQL container per integration test package (testcontainers-go)
// and gives every test its own database, cloned from a template database that the package
// migrated once.
//
// A test package uses it from TestMain:
//
//	var srv *pgtest.Server
//
//	func TestMain(m *testing.M) {
//		os.Exit(pgtest.Main(m, func(ctx context.Context, s *pgtest.Server) error {
//			srv = s
//			return s.PrepareTemplate(ctx, migrate) // migrate(ctx, dsn) runs the migrations
//		}))
//	}
//
//	func TestX(t *testing.T) {
//		dsn := srv.NewDatabase(t) // fresh, migrated, dropped when t ends
//		...
//	}
//
// The image is taken from ALLOT_TEST_POSTGRES_IMAGE (default postgres:16-alpine); it must
// be PostgreSQL 15 or later and follow the official image's conventions. On machines
// without a container registry, set it to local/postgres:15-bookworm and build that image with
// integration/pgimage/build.sh; `make test-integration` does both.
//
// When Docker is not reachable, or a local/ image has not been built, [Main] prints one line and
// runs no test ("ok ... [no tests to run]"), unless CI=true or ALLOT_REQUIRE_DOCKER=1, in which
// case it fails: CI must never pass by skipping.
//
// With Ryuk disabled (TESTCONTAINERS_RYUK_DISABLED=true, needed where its image cannot be
// pulled) nothing removes a forgotten container, so [Main] always calls [Server.Close]; only a
// panicking or killed test binary leaves its container behind (see [Label]).
package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/containerd/errdefs"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/modules/postgres"
)

const (
	// ImageEnv names the environment variable that selects the PostgreSQL image.
	ImageEnv = "ALLOT_TEST_POSTGRES_IMAGE"
	// DefaultImage is the image used when ImageEnv is unset; testcontainers pulls it.
	DefaultImage = "postgres:16-alpine"
	// Label marks the containers Start creates. A test binary that panics or is interrupted
	// cannot remove its container; remove leftovers with
	// docker ps -aq --filter label=io.allot.pgtest | xargs -r docker rm -fv
	Label = "io.allot.pgtest"
	// TemplateDatabase is the database PrepareTemplate migrates and NewDatabase clones.
	TemplateDatabase = "allot_template"

	// The superuser, its password and the admin database of the container.
	user     = "allot"
	password = "allot"
	adminDB  = "allot"

	// driver is the database/sql driver name registered by pgx/v5/stdlib.
	driver = "pgx"
)

// HAImageEnv names the environment variable that selects the image of deploy/ha (PostgreSQL
// with Patroni, etcd, HAProxy and PgBouncer from Debian's packages), built by deploy/ha/build.sh.
const HAImageEnv = "ALLOT_HA_IMAGE"

// DefaultHAImage is the tag deploy/ha/build.sh gives that image.
const DefaultHAImage = "local/allot-ha:15-bookworm"

// HAImage returns $ALLOT_HA_IMAGE or DefaultHAImage.
func HAImage() string {
	if img := os.Getenv(HAImageEnv); img != "" {
		return img
	}
	return DefaultHAImage
}

// ErrDockerUnavailable is returned (wrapped) by Available when no Docker engine answers.
var ErrDockerUnavailable = errors.New("docker not available")

// ErrImageMissing is returned (wrapped) by Available when a local/ image has not been built.
var ErrImageMissing = errors.New("image not found")

// Image returns the PostgreSQL image to run: $ALLOT_TEST_POSTGRES_IMAGE or DefaultImage.
func Image() string {
	if img := os.Getenv(ImageEnv); img != "" {
		return img
	}
	return DefaultImage
}

// isLocal reports whether img can only come from this machine (built by pgimage/build.sh),
// never from a registry.
func isLocal(img string) bool { return strings.HasPrefix(img, "local/") }

// Required reports whether the PostgreSQL tests must run: under CI (CI=true) or when
// ALLOT_REQUIRE_DOCKER=1. Then a missing Docker engine or image is a failure, not a skip.
func Required() bool {
	return envTrue("CI") || envTrue("ALLOT_REQUIRE_DOCKER")
}

func envTrue(name string) bool {
	v, err := strconv.ParseBool(os.Getenv(name))
	return err == nil && v
}

// Available checks, through testcontainers' own provider health check, that a Docker engine
// answers, and that Image() is present when it is a local/ image (those cannot be pulled).
// The error wraps ErrDockerUnavailable or ErrImageMissing.
func Available(ctx context.Context) (err error) {
	img := ""
	if isLocal(Image()) {
		img = Image()
	}
	return ImagesPresent(ctx, img)
}

// ImagesPresent checks, like Available, that a Docker engine answers and that every image named
// is present ("" names none). The error wraps ErrDockerUnavailable or ErrImageMissing.
func ImagesPresent(ctx context.Context, images ...string) (err error) {
	// testcontainers panics in some discovery paths; SkipIfProviderIsNotHealthy recovers too.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", ErrDockerUnavailable, r)
		}
	}()
	provider, err := testcontainers.NewDockerProvider()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrDockerUnavailable, err)
	}
	defer provider.Close()
	if err := provider.Health(ctx); err != nil {
		return fmt.Errorf("%w: %w", ErrDockerUnavailable, err)
	}
	for _, img := range images {
		if img == "" {
			continue
		}
		// Health closed only the idle connections; the client is still usable.
		if _, err := provider.Client().ImageInspect(ctx, img); err != nil {
			if errdefs.IsNotFound(err) {
				return fmt.Errorf("%w: %s", ErrImageMissing, img)
			}
			return fmt.Errorf("%w: inspect %s: %w", ErrDockerUnavailable, img, err)
		}
	}
	return nil
}

// Main is the body of an integration package's TestMain; pass its result to os.Exit.
//
// It checks Available. If that fails, it fails when Required, and otherwise prints one line
// and runs no test. Else it starts the server, calls setup (typically to keep the *Server in a
// package variable and to PrepareTemplate), runs the tests and terminates the container.
func Main(m *testing.M, setup func(ctx context.Context, s *Server) error) int {
	flag.Parse()
	ctx := context.Background()

	if err := Available(ctx); err != nil {
		if Required() {
			fmt.Fprintf(os.Stderr, "integration: %v (CI=true or ALLOT_REQUIRE_DOCKER=1: the PostgreSQL tests must run; %s)\n", err, remedy(err))
			return 1
		}
		if errors.Is(err, ErrImageMissing) {
			fmt.Printf("integration: image %s not found; skipping PostgreSQL tests (run `integration/pgimage/build.sh` to build it)\n", Image())
		} else {
			fmt.Println("integration: Docker not available; skipping PostgreSQL tests (run `make test-integration` on a machine with Docker)")
		}
		return runNothing(m)
	}

	began := time.Now()
	s, err := Start(ctx)
	if err != nil {
		fmt.Fprintf(os.Stderr, "integration: %v%s\n", err, ryukHint())
		return 1
	}
	if testing.Verbose() {
		fmt.Printf("pgtest: %s ready in %s\n", Image(), time.Since(began).Round(time.Millisecond))
	}
	code := 1
	if setup == nil {
		code = m.Run()
	} else if err := setup(ctx, s); err != nil {
		fmt.Fprintf(os.Stderr, "integration: setup: %v\n", err)
	} else {
		code = m.Run()
	}
	if err := s.Close(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "integration: %v\n", err)
		code = max(code, 1)
	}
	return code
}

func remedy(err error) string {
	if errors.Is(err, ErrImageMissing) {
		return "run `integration/pgimage/build.sh` first (`make test-integration` does)"
	}
	return "start Docker or fix DOCKER_HOST"
}

func ryukHint() string {
	if envTrue("TESTCONTAINERS_RYUK_DISABLED") {
		return ""
	}
	return "\nintegration: hint: without a registry, Ryuk's image cannot be pulled; set TESTCONTAINERS_RYUK_DISABLED=true (`make test-integration` does)"
}

// runNothing runs m with every test filtered out, so that `go test` reports the package as
// "ok ... [no tests to run]" rather than as a plain pass.
func runNothing(m *testing.M) int {
	// -bench and -fuzz are off when empty; setting a flag this Go version lacks fails harmlessly.
	for name, value := range map[string]string{"test.run": "^$", "test.bench": "", "test.fuzz": ""} {
		_ = flag.Set(name, value)
	}
	return m.Run()
}

// Server is one running PostgreSQL container and an admin connection pool to it.
// Its methods are safe for concurrent use, except Stop, Start and Close, which must not run
// while tests use the server.
type Server struct {
	ctr *postgres.PostgresContainer

	mu       sync.Mutex // guards admin and template; serializes CREATE DATABASE
	admin    *sql.DB    // nil while the container is stopped
	template string     // database NewDatabase clones

	seq atomic.Int64 // numbers the per-test databases
}

// Start runs a container of Image() with superuser, password and database "allot", waits until
// PostgreSQL accepts connections (the official entrypoint's second "ready" log line and the
// mapped port) and opens an admin pool. Call Close when done: with Ryuk disabled nothing else
// removes the container.
func Start(ctx context.Context) (*Server, error) {
	PublishOnLocalhost()
	img := Image()
	ctr, err := postgres.Run(ctx, img,
		postgres.WithDatabase(adminDB),
		postgres.WithUsername(user),
		postgres.WithPassword(password),
		postgres.WithSQLDriver(driver),
		postgres.BasicWaitStrategies(),
		testcontainers.WithLabels(map[string]string{Label: "true"}),
	)
	if err != nil {
		// Run may return a created container together with the error.
		if ctr != nil {
			_ = ctr.Terminate(context.WithoutCancel(ctx))
		}
		return nil, fmt.Errorf("pgtest: start %s: %w", img, err)
	}
	s := &Server{ctr: ctr, template: "template1"}
	if err := s.connect(ctx); err != nil {
		_ = ctr.Terminate(context.WithoutCancel(ctx))
		return nil, err
	}
	return s, nil
}

// PublishOnLocalhost sets TESTCONTAINERS_HOST_OVERRIDE=localhost, unless it is set, when the
// Docker engine's default bridge (docker0) is in this process's network namespace: the engine
// then runs here and publishes ports on this host's addresses. Without it, testcontainers
// sees /.dockerenv (CI sandboxes have one), assumes it runs in a sibling container and dials
// the default route's gateway, where nothing listens.
func PublishOnLocalhost() {
	const env = "TESTCONTAINERS_HOST_OVERRIDE"
	if _, set := os.LookupEnv(env); set {
		return
	}
	if _, err := net.InterfaceByName("docker0"); err == nil {
		_ = os.Setenv(env, "localhost")
	}
}

// Container returns the underlying testcontainers container, for what Server does not cover.
func (s *Server) Container() *postgres.PostgresContainer { return s.ctr }

// DSN returns a connection URL (sslmode=disable) for database at the container's current
// address; database "" means the admin database "allot". Docker may map another host port
// after Stop and Start, so take a new DSN after a restart.
func (s *Server) DSN(ctx context.Context, database string) (string, error) {
	raw, err := s.ctr.ConnectionString(ctx, "sslmode=disable")
	if err != nil {
		return "", fmt.Errorf("pgtest: connection string: %w", err)
	}
	if database == "" {
		return raw, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("pgtest: parse connection string: %w", err)
	}
	u.Path = "/" + database
	return u.String(), nil
}

// RefreshDSN returns dsn, a URL obtained from this server before a restart, with its host and
// port replaced by the container's current address.
func (s *Server) RefreshDSN(ctx context.Context, dsn string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", fmt.Errorf("pgtest: parse %q: %w", dsn, err)
	}
	endpoint, err := s.ctr.PortEndpoint(ctx, "5432/tcp", "")
	if err != nil {
		return "", fmt.Errorf("pgtest: endpoint: %w", err)
	}
	u.Host = endpoint
	return u.String(), nil
}

// PrepareTemplate creates the database allot_template, calls migrate with its DSN, and then
// marks it as a template that accepts no connections, so that NewDatabase can clone it.
// Connections migrate leaves open are terminated. Call it once, before the tests run.
func (s *Server) PrepareTemplate(ctx context.Context, migrate func(ctx context.Context, dsn string) error) error {
	s.mu.Lock()
	admin := s.admin
	s.mu.Unlock()
	if admin == nil {
		return errors.New("pgtest: prepare template: server is stopped")
	}
	name := quoteIdent(TemplateDatabase)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return fmt.Errorf("pgtest: create %s: %w", TemplateDatabase, err)
	}
	dsn, err := s.DSN(ctx, TemplateDatabase)
	if err != nil {
		return err
	}
	if err := migrate(ctx, dsn); err != nil {
		return fmt.Errorf("pgtest: migrate %s: %w", TemplateDatabase, err)
	}
	for _, q := range []string{
		"ALTER DATABASE " + name + " WITH IS_TEMPLATE true ALLOW_CONNECTIONS false",
		// CREATE DATABASE ... TEMPLATE fails while anyone is connected to the template;
		// wait up to 5 s for each backend to exit.
		"SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = '" + TemplateDatabase + "'",
	} {
		if _, err := admin.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("pgtest: seal %s: %w", TemplateDatabase, err)
		}
	}
	s.mu.Lock()
	s.template = TemplateDatabase
	s.mu.Unlock()
	return nil
}

// NewDatabase creates a database for t, a copy of the template prepared by PrepareTemplate
// (or an empty database when there is none), returns its DSN, and drops it (WITH (FORCE))
// when t and its subtests are done. It calls t.Fatal when the database cannot be created.
func (s *Server) NewDatabase(t testing.TB) string {
	t.Helper()
	ctx := t.Context()
	name := fmt.Sprintf("t_%d", s.seq.Add(1))

	s.mu.Lock()
	admin, template := s.admin, s.template
	var err error
	if admin == nil {
		err = errors.New("server is stopped")
	} else {
		// FILE_COPY (PostgreSQL 15+) copies the files instead of WAL-logging every block; for
		// a small template it took 25-150 ms here against 140-490 ms for the default WAL_LOG.
		_, err = admin.ExecContext(ctx, "CREATE DATABASE "+quoteIdent(name)+" TEMPLATE "+quoteIdent(template)+" STRATEGY FILE_COPY")
	}
	s.mu.Unlock()
	if err != nil {
		t.Fatalf("pgtest: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.admin == nil {
			return // stopped by the test and not restarted: Close removes everything
		}
		if _, err := s.admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+quoteIdent(name)+" WITH (FORCE)"); err != nil {
			t.Logf("pgtest: drop database %s: %v", name, err)
		}
	})

	dsn, err := s.DSN(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	return dsn
}

// Stop closes the admin pool and stops the container. PostgreSQL gets SIGINT (a fast
// shutdown: open sessions are rolled back and closed) and is killed after timeout. The data
// survives; Start brings the server back. Connections held by tests break.
func (s *Server) Stop(ctx context.Context, timeout time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.admin != nil {
		_ = s.admin.Close()
		s.admin = nil
	}
	if err := s.ctr.Stop(ctx, &timeout); err != nil {
		return fmt.Errorf("pgtest: stop container: %w", err)
	}
	return nil
}

// Start starts the stopped container again and waits until PostgreSQL accepts connections.
// The host port usually changes: take new DSNs with DSN or RefreshDSN.
func (s *Server) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ctr.Start(ctx); err != nil {
		return fmt.Errorf("pgtest: start container: %w", err)
	}
	// The log wait strategy is already satisfied by the first run's lines, so readiness is
	// established by connecting.
	return s.connectLocked(ctx)
}

// Close closes the admin pool and terminates (stops and removes, with its volumes) the
// container.
func (s *Server) Close(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.admin != nil {
		_ = s.admin.Close()
		s.admin = nil
	}
	if err := s.ctr.Terminate(ctx); err != nil {
		return fmt.Errorf("pgtest: terminate container: %w", err)
	}
	return nil
}

func (s *Server) connect(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connectLocked(ctx)
}

// connectLocked opens the admin pool at the container's current address, retrying for up to
// a minute while PostgreSQL starts up.
func (s *Server) connectLocked(ctx context.Context) error {
	dsn, err := s.DSN(ctx, "")
	if err != nil {
		return err
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return fmt.Errorf("pgtest: open admin pool: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for {
		err = db.PingContext(ctx)
		if err == nil {
			s.admin = db
			return nil
		}
		select {
		case <-ctx.Done():
			_ = db.Close()
			return fmt.Errorf("pgtest: PostgreSQL does not accept connections: %w", err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// quoteIdent quotes a PostgreSQL identifier.
func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
