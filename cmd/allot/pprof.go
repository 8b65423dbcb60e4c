package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"time"
)

// envPprofAddr names the loopback HOST:PORT on which the process serves its
// runtime profiles (net/http/pprof), for profiling under load. Unset, the
// default, serves nothing.
const envPprofAddr = "ALLOT_PPROF_ADDR"

// startPprof serves the profiles on addr, which must be a loopback
// address: profiles reveal the program's internals and are never served
// to the network. It returns once the listener is bound.
func startPprof(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%s %q is not HOST:PORT", envPprofAddr, addr)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("%s %q: profiles are only served on a loopback address (127.0.0.1, ::1 or localhost)", envPprofAddr, addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%s: %w", envPprofAddr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(os.Stderr, "allot: pprof: %v\n", err)
		}
	}()
	fmt.Fprintf(os.Stderr, "allot: pprof on http://%s/debug/pprof/\n", ln.Addr())
	return nil
}
