// Package command assembles the allot program: the commands of
// adapters/cli over the program root of app/wire, configured from the
// environment through wire.LoadEnv. cmd/allot runs it; tests run it
// in-process.
package command

import (
	"context"

	"github.com/allot-io/allot/adapters/cli"
	"github.com/allot-io/allot/app/wire"
)

// Deps connects the commands of adapters/cli to the program root: the
// operator commands open it, serve and work run it. base holds what tests
// set (a cheap hasher, a quiet log); getenv is os.Getenv in the program.
func Deps(getenv func(string) string, base wire.Config) cli.Deps {
	cfg, envErr := wire.LoadEnv(getenv, base)
	return cli.Deps{
		Open: func(ctx context.Context, dsn string) (*cli.Backend, error) {
			p, err := wire.Open(ctx, dsn, cfg)
			if err != nil {
				return nil, err
			}
			return &cli.Backend{Services: p.Services, Migrate: p.Migrate, Close: p.Close, CheckSchema: p.CheckSchema}, nil
		},
		Serve: func(ctx context.Context, sc cli.ServeConfig) error {
			if envErr != nil {
				return envErr
			}
			cfg := cfg
			cfg.DSN, cfg.Addr, cfg.Migrate, cfg.Work, cfg.TokenTTL = sc.DSN, sc.Addr, sc.Migrate, sc.Work, sc.TokenTTL
			cfg.MetricsAddr, cfg.Ready, cfg.MetricsReady = sc.MetricsAddr, sc.Ready, sc.MetricsReady
			cfg.AuthCacheTTL = sc.AuthCacheTTL
			return wire.Serve(ctx, cfg)
		},
		Work: func(ctx context.Context, wc cli.WorkConfig) error {
			cfg := cfg
			cfg.DSN, cfg.Workers, cfg.Poll, cfg.RescueAfter = wc.DSN, wc.Workers, wc.Poll, wc.RescueAfter
			cfg.Migrate = wire.MigrateByDefault(wc.DSN)
			return wire.Work(ctx, cfg)
		},
	}
}
