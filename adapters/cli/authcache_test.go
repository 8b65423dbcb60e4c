package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/allot-io/allot/domain/enrollment"
)

// TestServeAuthCacheTTL: --auth-cache-ttl (or ALLOT_AUTH_CACHE_TTL) sets
// how long verified vendor credentials are trusted, 0 turns the cache off
// (-1 to the server), and more than enrollment.MaxVerifiedTTL is refused.
func TestServeAuthCacheTTL(t *testing.T) {
	for _, tt := range []struct {
		name, env string
		args      []string
		want      time.Duration
	}{
		{"default", "", nil, enrollment.DefaultVerifiedTTL},
		{"flag", "", []string{"--auth-cache-ttl", "90s"}, 90 * time.Second},
		{"env", "2m", nil, 2 * time.Minute},
		{"off", "", []string{"--auth-cache-ttl", "0"}, -1},
		{"maximum", "", []string{"--auth-cache-ttl", "5m"}, enrollment.MaxVerifiedTTL},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cleanEnv(t)
			if tt.env != "" {
				t.Setenv(envAuthCacheTTL, tt.env)
			}
			h := newHarness()
			r := h.run(t, append([]string{"serve"}, tt.args...)...)
			if r.code != 0 || len(h.served) != 1 {
				t.Fatalf("got %+v, served %d times", r, len(h.served))
			}
			if got := h.served[0].AuthCacheTTL; got != tt.want {
				t.Errorf("AuthCacheTTL = %v; want %v", got, tt.want)
			}
		})
	}
	for _, tt := range []struct {
		args    []string
		message string
	}{
		{[]string{"--auth-cache-ttl", "5m1s"}, "5m1s is out of bounds; it must be from 0 (no cache) to 5m"},
		{[]string{"--auth-cache-ttl=-1s"}, "-1s is out of bounds; it must be from 0 (no cache) to 5m"},
		{[]string{"--auth-cache-ttl", "soon"}, `"soon" is not a duration`},
	} {
		cleanEnv(t)
		h := newHarness()
		r := h.run(t, append([]string{"serve"}, tt.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, "--auth-cache-ttl (or ALLOT_AUTH_CACHE_TTL) "+tt.message) || len(h.served) != 0 {
			t.Errorf("%v: exit %d, stderr %q, served %d", tt.args, r.code, r.stderr, len(h.served))
		}
	}
}
