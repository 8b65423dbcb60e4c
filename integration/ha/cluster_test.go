package ha_test

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
	tcexec "github.com/testcontainers/testcontainers-go/exec"
	"github.com/testcontainers/testcontainers-go/network"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/allot-io/allot/integration/pgtest"
)

const (
	// The images deploy/ha/build.sh and deploy/image/build.sh build (make image ha-image).
	allotImageEnv     = "ALLOT_IMAGE"
	defaultAllotImage = "local/allot:latest"
	// label marks this package's containers; leftovers of a killed run:
	// docker ps -aq --filter label=io.allot.ha | xargs -r docker rm -fv
	label = "io.allot.ha"

	dbPassword = "ha-allot-secret"
	secretKey  = "6a1c0f0d5b2e4c7f8e9a0b1c2d3e4f5061728394a5b6c7d8e9f0011223344556"
	patroniCfg = "/etc/patroni/allot.yml"
)

var members = []string{"pg1", "pg2", "pg3"}

func image(env, def string) string {
	if v := os.Getenv(env); v != "" {
		return v
	}
	return def
}

func TestMain(m *testing.M) {
	ctx := context.Background()
	missing := ""
	if err := pgtest.ImagesPresent(ctx, pgtest.HAImage(), image(allotImageEnv, defaultAllotImage)); err != nil {
		missing = err.Error()
	}
	if missing != "" {
		if pgtest.Required() {
			fmt.Fprintf(os.Stderr, "ha: %s (CI=true or ALLOT_REQUIRE_DOCKER=1: the failover test must run; `make test-integration` builds the images)\n", missing)
			os.Exit(1)
		}
		fmt.Printf("ha: %s; skipping the failover test (run `make test-integration`)\n", missing)
		os.Exit(0)
	}
	pgtest.PublishOnLocalhost()
	os.Exit(m.Run())
}

// cluster is the deployment of deploy/docker-compose.yml, started with testcontainers on a
// private network: three etcd members, three Patroni members, HAProxy, PgBouncer and three
// Allot servers.
type cluster struct {
	t       *testing.T
	network *testcontainers.DockerNetwork
	pg      map[string]testcontainers.Container
	allot   []testcontainers.Container
	urls    []string // base URL of each Allot server, as the host reaches it
	dsn     string   // the database through PgBouncer, as the host reaches it
	docker  *testcontainers.DockerClient
}

