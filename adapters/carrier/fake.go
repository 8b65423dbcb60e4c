package carrier

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/allot-io/allot/ports"
)

var _ ports.Carrier = (*Fake)(nil)

// ErrUnavailable is the transient error a Fake returns while Down is set
// or FailFirst is not yet used up.
var ErrUnavailable = errors.New("carrier unavailable")

// Fake is an in-memory carrier. Each activation key is activated once,
// however often it is submitted; the answer comes from Answer, or is
// active with an MDN the carrier does not assign (the organisation's stock
// supplies it) and an MSID derived from the key. It is safe for
// concurrent use.
type Fake struct {
	mu sync.Mutex
	// Answer, when set, decides the answer to a first submission.
	Answer func(r ports.CarrierRequest) ports.CarrierAnswer
	// FailFirst makes the first n calls fail with ErrUnavailable.
	FailFirst int
	// Down makes every call fail with ErrUnavailable.
	Down bool

	calls       int
	answers     map[string]ports.CarrierAnswer
	activations map[string]int
}

// NewFake returns a Fake that activates every line at once.
func NewFake() *Fake {
	return &Fake{answers: map[string]ports.CarrierAnswer{}, activations: map[string]int{}}
}

func (f *Fake) fail() error {
	f.calls++
	if f.Down || f.calls <= f.FailFirst {
		return ErrUnavailable
	}
	return nil
}

// Activate implements ports.Carrier.
func (f *Fake) Activate(_ context.Context, r ports.CarrierRequest) (ports.CarrierAnswer, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fail(); err != nil {
		return ports.CarrierAnswer{}, err
	}
	if a, ok := f.answers[r.Key]; ok {
		return a, nil
	}
	a := ports.CarrierAnswer{Kind: ports.AnswerActive, MSID: fmt.Sprintf("9%09d", r.Line.CustomerID%1_000_000_000)}
	if f.Answer != nil {
		a = f.Answer(r)
	}
	f.answers[r.Key] = a
	if a.Kind == ports.AnswerActive {
		f.activations[r.Key]++
	}
	return a, nil
}

// Status implements ports.Carrier.
func (f *Fake) Status(_ context.Context, key string) (ports.CarrierAnswer, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fail(); err != nil {
		return ports.CarrierAnswer{}, err
	}
	if a, ok := f.answers[key]; ok {
		return a, nil
	}
	return ports.CarrierAnswer{Kind: ports.AnswerUnknown}, nil
}

// Set makes key's request answer a from now on, as a carrier finishing
// its work (a port completing) would.
func (f *Fake) Set(key string, a ports.CarrierAnswer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answers[key] = a
	if a.Kind == ports.AnswerActive {
		f.activations[key]++
	}
}

// Activations returns how many times key was activated.
func (f *Fake) Activations(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.activations[key]
}

// ActivationCounts returns how many times each key was activated, for a
// test that proves every line was activated once and only once.
func (f *Fake) ActivationCounts() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]int, len(f.activations))
	for k, n := range f.activations {
		out[k] = n
	}
	return out
}
