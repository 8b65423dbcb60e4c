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
	"strconv"
	"strings"
	"time"

	"github.com/allot-io/allot/adapters/bunstore"
	"github.com/allot-io/allot/adapters/cli"
	"github.com/allot-io/allot/adapters/dashboard"
	"github.com/allot-io/allot/adapters/httpapi"
	"github.com/allot-io/allot/adapters/metrics"
	"github.com/allot-io/allot/adapters/secret"
	"github.com/allot-io/allot/app/service"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/ports"
)

// Config is what the composition root needs beyond a DSN.
type Config struct {
	// MaxSeriesSize bounds a series; 0 means series.DefaultMaxSize.
	MaxSeriesSize uint64
	// Log receives structured logs; nil means JSON on stderr.
	Log *slog.Logger
	// TokenTTL is the enrollment token lifetime; 0 means 15 minutes.
	TokenTTL time.Duration
	// AuthCacheTTL is service.Config.VerifiedCredentialTTL: 0 means
	// enrollment.DefaultVerifiedTTL, negative no cache.
	AuthCacheTTL time.Duration
	// Hasher overrides the password hasher (tests use a cheap one).
	Hasher ports.PasswordHasher
}

// Deps returns the CLI's dependencies wired to the real store and server.
func Deps(cfg Config) cli.Deps {
	if cfg.Log == nil {
		cfg.Log = NewLogger(os.Stderr, os.Getenv("ALLOT_LOG_LEVEL"))
	}
	return cli.Deps{
		Open: func(ctx context.Context, dsn string) (*cli.Backend, error) {
			return Open(ctx, dsn, cfg)
		},
		Serve: func(ctx context.Context, sc cli.ServeConfig) error {
			return Serve(ctx, sc, cfg)
		},
		Work: func(ctx context.Context, wc cli.WorkConfig) error {
			return Work(ctx, wc, cfg)
		},
	}
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

// Open opens the store named by dsn and builds the services on it. An
// embedded SQLite file is migrated on open; a PostgreSQL database only by
// Backend.Migrate (`allot migrate`), so that a release's schema change is
// an operator's decision.
func Open(ctx context.Context, dsn string, cfg Config) (*cli.Backend, error) {
	b, _, err := open(ctx, dsn, cfg, openMode{migrateSQLite: true}, nil)
	return b, err
}

// openMode says what open does beyond opening.
type openMode struct {
	// needKey fails when no secret key can be had, as serving the
	// enrollment API requires one.
	needKey bool
	// migrateSQLite brings an embedded SQLite file up to date: every CLI
	// command does; serve migrates as its --migrate says instead.
	migrateSQLite bool
}

// open opens the store and the services.
func open(ctx context.Context, dsn string, cfg Config, mode openMode, m *metrics.Metrics) (*cli.Backend, bool, error) {
	master, keyErr := masterKey(dsn)
	if keyErr != nil && mode.needKey {
		return nil, false, keyErr
	}
	store, err := bunstore.Open(ctx, dsn, storeOptions(m)...)
	if err != nil {
		return nil, false, err
	}
	if mode.migrateSQLite && store.Dialect() == bunstore.DialectSQLite {
		// The embedded default needs no set-up: every command brings its
		// file up to date, as `allot serve` does.
		if err := store.Migrate(ctx); err != nil {
			store.Close()
			return nil, false, err
		}
	}
	// No card gateway ships with Allot: card payments are refused.
	deps := service.Deps{Store: store, Orders: store, Hasher: cfg.hasher()}
	if err := watchStore(m, store, &deps); err != nil {
		store.Close()
		return nil, false, err
	}
	if master != nil {
		keys := secret.Derive(master)
		sealer, err := secret.NewGCM(keys.Seal)
		if err != nil {
			store.Close()
			return nil, false, err
		}
		deps.Sealer, deps.TokenKey, deps.SessionKey = sealer, keys.Token, keys.Session
	}
	svc := service.New(deps, service.Config{
		Series:                series.Limits{MaxSize: cfg.MaxSeriesSize},
		TokenTTL:              cfg.TokenTTL,
		VerifiedCredentialTTL: cfg.AuthCacheTTL,
	})
	lines, err := lifecycle(store, cfg)
	if err != nil {
		store.Close()
		return nil, false, err
	}
	svc.Lines = lines
	return &cli.Backend{
		Services:    svc,
		Migrate:     store.Migrate,
		Close:       store.Close,
		CheckSchema: store.CheckSchema,
		Work: func(ctx context.Context, wc cli.WorkConfig) error {
			return store.RunWorker(ctx, lines, bunstore.WorkerConfig{Workers: wc.Workers, Poll: wc.Poll, Logger: cfg.Log})
		},
	}, master != nil, nil
}

func (cfg Config) hasher() ports.PasswordHasher {
	if cfg.Hasher != nil {
		return cfg.Hasher
	}
	return secret.NewHasher()
}

// masterKey returns the key secrets and tokens derive from:
// ALLOT_SECRET_KEY when set; otherwise, on the embedded SQLite default, a
// key generated once into a 0600 file beside the database. A PostgreSQL
// deployment must provide ALLOT_SECRET_KEY, because a key kept with the
// data would not protect the data.
func masterKey(dsn string) ([]byte, error) {
	if v := os.Getenv(secret.EnvKey); v != "" {
		key, err := secret.ParseKey(v)
		if err != nil {
			return nil, keyError(err.Error())
		}
		return key, nil
	}
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		path = strings.TrimPrefix(path, "//")
		if path == "" || strings.HasPrefix(path, ":memory:") {
			return nil, keyError("set " + secret.EnvKey + ": an in-memory database has no place to keep a key file")
		}
		key, _, err := secret.LoadOrCreateKeyFile(path + ".key")
		if err != nil {
			return nil, keyError(err.Error())
		}
		return key, nil
	}
	return nil, keyError(secret.EnvKey + " is required to serve on PostgreSQL (32 random bytes, hex or base64: e.g. `openssl rand -hex 32`)")
}

