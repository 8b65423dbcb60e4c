package cli

import (
	"context"
	"io"
	"os"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/allot-io/allot/ports"
)

// Defaults and environment variables of the allot binary.
const (
	// DefaultDSN is the database used when neither --db nor ALLOT_DB is
	// given: an SQLite file in the working directory, so that one command
	// starts a working server on a fresh machine.
	DefaultDSN = "sqlite:allot.db"
	// DefaultAddr is where `allot serve` listens when neither --addr nor
	// ALLOT_ADDR is given; loopback only, so that a first run exposes
	// nothing to the network.
	DefaultAddr = "127.0.0.1:8080"

	envDB       = "ALLOT_DB"
	envAddr     = "ALLOT_ADDR"
	envMigrate  = "ALLOT_MIGRATE"
	envTokenTTL = "ALLOT_TOKEN_TTL"
	// envAuthCacheTTL is --auth-cache-ttl's variable.
	envAuthCacheTTL = "ALLOT_AUTH_CACHE_TTL"
)

// Backend is an opened store with its services.
type Backend struct {
	Services ports.Services
	// Migrate applies pending migrations.
	Migrate func(ctx context.Context) error
	// Close releases the store; every command calls it exactly once.
	Close func() error
	// CheckSchema, when set, tells whether the database holds every
	// migration this build needs (ports.SchemaChecker).
	CheckSchema func(ctx context.Context) error
	// Work, when set, runs the provisioning worker until ctx is done.
	Work func(ctx context.Context, cfg WorkConfig) error
}

// ServeConfig is what `allot serve` passes to the composition root.
type ServeConfig struct {
	DSN  string
	Addr string
	// Migrate asks for pending migrations to be applied before serving. It
	// is true by default on a sqlite: DSN; --migrate (or ALLOT_MIGRATE)
	// forces it either way, for example on PostgreSQL.
	Migrate bool
	// Work runs the provisioning worker inside the server (--work).
	Work bool
	// TokenTTL is how long an enrollment API token stays valid: --token-ttl
	// (or ALLOT_TOKEN_TTL), token.DefaultTTL when neither is given, always
	// within [token.MinTTL, token.MaxTTL].
	TokenTTL time.Duration
	// AuthCacheTTL is how long verified vendor credentials are trusted
	// without hashing them again: --auth-cache-ttl (or
	// ALLOT_AUTH_CACHE_TTL), enrollment.DefaultVerifiedTTL when neither is
	// given; negative when set to 0, which turns the cache off.
	AuthCacheTTL time.Duration
	// Ready is called with the bound address once the server listens. It
	// may be nil.
	Ready func(addr string)
	// MetricsAddr is where Prometheus metrics are served (--metrics-addr,
	// ALLOT_METRICS_ADDR); empty serves none.
	MetricsAddr string
	// MetricsReady is called with the bound metrics address. It may be nil.
	MetricsReady func(addr string)
}

// Deps is what the commands need from the composition root.
type Deps struct {
	// Open opens the store named by dsn (postgres://... or sqlite:PATH).
	Open func(ctx context.Context, dsn string) (*Backend, error)
	// Serve runs the HTTP server until ctx is cancelled (SIGTERM/SIGINT),
	// then shuts it down gracefully.
	Serve func(ctx context.Context, cfg ServeConfig) error
	// Work runs the provisioning worker until ctx is cancelled.
	Work func(ctx context.Context, cfg WorkConfig) error
	// Stdout and Stderr receive output and errors; nil means os.Stdout and
	// os.Stderr.
	Stdout, Stderr io.Writer
}

// state is what the commands of one App share: the dependencies and the
// secrets seen while parsing flags, which Run must never print.
type state struct {
	deps    Deps
	stdout  io.Writer
	stderr  io.Writer
	secrets []string
	// globalDB is --db as given before the command, else ALLOT_DB, else
	// the default (read by the App's Before).
	globalDB string
}

// New returns a fresh App running the allot commands over deps. A fresh App
// is needed for every run because urfave/cli flags keep the values they
// parsed. The App never calls os.Exit: RunContext returns the error, which
// Run turns into a message and an exit code.
func New(deps Deps) *ucli.App {
	app, _ := newApp(deps)
	return app
}

func newApp(deps Deps) (*ucli.App, *state) {
	s := &state{deps: deps, stdout: deps.Stdout, stderr: deps.Stderr}
	if s.stdout == nil {
		s.stdout = os.Stdout
	}
	if s.stderr == nil {
		s.stderr = os.Stderr
	}
	app := &ucli.App{
		Name:        "allot",
		HelpName:    "allot",
		Usage:       "allot number series to customers and hubs, and serve the Allot API",
		HideVersion: true,
		Reader:      strings.NewReader(""),
		Writer:      s.stdout,
		ErrWriter:   s.stderr,
		// The default handler prints to the package-level cli.ErrWriter and
		// calls os.Exit; Run owns both printing and the exit code.
		ExitErrHandler: func(*ucli.Context, error) {},
		OnUsageError:   onUsageError,
		// --db is accepted before the command too; each command also takes it.
		Flags: []ucli.Flag{globalDBFlag()},
		Before: func(c *ucli.Context) error {
			s.globalDB = c.String("db")
			return nil
		},
		Action: groupAction,
		Commands: []*ucli.Command{
			s.serveCommand(),
			s.migrateCommand(),
			s.orgCommand(),
			s.apikeyCommand(),
			s.customerCommand(),
			s.hubCommand(),
			s.serviceTypeCommand(),
			s.seriesCommand(),
			s.stockCommand(),
			s.auditCommand(),
			s.vendorCommand(),
			s.agentCommand(),
			s.planCommand(),
			s.carrierCommand(),
			s.zipCommand(),
			s.sourceCommand(),
			s.enrollmentCommand(),
			s.operatorCommand(),
			// Orders and payments (cmd_order.go).
			s.shippingCommand(),
			s.feesCommand(),
			s.couponCommand(),
			s.orderCommand(),
			// Line lifecycle (cmd_line.go).
			s.lineCommand(),
			s.workCommand(),
			// Signed webhooks (cmd_webhook.go).
			s.webhookCommand(),
		},
	}
	return app, s
}

// Run runs the allot commands with args (as os.Args: args[0] is the program
// name) and returns the process exit code. Errors are printed to
// deps.Stderr as "allot: <message>", never with a stack trace; Run never
// calls os.Exit.
func Run(ctx context.Context, deps Deps, args []string) int {
	app, s := newApp(deps)
	if len(args) == 0 {
		args = []string{"allot"}
	}
	err := app.RunContext(ctx, args)
	if err == nil {
		return 0
	}
	return report(s.stderr, err, s.secrets)
}
