package cli

import (
	"fmt"
	"io"
	"net"
	"strings"

	ucli "github.com/urfave/cli/v2"
)

// envMetricsAddr names the address of the Prometheus metrics listener.
const envMetricsAddr = "ALLOT_METRICS_ADDR"

// metricsAddrFlag is serve's --metrics-addr: off (empty) by default,
// because the metrics name organisations, owners and item codes and belong
// on a private network, not beside the public API.
func metricsAddrFlag() ucli.Flag {
	return &ucli.StringFlag{
		Name:    "metrics-addr",
		Usage:   "serve Prometheus metrics on `HOST:PORT` at /metrics, apart from the API (port 0 picks a free port); off when empty",
		EnvVars: []string{envMetricsAddr},
	}
}

// metricsAddr reads --metrics-addr (or ALLOT_METRICS_ADDR): empty, or a
// HOST:PORT.
func metricsAddr(c *ucli.Context) (string, error) {
	addr := strings.TrimSpace(c.String("metrics-addr"))
	if addr == "" {
		return "", nil
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return "", usagef(c, "--metrics-addr (or %s) %q is not HOST:PORT", envMetricsAddr, addr)
	}
	return addr, nil
}

// metricsReady reports the bound metrics address on w.
func metricsReady(w io.Writer) func(string) {
	return func(bound string) { fmt.Fprintf(w, "allot: metrics on http://%s/metrics\n", bound) }
}
