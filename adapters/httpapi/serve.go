package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Timeouts of the server Serve runs.
const (
	// ReadHeaderTimeout bounds reading request headers, against slowloris.
	ReadHeaderTimeout = 5 * time.Second
	// ReadTimeout bounds reading a whole request, body included (1 MiB
	// takes well under this on any usable link).
	ReadTimeout = 30 * time.Second
	// WriteTimeout bounds handling a request and writing its response.
	WriteTimeout = 60 * time.Second
	// IdleTimeout bounds keep-alive connections waiting for a next request.
	IdleTimeout = 120 * time.Second
	// ShutdownTimeout is how long in-flight requests get to finish once
	// ctx is cancelled.
	ShutdownTimeout = 10 * time.Second
)

// Serve listens on addr (":0" picks a free port), calls ready (when not nil)
// with the bound address, and serves h until ctx is cancelled; it then stops
// accepting connections and gives in-flight requests ShutdownTimeout to
// finish. It returns nil after a clean shutdown, and an error when it cannot
// listen, when serving fails, or when requests were still running at the
// deadline (their connections are then closed).
func Serve(ctx context.Context, addr string, h http.Handler, log *slog.Logger, ready func(net.Addr)) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("httpapi: listen on %q: %w", addr, err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		// net/http reports TLS and protocol errors through a log.Logger;
		// route them into the structured log.
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("http server listening", "addr", ln.Addr().String())
	if ready != nil {
		ready(ln.Addr())
	}

	select {
	case err := <-errc:
		// Serve returns by itself only when accepting fails.
		return fmt.Errorf("httpapi: serve: %w", err)
	case <-ctx.Done():
	}

	log.Info("http server shutting down", "timeout", ShutdownTimeout.String())
	// ctx is already cancelled; the shutdown gets its own deadline.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		closeErr := srv.Close()
		<-errc
		return fmt.Errorf("httpapi: graceful shutdown: %w", errors.Join(err, closeErr))
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("httpapi: serve: %w", err)
	}
	log.Info("http server stopped")
	return nil
}
