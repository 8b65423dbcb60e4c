package wire

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/allot-io/allot/adapters/bunstore"
	"github.com/allot-io/allot/adapters/carrier"
	"github.com/allot-io/allot/app/service"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/ports"
)

// newCarrier returns the carrier lines are provisioned at: the gateway
// to CarrierURL, or else the in-process simulator of the CarrierSim
// settings. The gateway signs each organisation's requests with the
// secret keys gives for it.
func newCarrier(cfg Config, keys ports.CarrierKeys) (ports.Carrier, error) {
	if cfg.carrierSimErr != nil {
		return nil, cfg.carrierSimErr
	}
	if err := simViolations(cfg).Err(); err != nil {
		return nil, err
	}
	u := strings.TrimSpace(cfg.CarrierURL)
	if u == "" {
		return carrier.NewSim(carrier.SimConfig{FailureRate: cfg.CarrierSimFailureRate, ResolutionRate: cfg.CarrierSimResolutionRate,
			Seed: cfg.CarrierSimSeed, Delay: cfg.CarrierSimDelay}, nil), nil
	}
	// Without EnvCarrierSecret every organisation needs a secret of its
	// own: the gateway refuses, and retries, the requests of one that has
	// none.
	g, err := carrier.NewOrgGateway(u, keys, 10*time.Second)
	if err != nil {
		return nil, fault.InvalidField(EnvCarrierURL, "http(s) URL", "CARRIER_GATEWAY", err.Error())
	}
	return g, nil
}

// lifecycle returns the line lifecycle service on store (which draws its
// MDNs in the activation's own transaction).
func lifecycle(store *bunstore.Store, keys ports.CarrierKeys, cfg Config) (*service.Lifecycle, error) {
	c, err := newCarrier(cfg, keys)
	if err != nil {
		return nil, err
	}
	return service.NewLifecycle(store, store, c, cfg.Log), nil
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