// keyError is a configuration error: the operator must fix the key.
func keyError(msg string) error {
	return fault.InvalidField(secret.EnvKey, "required", "SECRET_KEY", msg)
}

// Serve opens the store, migrates it when asked, and serves the HTTP API
// and the dashboard (under /dashboard) on sc.Addr until ctx is cancelled,
// then shuts down gracefully.
func Serve(ctx context.Context, sc cli.ServeConfig, cfg Config) error {
	log := cfg.Log
	if log == nil {
		log = slog.Default()
	}
	if sc.TokenTTL > 0 {
		cfg.TokenTTL = sc.TokenTTL
	}
	if sc.AuthCacheTTL != 0 {
		cfg.AuthCacheTTL = sc.AuthCacheTTL
	}
	secure, err := secureCookies()
	if err != nil {
		return err
	}
	m := newMetrics(sc.MetricsAddr)
	// serve --migrate decides for every dialect (the CLI defaults it to on
	// for SQLite); with it off an outdated database is refused below.
	b, _, err := open(ctx, sc.DSN, cfg, openMode{needKey: true}, m)
	if err != nil {
		return err
	}
	defer b.Close()
	if sc.Migrate {
		if err := b.Migrate(ctx); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
	}
	// An unmigrated database would answer every call with an error:
	// refuse to serve it, saying what to run.
	if b.CheckSchema != nil {
		if err := b.CheckSchema(ctx); err != nil {
			return err
		}
	}
	if sc.Work {
		// The worker stops with the server: whichever ends first ends
		// both.
		var stop func()
		ctx, stop = runBeside(ctx, log, func(ctx context.Context) error { return b.Work(ctx, cli.WorkConfig{}) })
		defer stop()
	}
	api := httpapi.New(httpConfig(m), b.Services, log)
	// The dashboard shares the API's server, port and middleware, and the
	// series limits of the use cases, which its count preview applies.
	dashboard.New(dashboard.Config{
		Limits:        series.Limits{MaxSize: cfg.MaxSeriesSize},
		SecureCookies: secure,
	}, b.Services, log).Register(api.Engine())
	return withMetricsServer(ctx, m, sc.MetricsAddr, log, sc.MetricsReady, func(ctx context.Context) error {
		return httpapi.Serve(ctx, sc.Addr, api, log, func(a net.Addr) {
			if sc.Ready != nil {
				sc.Ready(a.String())
			}
		})
	})
}

// EnvSecureCookies, when true, makes the dashboard mark its cookies Secure
// although the server itself speaks plain HTTP: for a deployment behind a
// proxy that terminates TLS.
const EnvSecureCookies = "ALLOT_SECURE_COOKIES"

func secureCookies() (bool, error) {
	v := strings.TrimSpace(os.Getenv(EnvSecureCookies))
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fault.InvalidField(EnvSecureCookies, "enum", "SECURE_COOKIES", EnvSecureCookies+" must be true or false")
	}
	return b, nil
}
