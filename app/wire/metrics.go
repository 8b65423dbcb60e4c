package wire

import (
	"context"
	"errors"
	"log/slog"
	"net"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/allot-io/allot/adapters/bunstore"
	"github.com/allot-io/allot/adapters/httpapi"
	"github.com/allot-io/allot/adapters/metrics"
	"github.com/allot-io/allot/app/service"
)

// newMetrics returns the metrics of a server that serves them on addr,
// each on a registry of its own; nil when addr is empty (metrics off).
func newMetrics(addr string) *metrics.Metrics {
	if addr == "" {
		return nil
	}
	return metrics.New(prometheus.NewRegistry())
}

// storeOptions makes the store count its failures on m.
func storeOptions(m *metrics.Metrics) []bunstore.Option {
	if m == nil {
		return nil
	}
	return []bunstore.Option{bunstore.WithMetrics(m)}
}

// watchStore reports the store's pools, stock levels and organisations on m and hands m
// to the use cases. A nil m leaves deps as they are: a nil pointer in the
// ports.Metrics interface would not read as "none".
func watchStore(m *metrics.Metrics, store *bunstore.Store, deps *service.Deps) error {
	if m == nil {
		return nil
	}
	if err := m.WatchPools(store.Pools()); err != nil {
		return err
	}
	if err := m.WatchStock(store, metrics.DefaultStockLimit); err != nil {
		return err
	}
	if err := m.WatchQueue(store); err != nil {
		return err
	}
	if err := m.WatchOrgs(store); err != nil {
		return err
	}
	deps.Metrics = m
	return nil
}

// withMetricsServer runs serve and, when m is set, the metrics listener on
// addr beside it, until ctx ends. When the metrics listener fails (its
// address is taken, say) the API is shut down too, so that a server never
// runs unwatched by mistake; the error says which failed.
func withMetricsServer(ctx context.Context, m *metrics.Metrics, addr string, log *slog.Logger, ready func(string), serve func(context.Context) error) error {
	if m == nil {
		return serve(ctx)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		err := serveMetrics(ctx, m, addr, log, ready)
		if err != nil {
			cancel()
		}
		errc <- err
	}()
	err := serve(ctx)
	cancel()
	merr := <-errc
	if merr != nil {
		return errors.Join(merr, err)
	}
	return err
}

// serveMetrics is the metrics listener; httpapi.Serve's timeouts and
// graceful shutdown suit it as they suit the API.
func serveMetrics(ctx context.Context, m *metrics.Metrics, addr string, log *slog.Logger, ready func(string)) error {
	log = log.With("server", "metrics")
	return httpapi.Serve(ctx, addr, m.Handler(log), log, func(a net.Addr) {
		if ready != nil {
			ready(a.String())
		}
	})
}

// httpConfig is the API's configuration: with m, every request is timed
// and the API's own authentication refusals are counted.
func httpConfig(m *metrics.Metrics) httpapi.Config {
	if m == nil {
		return httpapi.Config{}
	}
	return httpapi.Config{Observe: m.Middleware(), Metrics: m}
}
