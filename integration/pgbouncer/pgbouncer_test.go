package pgbouncer_test

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/allot-io/allot/adapters/bunstore"
	"github.com/allot-io/allot/app/service"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/integration/pgtest"
	"github.com/allot-io/allot/ports"
	"github.com/allot-io/allot/ports/porttest"
)

// bouncer is one PgBouncer (deploy/ha's image, transaction mode) in front of the package's
// PostgreSQL container, started by the first test that needs it.
var bouncer struct {
	once sync.Once
	host string // host:port as this process reaches it
	err  error
}

// throughPgBouncer returns a fresh migrated database of its own, as a DSN that reaches it
// through PgBouncer in transaction mode, as deploy/docker-compose.yml runs Allot.
func throughPgBouncer(t *testing.T) string {
	t.Helper()
	if err := pgtest.ImagesPresent(t.Context(), pgtest.HAImage()); err != nil && !pgtest.Required() {
		t.Skipf("%v (deploy/ha/build.sh builds it; under CI=true this fails)", err)
	}
	bouncer.once.Do(func() { bouncer.host, bouncer.err = startBouncer() })
	if bouncer.err != nil {
		t.Fatalf("pgbouncer: %v", bouncer.err)
	}
	u, err := url.Parse(srv.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	u.Host = bouncer.host
	return u.String()
}

func startBouncer() (string, error) {
	ctx := context.Background()
	ip, err := srv.Container().ContainerIP(ctx)
	if err != nil {
		return "", err
	}
	ctr, err := testcontainers.GenericContainer(ctx, testcontainers.GenericContainerRequest{
		ContainerRequest: testcontainers.ContainerRequest{
			Image: pgtest.HAImage(),
			Cmd:   []string{"pgbouncer"},
			Env: map[string]string{
				// The package's server has role allot with password allot (pgtest).
				"ALLOT_DB_PASSWORD":   "allot",
				"PGBOUNCER_DATABASES": fmt.Sprintf("* = host=%s port=5432", ip),
			},
			ExposedPorts: []string{"6432/tcp"},
			Labels:       map[string]string{pgtest.Label: "true"},
			WaitingFor:   wait.ForListeningPort("6432/tcp").WithStartupTimeout(60 * time.Second),
		},
		Started: true,
	})
	if ctr != nil {
		bouncers = append(bouncers, ctr)
	}
	if err != nil {
		return "", err
	}
	host, err := ctr.Host(ctx)
	if err != nil {
		return "", err
	}
	port, err := ctr.MappedPort(ctx, "6432/tcp")
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s:%s", host, port.Port()), nil
}

// bouncers are removed by TestMain's cleanup (see cleanupBouncers).
var bouncers []testcontainers.Container

func cleanupBouncers() {
	for _, c := range bouncers {
		_ = c.Terminate(context.Background())
	}
}

func openBouncedStore(t *testing.T) *bunstore.Store {
	t.Helper()
	st, err := bunstore.Open(t.Context(), throughPgBouncer(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestConformanceThroughPgBouncer runs the whole store conformance suite through PgBouncer in
// transaction mode: no session state may outlive a transaction (prepared statements, advisory
// locks, settings), or these fail when a transaction lands on another server connection.
func TestConformanceThroughPgBouncer(t *testing.T) {
	t.Run("Store", func(t *testing.T) {
		porttest.RunStore(t, func(t *testing.T) ports.Store { return openBouncedStore(t) })
	})
	t.Run("Orders", func(t *testing.T) {
		porttest.RunOrderStore(t, func(t *testing.T) porttest.OrderStores { return openBouncedStore(t) }, porttest.Options{})
	})
	t.Run("Stock", func(t *testing.T) {
		porttest.RunStock(t, func(t *testing.T) porttest.StockStore { return openBouncedStore(t) })
	})
}

// TestAPIKeyCacheOffBehindPgBouncer: PgBouncer in transaction mode does not deliver
// notifications, so a server that cached an API key would keep accepting it after another
// process revoked it. Through PgBouncer the store must not cache: the revoked key is refused
// at once, on the very next request.
func TestAPIKeyCacheOffBehindPgBouncer(t *testing.T) {
	dsn := throughPgBouncer(t)
	ctx := t.Context()
	open := func() *bunstore.Store {
		st, err := bunstore.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	server := service.New(service.Deps{Store: open()}, service.Config{})
	cli := service.New(service.Deps{Store: open()}, service.Config{})
	org, err := cli.Orgs.Create(ctx, "ACME", "")
	if err != nil {
		t.Fatal(err)
	}
	raw, key, err := cli.APIKeys.Create(ctx, org.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Give the listener time to try its probe: behind the pooler it must never succeed.
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := server.Auth.APIKey(ctx, raw); err != nil {
			t.Fatalf("a valid key was refused: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := cli.APIKeys.Revoke(ctx, org.ID, key.Prefix); err != nil {
		t.Fatal(err)
	}
	if _, err := server.Auth.APIKey(ctx, raw); fault.CodeOf(err) != fault.Unauthorized {
		t.Fatalf("a key revoked by another process was accepted behind PgBouncer (err %v): the cache must be off", err)
	}
}
