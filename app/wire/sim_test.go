package wire_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/allot-io/allot/adapters/bunstore"
	"github.com/allot-io/allot/adapters/secret"
	"github.com/allot-io/allot/app/wire"
	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
)

// TestLoadEnvCarrierSim: the simulator's settings are read onto the
// Config; each bad one is refused naming its variable, and a Config
// holding one cannot be opened.
func TestLoadEnvCarrierSim(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	cfg, err := wire.LoadEnv(env(map[string]string{
		wire.EnvCarrierSimFailureRate: "0.25", wire.EnvCarrierSimResolutionRate: "1",
		wire.EnvCarrierSimSeed: "42", wire.EnvCarrierSimDelay: "3s",
	}), wire.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.CarrierSimFailureRate != 0.25 || cfg.CarrierSimResolutionRate != 1 || cfg.CarrierSimSeed != 42 || cfg.CarrierSimDelay != 3*time.Second {
		t.Fatalf("Config %+v", cfg)
	}
	if cfg, err := wire.LoadEnv(env(nil), wire.Config{}); err != nil || cfg.CarrierSimFailureRate != 0 || cfg.CarrierSimDelay != 0 {
		t.Fatalf("defaults: %+v, %v", cfg, err)
	}
	for name, v := range map[string]string{
		wire.EnvCarrierSimFailureRate: "1.5", wire.EnvCarrierSimResolutionRate: "-0.1",
		wire.EnvCarrierSimSeed: "-3", wire.EnvCarrierSimDelay: "soon",
	} {
		bad, err := wire.LoadEnv(env(map[string]string{name: v}), wire.Config{Hasher: secret.NewTestHasher()})
		fe, ok := fault.As(err)
		if !ok || fe.Code != fault.Invalid || len(fe.Violations) != 1 || fe.Violations[0].Field != name || !strings.Contains(fe.Message, name) {
			t.Errorf("%s=%s: %v", name, v, err)
			continue
		}
		if _, err := wire.Open(context.Background(), "sqlite::memory:", bad); fault.CodeOf(err) != fault.Invalid || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%s: Open = %v", name, v, err)
		}
	}
	// A Config filled in by an embedder is checked as well.
	if _, err := wire.Open(context.Background(), "sqlite::memory:", wire.Config{Hasher: secret.NewTestHasher(), CarrierSimFailureRate: 2}); fault.CodeOf(err) != fault.Invalid ||
		!strings.Contains(err.Error(), wire.EnvCarrierSimFailureRate) {
		t.Errorf("Open with failure rate 2 = %v", err)
	}
}

// TestWorkWithSimulatorFailureRate runs `allot work` on the default,
// in-process carrier with ALLOT_CARRIER_SIM_FAILURE_RATE=1: the queued
// line is rejected and ends FAILED with the simulator's reason.
func TestWorkWithSimulatorFailureRate(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "allot.db")
	t.Setenv(secret.EnvKey, strings.Repeat("ab", 32))
	t.Setenv(wire.EnvCarrierSimFailureRate, "1")
	t.Setenv(wire.EnvCarrierSimSeed, "9")
	st, org, id := workUntil(t, db, enrollment.StatusFailed)
	if st.Status != enrollment.StatusFailed || st.MDN != "" {
		t.Fatalf("line %+v, want FAILED without an MDN", st)
	}
	s, err := bunstore.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	h, err := s.LineHistory(context.Background(), org, id)
	if err != nil || len(h) == 0 || !strings.Contains(h[len(h)-1].Message, "simulated rejection") {
		t.Fatalf("history %+v, %v", h, err)
	}
}
