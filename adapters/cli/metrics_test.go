package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestServeMetricsAddr checks that metrics are off unless --metrics-addr
// or ALLOT_METRICS_ADDR names a HOST:PORT, and that the bound metrics
// address is reported.
func TestServeMetricsAddr(t *testing.T) {
	tests := []struct {
		name string
		env  string
		args []string
		want string
	}{
		{"off by default", "", nil, ""},
		{"ALLOT_METRICS_ADDR", "127.0.0.1:9464", nil, "127.0.0.1:9464"},
		{"--metrics-addr wins", "127.0.0.1:9464", []string{"--metrics-addr", ":0"}, ":0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cleanEnv(t)
			if tt.env != "" {
				t.Setenv(envMetricsAddr, tt.env)
			}
			h := newHarness()
			r := h.run(t, append([]string{"serve"}, tt.args...)...)
			if r.code != 0 || len(h.served) != 1 {
				t.Fatalf("got %+v, served %d times", r, len(h.served))
			}
			if got := h.served[0]; got.MetricsAddr != tt.want || got.MetricsReady == nil {
				t.Errorf("MetricsAddr = %q (ready %v), want %q", got.MetricsAddr, got.MetricsReady != nil, tt.want)
			}
		})
	}

	cleanEnv(t)
	h := newHarness()
	r := h.run(t, "serve", "--metrics-addr", "9464")
	if r.code != 2 || !strings.Contains(r.stderr, `--metrics-addr (or ALLOT_METRICS_ADDR) "9464" is not HOST:PORT`) || len(h.served) != 0 {
		t.Errorf("a bad address: %+v, served %d times", r, len(h.served))
	}

	var out bytes.Buffer
	code := Run(context.Background(), Deps{
		Serve: func(_ context.Context, cfg ServeConfig) error {
			cfg.MetricsReady("127.0.0.1:9464")
			return nil
		},
		Stdout: &bytes.Buffer{}, Stderr: &out,
	}, []string{"allot", "serve", "--metrics-addr", "127.0.0.1:0"})
	if code != 0 || out.String() != "allot: metrics on http://127.0.0.1:9464/metrics\n" {
		t.Errorf("exit %d, stderr %q", code, out.String())
	}
}
