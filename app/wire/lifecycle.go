package wire

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/allot-io/allot/adapters/bunstore"
	"github.com/allot-io/allot/adapters/carrier"
	"github.com/allot-io/allot/adapters/cli"
	"github.com/allot-io/allot/app/service"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/ports"
)

// Carrier gateway settings: without EnvCarrierURL lines are provisioned at
// the in-process simulator (carrier.Fake), which activates every line at
// once and leaves the MDN to the organisation's MDN stock.
const (
	EnvCarrierURL    = "ALLOT_CARRIER_URL"
	EnvCarrierSecret = "ALLOT_CARRIER_SECRET"
)

// newCarrier returns the carrier lines are provisioned at.
func newCarrier() (ports.Carrier, error) {
	u := strings.TrimSpace(os.Getenv(EnvCarrierURL))
	if u == "" {
		return carrier.NewFake(), nil
	}
	g, err := carrier.NewGateway(u, []byte(os.Getenv(EnvCarrierSecret)), 10*time.Second)
	if err != nil {
		return nil, fault.InvalidField(EnvCarrierURL, "http(s) URL and "+EnvCarrierSecret, "CARRIER_GATEWAY", err.Error())
	}
	return g, nil
}

// lifecycle returns the line lifecycle service on store.
func lifecycle(store *bunstore.Store, cfg Config) (*service.Lifecycle, error) {
	c, err := newCarrier()
	if err != nil {
		return nil, err
	}
	return service.NewLifecycle(store, store, c, cfg.Log), nil
}

// Work opens the store named by wc.DSN and runs the provisioning worker
// until ctx is cancelled.
func Work(ctx context.Context, wc cli.WorkConfig, cfg Config) error {
	b, err := Open(ctx, wc.DSN, cfg)
	if err != nil {
		return err
	}
	defer b.Close()
	if b.CheckSchema != nil {
		if err := b.CheckSchema(ctx); err != nil {
			return err
		}
	}
	return b.Work(ctx, wc)
}

// runBeside runs fn in the background and returns a context cancelled
// when fn ends, so that a failed worker stops the server with it (fn's
// error is logged), and stop, which cancels fn and waits for it to end,
// so that the store is not closed under it.
func runBeside(ctx context.Context, log *slog.Logger, fn func(ctx context.Context) error) (context.Context, func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer cancel()
		if err := fn(ctx); err != nil && !errors.Is(err, context.Canceled) {
			log.ErrorContext(ctx, "provisioning worker stopped", "error", err)
		}
	}()
	return ctx, func() { cancel(); <-done }
}
