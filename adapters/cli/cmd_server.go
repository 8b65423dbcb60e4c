package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/token"
)

func (s *state) serveCommand() *ucli.Command {
	return leaf("serve", "run the HTTP API and dashboard until SIGINT or SIGTERM", "",
		[]ucli.Flag{
			dbFlag(),
			&ucli.StringFlag{
				Name:    "addr",
				Usage:   "listen on `HOST:PORT` (port 0 picks a free port)",
				Value:   DefaultAddr,
				EnvVars: []string{envAddr},
			},
			&ucli.BoolFlag{
				Name:        "migrate",
				Usage:       "apply pending migrations before serving; --migrate=false to skip",
				DefaultText: "true on a sqlite: DSN, false otherwise",
				EnvVars:     []string{envMigrate},
			},
			&ucli.StringFlag{
				Name: "token-ttl",
				Usage: "enrollment API tokens stay valid for `DURATION` (Go syntax: 90s, 15m, 1h30m; " +
					shortDuration(token.MinTTL) + " to " + shortDuration(token.MaxTTL) + ")",
				Value:   shortDuration(token.DefaultTTL),
				EnvVars: []string{envTokenTTL},
			},
			&ucli.StringFlag{
				Name: "auth-cache-ttl",
				Usage: "trust vendor credentials POST /authenticate verified for `DURATION` without hashing them again " +
					"(0 turns the cache off; at most " + shortDuration(enrollment.MaxVerifiedTTL) + ")",
				Value:   shortDuration(enrollment.DefaultVerifiedTTL),
				EnvVars: []string{envAuthCacheTTL},
			},
			metricsAddrFlag(),
			&ucli.BoolFlag{
				Name: "work",
				// On by default, so that one binary provisions lines on a
				// laptop; a deployment that scales workers apart turns it off.
				Usage:   "also run the line provisioning worker in this process, as `allot work` does (--work=false: serve the API alone)",
				Value:   true,
				EnvVars: []string{"ALLOT_WORK"},
			},
		},
		s.serve)
}

func (s *state) serve(c *ucli.Context) error {
	if _, err := args(c); err != nil {
		return err
	}
	dsn, err := s.dsn(c)
	if err != nil {
		return err
	}
	addr := strings.TrimSpace(c.String("addr"))
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return usagef(c, "--addr %q is not HOST:PORT", addr)
	}
	ttl, err := tokenTTL(c)
	if err != nil {
		return err
	}
	cacheTTL, err := authCacheTTL(c)
	if err != nil {
		return err
	}
	maddr, err := metricsAddr(c)
	if err != nil {
		return err
	}
	// A fresh SQLite file is useless until migrated, so that is the
	// default there; a shared PostgreSQL is migrated deliberately.
	migrate := isSQLite(dsn)
	if c.IsSet("migrate") {
		migrate = c.Bool("migrate")
	}
	if s.deps.Serve == nil {
		return fault.New(fault.Internal, "INTERNAL", "no server is configured in this build")
	}
	var once sync.Once
	cfg := ServeConfig{
		DSN:          dsn,
		Addr:         addr,
		Migrate:      migrate,
		Work:         c.Bool("work"),
		TokenTTL:     ttl,
		AuthCacheTTL: cacheTTL,
		Ready: func(bound string) {
			once.Do(func() { fmt.Fprintf(c.App.ErrWriter, "allot: serving on http://%s\n", bound) })
		},
	}
	cfg.MetricsAddr, cfg.MetricsReady = maddr, metricsReady(c.App.ErrWriter)
	err = s.deps.Serve(c.Context, cfg)
	if err != nil && c.Context.Err() != nil && errors.Is(err, context.Canceled) {
		// A signal cancelled ctx: that is how serve is meant to end.
		return nil
	}
	return err
}

// tokenTTL reads --token-ttl (or ALLOT_TOKEN_TTL): a Go duration within
// [token.MinTTL, token.MaxTTL].
func tokenTTL(c *ucli.Context) (time.Duration, error) {
	v := strings.TrimSpace(c.String("token-ttl"))
	ttl, err := time.ParseDuration(v)
	if err != nil {
		return 0, usagef(c, "--token-ttl (or %s) %q is not a duration; use Go duration syntax, e.g. 90s, 15m or 1h30m", envTokenTTL, v)
	}
	if ttl < token.MinTTL || ttl > token.MaxTTL {
		return 0, usagef(c, "--token-ttl (or %s) %s is out of bounds; it must be between %s and %s",
			envTokenTTL, v, shortDuration(token.MinTTL), shortDuration(token.MaxTTL))
	}
	return ttl, nil
}

// authCacheTTL reads --auth-cache-ttl (or ALLOT_AUTH_CACHE_TTL): a Go
// duration from 0 to enrollment.MaxVerifiedTTL; 0 (off) is returned as -1,
// which ServeConfig.AuthCacheTTL reads as off.
func authCacheTTL(c *ucli.Context) (time.Duration, error) {
	v := strings.TrimSpace(c.String("auth-cache-ttl"))
	ttl, err := time.ParseDuration(v)
	if err != nil {
		return 0, usagef(c, "--auth-cache-ttl (or %s) %q is not a duration; use Go duration syntax, e.g. 0, 90s or 5m", envAuthCacheTTL, v)
	}
	if err := enrollment.CheckVerifiedTTL("--auth-cache-ttl", ttl); err != nil {
		return 0, usagef(c, "--auth-cache-ttl (or %s) %s is out of bounds; it must be from 0 (no cache) to %s",
			envAuthCacheTTL, v, shortDuration(enrollment.MaxVerifiedTTL))
	}
	if ttl == 0 {
		return -1, nil
	}
	return ttl, nil
}

// shortDuration renders d without trailing zero units: "15m", not "15m0s".
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func (s *state) migrateCommand() *ucli.Command {
	return leaf("migrate", "apply pending database migrations", "",
		[]ucli.Flag{dbFlag()},
		func(c *ucli.Context) error {
			if _, err := args(c); err != nil {
				return err
			}
			return s.withBackend(c, func(ctx context.Context, b *Backend) error {
				if b.Migrate == nil {
					return fault.New(fault.Internal, "INTERNAL", "this store has no migrations")
				}
				if err := b.Migrate(ctx); err != nil {
					return err
				}
				return printf(c, "migrations applied\n")
			})
		})
}
