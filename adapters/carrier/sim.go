package carrier

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/ports"
)

var _ ports.Carrier = (*Sim)(nil)

// SimConfig configures a Sim's answers.
type SimConfig struct {
	// FailureRate is the probability, 0 to 1, that the carrier rejects
	// an activation or port-in (the line goes FAILED).
	FailureRate float64
	// ResolutionRate is the probability, 0 to 1, that a port-in it does
	// not reject is answered "resolution required".
	ResolutionRate float64
	// Seed seeds the answers: the same seed and the same requests give
	// the same answers.
	Seed uint64
	// Delay is how long the carrier works on a request: until then it
	// answers "accepted", and the worker asks again.
	Delay time.Duration
}

// Sim is the in-process carrier simulator, the default carrier of `allot
// serve`: it answers by the rates of its SimConfig, each request's answer
// drawn from a PRNG seeded with the seed and the activation key, so that
// a run is reproducible whatever order the workers send in. A key is
// decided once: submitting it again, or asking its status, answers the
// first decision (a line is never activated twice), except that a port-in
// answered "resolution required" and submitted again (corrected by an
// operator's retry) is decided anew, with the key's next draw. Rejection
// is final, as ports.AnswerRejected says. It is safe for concurrent use.
type Sim struct {
	cfg SimConfig
	now func() time.Time

	mu   sync.Mutex
	reqs map[string]*simRequest
}

// simRequest is what the carrier knows of one activation key.
type simRequest struct {
	answer ports.CarrierAnswer
	// ready is when answer is known; before it the carrier says
	// accepted.
	ready time.Time
	// rounds counts the submissions decided.
	rounds      uint64
	activations int
}

// NewSim returns a simulator answering by cfg, reading the time from now
// (nil: time.Now). Rates outside 0..1 act as their nearest bound; the
// program's configuration refuses them before they get here.
func NewSim(cfg SimConfig, now func() time.Time) *Sim {
	if now == nil {
		now = time.Now
	}
	return &Sim{cfg: cfg, now: now, reqs: map[string]*simRequest{}}
}

// decide draws the answer to round n (0-based) of key's submissions.
func (s *Sim) decide(r ports.CarrierRequest, round uint64) ports.CarrierAnswer {
	h := fnv.New64a()
	_, _ = h.Write([]byte(r.Key))
	rng := rand.New(rand.NewPCG(s.cfg.Seed, h.Sum64()+round))
	// Both draws are taken on every round, so that one rate's change
	// leaves the other's decisions where they were.
	reject, resolve := rng.Float64(), rng.Float64()
	switch {
	case reject < s.cfg.FailureRate:
		return ports.CarrierAnswer{Kind: ports.AnswerRejected, Reason: "simulated rejection (failure rate)"}
	case r.Line.ActivationType == enrollment.PortIn && resolve < s.cfg.ResolutionRate:
		return ports.CarrierAnswer{Kind: ports.AnswerResolutionRequired,
			Reason: "simulated: the port-in account number or PIN does not match the losing carrier's"}
	}
	return ports.CarrierAnswer{Kind: ports.AnswerActive, MSID: fmt.Sprintf("9%09d", r.Line.CustomerID%1_000_000_000)}
}

// view is req's answer as of now.
func (s *Sim) view(req *simRequest) ports.CarrierAnswer {
	if s.now().Before(req.ready) {
		return ports.CarrierAnswer{Kind: ports.AnswerAccepted}
	}
	return req.answer
}

// Activate implements ports.Carrier.
func (s *Sim) Activate(_ context.Context, r ports.CarrierRequest) (ports.CarrierAnswer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	req, ok := s.reqs[r.Key]
	switch {
	case !ok:
		req = &simRequest{}
		s.reqs[r.Key] = req
	case s.view(req).Kind != ports.AnswerResolutionRequired:
		return s.view(req), nil
	}
	req.answer = s.decide(r, req.rounds)
	req.rounds++
	req.ready = s.now().Add(s.cfg.Delay)
	if req.answer.Kind == ports.AnswerActive {
		// The carrier activates when it decides; the answer may come
		// later.
		req.activations++
	}
	return s.view(req), nil
}

// Status implements ports.Carrier.
func (s *Sim) Status(_ context.Context, key string) (ports.CarrierAnswer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	req, ok := s.reqs[key]
	if !ok {
		return ports.CarrierAnswer{Kind: ports.AnswerUnknown}, nil
	}
	return s.view(req), nil
}

// Activations returns how many times key was activated.
func (s *Sim) Activations(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if req, ok := s.reqs[key]; ok {
		return req.activations
	}
	return 0
}
