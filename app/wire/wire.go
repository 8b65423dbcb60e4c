// Package wire is Allot's composition root: it opens the store named by a
// DSN, builds the use cases on it and hands them to the driving adapters.
// It is the only package that imports every adapter, so nothing else has
// to.
package wire

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"github.com/allot-io/allot/adapters/bunstore"
	"github.com/allot-io/allot/adapters/dashboard"
	"github.com/allot-io/allot/adapters/httpapi"
	"github.com/allot-io/allot/adapters/metrics"
	"github.com/allot-io/allot/adapters/secret"
	"github.com/allot-io/allot/app/service"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/ports"
)

// Config is the whole configuration of one allot process. The program's
// main (cmd/allot) loads it from flags and the environment in one place;
// tests fill it in. Nothing below reads the environment.
type Config struct {
	// DSN names the database (bunstore.ParseDSN).
	DSN string
	// Addr is where Serve listens (HOST:PORT; port 0 picks one).
	Addr string
	// Migrate asks Serve and Work (the functions) to apply pending
	// migrations first; a Program's user calls Migrate itself.
	Migrate bool
	// RequireKey makes Open fail when no secret key can be had, as serving
	// does: secrets are sealed and tokens signed with it. The operator
	// commands do without.
	RequireKey bool
	// Work runs the provisioning worker inside Serve.
	Work bool
	// Workers, Poll and RescueAfter configure the provisioning worker (0:
	// its defaults; bunstore.WorkerConfig).
	Workers     int
	Poll        time.Duration
	RescueAfter time.Duration
	// TokenTTL is the enrollment token lifetime; 0 means 15 minutes.
	TokenTTL time.Duration
	// MetricsAddr is where Serve exposes Prometheus metrics; empty serves
	// none.
	MetricsAddr string
	// SecretKey is ALLOT_SECRET_KEY (hex or base64 of 32 bytes); empty on
	// the embedded default keeps a generated key beside the database.
	SecretKey string
	// CarrierURL and CarrierSecret configure the HTTP carrier gateway;
	// without a URL lines are provisioned at the in-process simulator.
	CarrierURL, CarrierSecret string
	// CarrierSimFailureRate, CarrierSimResolutionRate, CarrierSimSeed and
	// CarrierSimDelay configure the in-process simulator used without a
	// CarrierURL (carrier.SimConfig); zero activates every line at once.
	CarrierSimFailureRate, CarrierSimResolutionRate float64
	CarrierSimSeed                                  uint64
	CarrierSimDelay                                 time.Duration
	// carrierSimErr is LoadEnv's verdict on the simulator's settings,
	// refused by Open.
	carrierSimErr error
	// SecureCookies marks the dashboard's cookies Secure behind a proxy
	// that terminates TLS.
	SecureCookies bool
	// MaxSeriesSize bounds a series; 0 means series.DefaultMaxSize.
	MaxSeriesSize uint64
	// Log receives structured logs; nil means JSON on stderr at LogLevel.
	Log *slog.Logger
	// LogLevel is the level of the default log (NewLogger).
	LogLevel string
	// AuthCacheTTL is service.Config.VerifiedCredentialTTL: 0 means
	// enrollment.DefaultVerifiedTTL, negative no cache.
	AuthCacheTTL time.Duration
	// Hasher overrides the password hasher (tests use a cheap one).
	Hasher ports.PasswordHasher
	// Ready is called with the bound address once Serve listens, and
	// MetricsReady with the metrics listener's. Either may be nil.
	Ready, MetricsReady func(addr string)
}

