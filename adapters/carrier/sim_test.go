package carrier

import (
	"context"
	"testing"
	"time"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/ports"
)

func simReq(i int, at enrollment.ActivationType) ports.CarrierRequest {
	return ports.CarrierRequest{Key: enrollment.ActivationKey(1, int64(i)),
		Line: ports.LineState{CustomerID: int64(i), ActivationType: at, Carrier: "TMB"}}
}

// answers submits lines 0..n-1 (every third a port-in) to s in order and
// returns each key's answer.
func answers(t *testing.T, s *Sim, order []int) map[string]ports.AnswerKind {
	t.Helper()
	out := map[string]ports.AnswerKind{}
	for _, i := range order {
		at := enrollment.NewActivation
		if i%3 == 0 {
			at = enrollment.PortIn
		}
		r := simReq(i, at)
		a, err := s.Activate(context.Background(), r)
		if err != nil {
			t.Fatal(err)
		}
		out[r.Key] = a.Kind
	}
	return out
}

func count(m map[string]ports.AnswerKind, k ports.AnswerKind) int {
	n := 0
	for _, v := range m {
		if v == k {
			n++
		}
	}
	return n
}

// TestSimDefaultActivatesEveryLine: with rates 0 every line, port-in or
// not, is active at once with an MSID and no MDN.
func TestSimDefaultActivatesEveryLine(t *testing.T) {
	s := NewSim(SimConfig{}, nil)
	for i := range 30 {
		at := enrollment.NewActivation
		if i%2 == 0 {
			at = enrollment.PortIn
		}
		a, err := s.Activate(context.Background(), simReq(i, at))
		if err != nil || a.Kind != ports.AnswerActive || a.MSID == "" || a.MDN != "" {
			t.Fatalf("line %d: %+v, %v", i, a, err)
		}
	}
}

// TestSimDeterministicUnderSeed: two simulators of one seed give every
// key the same answer, whatever order the requests come in; another seed
// gives other answers; the rates show in the shares.
func TestSimDeterministicUnderSeed(t *testing.T) {
	cfg := SimConfig{FailureRate: 0.2, ResolutionRate: 0.5, Seed: 42}
	const n = 3000
	fwd, rev := make([]int, n), make([]int, n)
	for i := range n {
		fwd[i], rev[i] = i, n-1-i
	}
	a := answers(t, NewSim(cfg, nil), fwd)
	b := answers(t, NewSim(cfg, nil), rev)
	for k, v := range a {
		if b[k] != v {
			t.Fatalf("%s: %s in one run, %s in the other", k, v, b[k])
		}
	}
	cfg.Seed = 43
	c := answers(t, NewSim(cfg, nil), fwd)
	differ := 0
	for k, v := range a {
		if c[k] != v {
			differ++
		}
	}
	if differ == 0 {
		t.Fatal("another seed gave the same answers")
	}
	// 20% of 3,000 rejected; half of the 800 port-ins not rejected
	// (1,000 port-ins) require resolution; new activations never do.
	if r := count(a, ports.AnswerRejected); r < 510 || r > 690 {
		t.Errorf("%d rejected of %d at rate 0.2", r, n)
	}
	if r := count(a, ports.AnswerResolutionRequired); r < 330 || r > 470 {
		t.Errorf("%d resolution required of ~800 port-ins at rate 0.5", r)
	}
	for i := 1; i < n; i += 3 {
		if a[simReq(i, enrollment.NewActivation).Key] == ports.AnswerResolutionRequired {
			t.Fatalf("new activation %d asked for resolution", i)
		}
	}
	if got := answers(t, NewSim(SimConfig{FailureRate: 1, Seed: 42}, nil), fwd); count(got, ports.AnswerRejected) != n {
		t.Errorf("rate 1 rejected %d of %d", count(got, ports.AnswerRejected), n)
	}
}

// TestSimIdempotent: a key submitted again, or asked about, answers the
// first decision and is activated once; a rejection stays; a port-in
// requiring resolution is decided anew when submitted again, with the
// same sequence of answers under the same seed.
func TestSimIdempotent(t *testing.T) {
	ctx := context.Background()
	s := NewSim(SimConfig{FailureRate: 0.3, ResolutionRate: 0.6, Seed: 7}, nil)
	var rejected, resolution, active int
	for i := range 300 {
		at := enrollment.NewActivation
		if i%2 == 0 {
			at = enrollment.PortIn
		}
		r := simReq(i, at)
		first, _ := s.Activate(ctx, r)
		switch first.Kind {
		case ports.AnswerActive:
			active++
			again, _ := s.Activate(ctx, r)
			st, _ := s.Status(ctx, r.Key)
			if again != first || st != first || s.Activations(r.Key) != 1 {
				t.Fatalf("%s: %+v, then %+v, status %+v, %d activations", r.Key, first, again, st, s.Activations(r.Key))
			}
		case ports.AnswerRejected:
			rejected++
			again, _ := s.Activate(ctx, r)
			if again != first || s.Activations(r.Key) != 0 {
				t.Fatalf("%s: rejected, then %+v", r.Key, again)
			}
		case ports.AnswerResolutionRequired:
			resolution++
			if st, _ := s.Status(ctx, r.Key); st != first {
				t.Fatalf("%s: status %+v after %+v", r.Key, st, first)
			}
			var seq []ports.AnswerKind
			for range 5 {
				a, _ := s.Activate(ctx, r)
				seq = append(seq, a.Kind)
			}
			other := NewSim(SimConfig{FailureRate: 0.3, ResolutionRate: 0.6, Seed: 7}, nil)
			other.Activate(ctx, r)
			for j, want := range seq {
				if a, _ := other.Activate(ctx, r); a.Kind != want {
					t.Fatalf("%s: resubmission %d answered %s, %s in the first run", r.Key, j, a.Kind, want)
				}
			}
			if n := s.Activations(r.Key); n > 1 {
				t.Fatalf("%s activated %d times", r.Key, n)
			}
		}
	}
	if rejected == 0 || resolution == 0 || active == 0 {
		t.Fatalf("rejected %d, resolution %d, active %d: every kind should occur", rejected, resolution, active)
	}
	if a, _ := s.Status(ctx, "allot-9-9"); a.Kind != ports.AnswerUnknown {
		t.Fatalf("unknown key: %+v", a)
	}
}

// TestSimDelay: during the delay the carrier answers accepted, to a
// resubmission and a status read alike, having activated the line once;
// after it, the decided answer.
func TestSimDelay(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 4, 13, 12, 0, 0, 0, time.UTC)
	s := NewSim(SimConfig{Delay: 3 * time.Second}, func() time.Time { return now })
	r := simReq(5, enrollment.NewActivation)
	for range 2 {
		if a, _ := s.Activate(ctx, r); a.Kind != ports.AnswerAccepted {
			t.Fatalf("during the delay: %+v", a)
		}
	}
	if a, _ := s.Status(ctx, r.Key); a.Kind != ports.AnswerAccepted {
		t.Fatalf("status during the delay: %+v", a)
	}
	now = now.Add(3 * time.Second)
	if a, _ := s.Status(ctx, r.Key); a.Kind != ports.AnswerActive {
		t.Fatalf("status after the delay: %+v", a)
	}
	if n := s.Activations(r.Key); n != 1 {
		t.Fatalf("activated %d times", n)
	}
}
