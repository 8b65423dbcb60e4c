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

	"github.com/allot-io/allot/adapters/bunstore"
	"github.com/allot-io/allot/adapters/cli"
	"github.com/allot-io/allot/adapters/httpapi"
	"github.com/allot-io/allot/app/service"
	"github.com/allot-io/allot/domain/series"
)

// Config is what the composition root needs beyond a DSN.
type Config struct {
	// MaxSeriesSize bounds a series; 0 means series.DefaultMaxSize.
	MaxSeriesSize uint64
	// Log receives structured logs; nil means JSON on stderr.
	Log *slog.Logger
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

// Open opens the store named by dsn and builds the services on it. It does
// not migrate; Backend.Migrate does.
func Open(ctx context.Context, dsn string, cfg Config) (*cli.Backend, error) {
	store, err := bunstore.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	svc := service.New(service.Deps{Store: store}, service.Config{Series: series.Limits{MaxSize: cfg.MaxSeriesSize}})
	return &cli.Backend{
		Services: svc,
		Migrate:  store.Migrate,
		Close:    store.Close,
	}, nil
}

// Serve opens the store, migrates it when asked, and serves the HTTP API on
// sc.Addr until ctx is cancelled, then shuts down gracefully.
func Serve(ctx context.Context, sc cli.ServeConfig, cfg Config) error {
	log := cfg.Log
	if log == nil {
		log = slog.Default()
	}
	b, err := Open(ctx, sc.DSN, cfg)
	if err != nil {
		return err
	}
	defer b.Close()
	if sc.Migrate {
		if err := b.Migrate(ctx); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
	}
	api := httpapi.New(httpapi.Config{}, b.Services, log)
	return httpapi.Serve(ctx, sc.Addr, api, log, func(a net.Addr) {
		if sc.Ready != nil {
			sc.Ready(a.String())
		}
	})
}