func startCluster(t *testing.T) *cluster {
	t.Helper()
	ctx := t.Context()
	nw, err := network.New(ctx, network.WithLabels(map[string]string{label: "true"}))
	if err != nil {
		t.Fatalf("network: %v", err)
	}
	t.Cleanup(func() { _ = nw.Remove(context.WithoutCancel(ctx)) })
	dc, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		t.Fatalf("docker client: %v", err)
	}
	t.Cleanup(func() { _ = dc.Close() })
	c := &cluster{t: t, network: nw, pg: map[string]testcontainers.Container{}, docker: dc}

	ha := pgtest.HAImage()
	peers := "etcd1=http://etcd1:2380,etcd2=http://etcd2:2380,etcd3=http://etcd3:2380"
	for _, name := range []string{"etcd1", "etcd2", "etcd3"} {
		c.run(name, ha, []string{"etcd"}, map[string]string{
			"ETCD_NAME":                        name,
			"ETCD_INITIAL_CLUSTER":             peers,
			"ETCD_INITIAL_CLUSTER_STATE":       "new",
			"ETCD_INITIAL_CLUSTER_TOKEN":       "allot",
			"ETCD_LISTEN_PEER_URLS":            "http://0.0.0.0:2380",
			"ETCD_LISTEN_CLIENT_URLS":          "http://0.0.0.0:2379",
			"ETCD_INITIAL_ADVERTISE_PEER_URLS": "http://" + name + ":2380",
			"ETCD_ADVERTISE_CLIENT_URLS":       "http://" + name + ":2379",
		}, nil, nil)
	}
	for _, name := range members {
		c.pg[name] = c.run(name, ha, []string{"patroni"}, map[string]string{
			"PATRONI_NAME":        name,
			"PATRONI_ETCD3_HOSTS": "'etcd1:2379','etcd2:2379','etcd3:2379'",
			"POSTGRES_PASSWORD":   "ha-superuser-secret",
			// Patroni connects replicas with it; ALLOT_DB_PASSWORD is the application's role.
			"REPLICATION_PASSWORD": "ha-replication-secret",
			"ALLOT_DB_PASSWORD":    dbPassword,
		}, nil, nil)
	}
	c.run("haproxy", ha, []string{"haproxy"}, nil, nil, nil)
	bouncer := c.run("pgbouncer", ha, []string{"pgbouncer"}, map[string]string{"ALLOT_DB_PASSWORD": dbPassword},
		[]string{"6432/tcp"}, wait.ForListeningPort("6432/tcp").WithStartupTimeout(60*time.Second))

	primary := c.waitPrimary(90 * time.Second)
	c.waitSyncStandby(60 * time.Second)
	t.Logf("cluster up: primary %s", primary)

	host, err := bouncer.Host(ctx)
	if err != nil {
		t.Fatal(err)
	}
	port, err := bouncer.MappedPort(ctx, "6432/tcp")
	if err != nil {
		t.Fatal(err)
	}
	// PgBouncer in transaction mode: the test's own pool uses the simple protocol too.
	c.dsn = fmt.Sprintf("postgres://allot:%s@%s:%s/allot?sslmode=disable&default_query_exec_mode=simple_protocol", dbPassword, host, port.Port())

	allot := image(allotImageEnv, defaultAllotImage)
	env := map[string]string{
		"ALLOT_DB":         "postgres://allot:" + dbPassword + "@pgbouncer:6432/allot?sslmode=disable",
		"ALLOT_MIGRATE":    "true",
		"ALLOT_SECRET_KEY": secretKey,
		"ALLOT_LOG_LEVEL":  "warn",
	}
	for i := 1; i <= 3; i++ {
		ctr := c.run(fmt.Sprintf("allot%d", i), allot, []string{"serve"}, env, []string{"8080/tcp"},
			wait.ForHTTP("/readyz").WithPort("8080/tcp").WithStartupTimeout(90*time.Second))
		url, err := ctr.PortEndpoint(ctx, "8080/tcp", "http")
		if err != nil {
			t.Fatal(err)
		}
		c.allot = append(c.allot, ctr)
		c.urls = append(c.urls, url)
	}
	return c
}

// run starts one container on the cluster's network under the alias name.
func (c *cluster) run(name, img string, cmd []string, env map[string]string, ports []string, w wait.Strategy) testcontainers.Container {
	c.t.Helper()
	ctr, err := testcontainers.GenericContainer(c.t.Context(), testcontainers.GenericContainerRequest{
		ContainerRequest: testcontainers.ContainerRequest{
			Image:          img,
			Cmd:            cmd,
			Env:            env,
			ExposedPorts:   ports,
			Networks:       []string{c.network.Name},
			NetworkAliases: map[string][]string{c.network.Name: {name}},
			Labels:         map[string]string{label: "true"},
			WaitingFor:     w,
		},
		Started: true,
	})
	testcontainers.CleanupContainer(c.t, ctr)
	if err != nil {
		logs := ""
		if ctr != nil {
			if r, lerr := ctr.Logs(context.WithoutCancel(c.t.Context())); lerr == nil {
				b, _ := io.ReadAll(io.LimitReader(r, 4096))
				logs = string(b)
			}
		}
		c.t.Fatalf("start %s (%s): %v\n%s", name, img, err, logs)
	}
	return ctr
}

// exec runs cmd in ctr and returns its exit code and combined output.
func exec(ctx context.Context, ctr testcontainers.Container, cmd ...string) (int, string, error) {
	code, r, err := ctr.Exec(ctx, cmd, tcexec.Multiplexed())
	if err != nil {
		return -1, "", err
	}
	out, err := io.ReadAll(r)
	return code, string(out), err
}

