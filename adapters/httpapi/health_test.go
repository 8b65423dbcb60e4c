package httpapi

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/ports"
)

type outdatedHealth struct{}

func (outdatedHealth) Ready(context.Context) error {
	return &fault.Error{Code: fault.Unavailable, Reason: ports.ReasonSchemaOutdated,
		Message: "the database is at migration none, this build needs 20260403000001_hardening: run `allot migrate`"}
}

// TestDefect5ReadyzReportsTheSchema: /readyz is 503 on a database behind
// the build, and says what to run.
func TestDefect5ReadyzReportsTheSchema(t *testing.T) {
	h := newHarness(t, func(_ *Config, s *ports.Services) { s.Health = outdatedHealth{} })
	w := h.do(http.MethodGet, "/readyz", "")
	e := wantError(t, w, http.StatusServiceUnavailable, reasonNotReady, "")
	if !strings.Contains(e["message"].(string), "run `allot migrate`") {
		t.Errorf("message %v", e["message"])
	}
}