// NewLogger returns a JSON slog logger at level ("debug", "info", "warn",
// "error"; default info).
func NewLogger(w *os.File, level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.TrimSpace(level))); err != nil || level == "" {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

// Program is one allot process, in the shape of wtf's cmd/wtfd Main: New,
// Open, then Migrate, Serve or Work, then Close. Services is set by Open.
type Program struct {
	// Services are the use cases on the opened store.
	Services ports.Services

	cfg     Config
	store   *bunstore.Store
	lines   *service.Lifecycle
	hooks   *service.Webhooks
	metrics *metrics.Metrics
	// keyErr says why no secret key could be had: Serve refuses to run
	// without one.
	keyErr error
}

// New returns the program of cfg, not yet open.
func New(cfg Config) *Program {
	if cfg.Log == nil {
		cfg.Log = NewLogger(os.Stderr, cfg.LogLevel)
	}
	return &Program{cfg: cfg}
}

// Open opens the store and builds the use cases on it. It does not
// migrate.
func (p *Program) Open(ctx context.Context) error {
	cfg := p.cfg
	master, keyErr := masterKey(cfg.DSN, cfg.SecretKey)
	if keyErr != nil && cfg.RequireKey {
		return keyErr
	}
	p.keyErr = keyErr
	p.metrics = newMetrics(cfg.MetricsAddr)
	m := p.metrics
	store, err := bunstore.Open(ctx, cfg.DSN, storeOptions(m)...)
	if err != nil {
		return err
	}
	p.store = store
	// No card gateway ships with Allot: card payments are refused.
	deps := service.Deps{Store: store, Orders: store, Hasher: cfg.hasher()}
	if err := watchStore(m, store, &deps); err != nil {
		store.Close()
		return err
	}
	if master != nil {
		keys := secret.Derive(master)
		sealer, err := secret.NewGCM(keys.Seal)
		if err != nil {
			store.Close()
			return err
		}
		deps.Sealer, deps.TokenKey, deps.SessionKey = sealer, keys.Token, keys.Session
	}
	svc := service.New(deps, service.Config{
		Series:                series.Limits{MaxSize: cfg.MaxSeriesSize},
		TokenTTL:              cfg.TokenTTL,
		VerifiedCredentialTTL: cfg.AuthCacheTTL,
	})
	hooks, watch := webhooks(store, deps.Sealer, cfg)
	svc.Webhooks = hooks
	svc = watch.Wrap(svc)
	keys := carrierSecrets(store, deps.Sealer, cfg)
	lines, err := lifecycle(store, keys, cfg)
	if err != nil {
		store.Close()
		return err
	}
	svc.Lines = lines
	svc.CarrierSecrets = keys
	svc.CarrierCallbacks = carrierCallbacks(lines, store, keys, cfg)
	p.Services, p.lines, p.hooks = svc, lines, hooks
	return nil
}

// Migrate applies pending migrations.
func (p *Program) Migrate(ctx context.Context) error { return p.store.Migrate(ctx) }

// CheckSchema tells whether the database holds every migration this build
// needs, saying what to run when not.
func (p *Program) CheckSchema(ctx context.Context) error { return p.store.CheckSchema(ctx) }

// Close releases the store.
func (p *Program) Close() error {
	if p.store == nil {
		return nil
	}
	return p.store.Close()
}

// Work runs the provisioning worker until ctx is cancelled.
func (p *Program) Work(ctx context.Context) error {
	// An unmigrated database would fail every job: refuse it, saying what
	// to run.
	if err := p.CheckSchema(ctx); err != nil {
		return err
	}
	return p.work(ctx)
}

func (p *Program) work(ctx context.Context) error {
	return p.store.RunWorker(ctx, p.lines, bunstore.WorkerConfig{Workers: p.cfg.Workers, Poll: p.cfg.Poll, Logger: p.cfg.Log, Webhooks: p.hooks, RescueAfter: p.cfg.RescueAfter})
}

// Open opens the store named by dsn for an operator command and builds the
// services on it. The embedded SQLite default is brought up to date on
// open, so that it needs no set-up; a PostgreSQL database only by Migrate
// (`allot migrate`), so that a release's schema change is an operator's
// decision.
func Open(ctx context.Context, dsn string, cfg Config) (*Program, error) {
	cfg.DSN = dsn
	d, err := bunstore.ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	p := New(cfg)
	if err := p.Open(ctx); err != nil {
		return nil, err
	}
	if d.Kind == bunstore.DialectSQLite {
		if err := p.Migrate(ctx); err != nil {
			p.Close()
			return nil, err
		}
	}
	return p, nil
}

// MigrateByDefault reports whether serving or working on dsn applies
// pending migrations unless told otherwise: on the embedded SQLite
// default, a fresh file is useless until migrated; a shared PostgreSQL is
// migrated deliberately.
func MigrateByDefault(dsn string) bool {
	d, err := bunstore.ParseDSN(dsn)
	return err == nil && d.Kind == bunstore.DialectSQLite
}

// Serve opens the program of cfg (which must have a secret key), migrates
// it when cfg says so, serves it until ctx is cancelled and closes it.
func Serve(ctx context.Context, cfg Config) error {
	cfg.RequireKey = true
	return run(ctx, cfg, (*Program).Serve)
}

// Work opens the program of cfg, migrates it when cfg says so, runs its
// provisioning worker until ctx is cancelled and closes it.
func Work(ctx context.Context, cfg Config) error { return run(ctx, cfg, (*Program).Work) }

func run(ctx context.Context, cfg Config, mode func(*Program, context.Context) error) error {
	p := New(cfg)
	if err := p.Open(ctx); err != nil {
		return err
	}
	defer p.Close()
	if cfg.Migrate {
		if err := p.Migrate(ctx); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
	}
	return mode(p, ctx)
}

func (cfg Config) hasher() ports.PasswordHasher {
	if cfg.Hasher != nil {
		return cfg.Hasher
	}
	return secret.NewHasher()
}

// masterKey returns the key secrets and tokens derive from: the
// configured one (ALLOT_SECRET_KEY) when set; otherwise, on the embedded
// SQLite default, a key generated once into a 0600 file beside the
// database. A PostgreSQL deployment must provide one, because a key kept
// with the data would not protect the data.
func masterKey(dsn, configured string) ([]byte, error) {
	if configured != "" {
		key, err := secret.ParseKey(configured)
		if err != nil {
			return nil, keyError(err.Error())
		}
		return key, nil
	}
	d, err := bunstore.ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	switch d.Kind {
	case bunstore.DialectSQLite:
		if d.InMemory() {
			return nil, keyError("set " + secret.EnvKey + ": an in-memory database has no place to keep a key file")
		}
		key, _, err := secret.LoadOrCreateKeyFile(d.Path + ".key")
		if err != nil {
			return nil, keyError(err.Error())
		}
		return key, nil
	case bunstore.DialectPostgres:
		return nil, keyError(secret.EnvKey + " is required to serve on PostgreSQL (32 random bytes, hex or base64: e.g. `openssl rand -hex 32`)")
	}
	return nil, keyError("no home for a secret key on a database of kind " + d.Kind)
}

func keyError(msg string) error {
	return fault.InvalidField(secret.EnvKey, "required", "SECRET_KEY", msg)
}

// Serve serves the HTTP API and the dashboard (under /dashboard) on the
// Config's Addr until ctx is cancelled, then shuts down gracefully; with
// Work, the provisioning worker runs beside it.
func (p *Program) Serve(ctx context.Context) error {
	cfg, log := p.cfg, p.cfg.Log
	if p.keyErr != nil {
		return p.keyErr
	}
	// An unmigrated database would answer every call with an error:
	// refuse to serve it, saying what to run.
	if err := p.CheckSchema(ctx); err != nil {
		return err
	}
	if cfg.Work {
		// The worker stops with the server: whichever ends first ends
		// both.
		var stop func()
		ctx, stop = runBeside(ctx, log, p.work)
		defer stop()
	}
	m := p.metrics
	api := httpapi.New(httpConfig(m), p.Services, log)
	// The dashboard is a handler of its own, mounted on the API's server
	// and port behind its middleware; it applies the series limits of the
	// use cases in its count preview.
	api.Mount(dashboard.Path, dashboard.New(dashboard.Config{
		Limits:        series.Limits{MaxSize: cfg.MaxSeriesSize},
		SecureCookies: cfg.SecureCookies,
	}, p.Services, log).Handler())
	return withMetricsServer(ctx, m, cfg.MetricsAddr, log, cfg.MetricsReady, func(ctx context.Context) error {
		return httpapi.Serve(ctx, cfg.Addr, api, log, func(a net.Addr) {
			if cfg.Ready != nil {
				cfg.Ready(a.String())
			}
		})
	})
}