// role asks a member's Patroni REST API whether it answers 200 on path (/primary, /sync,
// /replica), from inside the member, so the REST port need not be published.
func (c *cluster) role(name, path string) bool {
	ctx, cancel := context.WithTimeout(c.t.Context(), 5*time.Second)
	defer cancel()
	code, out, err := exec(ctx, c.pg[name], "curl", "-s", "-o", "/dev/null", "-m", "2", "-w", "%{http_code}", "http://localhost:8008"+path)
	return err == nil && code == 0 && strings.TrimSpace(out) == "200"
}

// primary returns the member that answers /primary, or "".
func (c *cluster) primary() string {
	for _, name := range members {
		if c.role(name, "/primary") {
			return name
		}
	}
	return ""
}

func (c *cluster) waitPrimary(limit time.Duration) string {
	c.t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if p := c.primary(); p != "" {
			return p
		}
		time.Sleep(time.Second)
	}
	c.t.Fatalf("no Patroni member became primary within %s", limit)
	return ""
}

func (c *cluster) waitSyncStandby(limit time.Duration) string {
	c.t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		for _, name := range members {
			if c.role(name, "/sync") {
				return name
			}
		}
		time.Sleep(time.Second)
	}
	c.t.Fatalf("no synchronous standby within %s", limit)
	return ""
}

// kill sends SIGKILL to a member, as a crash or a power loss would.
func (c *cluster) kill(name string) {
	c.t.Helper()
	if _, err := c.docker.ContainerKill(c.t.Context(), c.pg[name].GetContainerID(), client.ContainerKillOptions{Signal: "KILL"}); err != nil {
		c.t.Fatalf("kill %s: %v", name, err)
	}
}

// waitStopped waits until the engine reports the member's container as no longer running.
func (c *cluster) waitStopped(name string) {
	c.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		st, err := c.pg[name].State(c.t.Context())
		if err == nil && !st.Running {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	c.t.Fatalf("%s still runs 10 s after SIGKILL", name)
}

// patronictl runs patronictl in the first member that answers.
func (c *cluster) patronictl(args ...string) string {
	c.t.Helper()
	var last error
	for _, name := range members {
		code, out, err := exec(c.t.Context(), c.pg[name], append([]string{"patronictl", "-c", patroniCfg}, args...)...)
		if err == nil && code == 0 {
			return out
		}
		last = fmt.Errorf("%s: exit %d: %v %s", name, code, err, out)
	}
	c.t.Fatalf("patronictl %s: %v", strings.Join(args, " "), last)
	return ""
}

// allotCLI runs the allot CLI inside the first server (it has ALLOT_DB) and returns the last
// line it printed on stdout.
func (c *cluster) allotCLI(args ...string) string {
	c.t.Helper()
	code, r, err := c.allot[0].Exec(c.t.Context(), append([]string{"/usr/local/bin/allot"}, args...), tcexec.Multiplexed())
	if err != nil {
		c.t.Fatalf("allot %s: %v", strings.Join(args, " "), err)
	}
	var last string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			last = line
		}
	}
	if code != 0 {
		c.t.Fatalf("allot %s: exit %d: %s", strings.Join(args, " "), code, last)
	}
	return last
}

func (c *cluster) openDB() *sql.DB {
	c.t.Helper()
	db, err := sql.Open("pgx", c.dsn)
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() { _ = db.Close() })
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := db.PingContext(c.t.Context())
		if err == nil {
			return db
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("connect through PgBouncer: %v", err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// ready reports whether every Allot server answers /readyz.
func (c *cluster) ready(hc *http.Client) error {
	var errs []error
	for _, u := range c.urls {
		resp, err := hc.Get(u + "/readyz")
		if err != nil {
			errs = append(errs, err)
			continue
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			errs = append(errs, fmt.Errorf("%s/readyz: %d", u, resp.StatusCode))
		}
	}
	return errors.Join(errs...)
}
