package attempt

import (
	"errors"
	"testing"
	"time"

	"github.com/allot-io/allot/domain/fault"
)

func TestPolicyDecide(t *testing.T) {
	p := Policy{Max: 3, Window: time.Minute}
	want := []Decision{Check, Check, CheckLast, Refuse, Refuse}
	for i, w := range want {
		if got := p.Decide(i + 1); got != w {
			t.Errorf("Decide(%d) = %v, want %v", i+1, got, w)
		}
	}
	if (Policy{}).Decide(1000) != Check {
		t.Error("a zero policy refused")
	}
}

func TestPolicyWindows(t *testing.T) {
	p := Policy{Max: 5, Window: 15 * time.Minute}
	now := time.Date(2026, 1, 1, 10, 7, 30, 0, time.UTC)
	if got := p.WindowStart(now); !got.Equal(time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("WindowStart = %v", got)
	}
	if got := p.WindowEnd(now); !got.Equal(time.Date(2026, 1, 1, 10, 15, 0, 0, time.UTC)) {
		t.Errorf("WindowEnd = %v", got)
	}
	if got := p.Horizon(now); !got.Equal(time.Date(2026, 1, 1, 9, 45, 0, 0, time.UTC)) {
		t.Errorf("Horizon = %v", got)
	}
	// Never refused for longer than one window.
	if end := p.WindowEnd(now); end.Sub(now) > p.Window {
		t.Errorf("refusal lasts %v", end.Sub(now))
	}
}

func TestKeyAndError(t *testing.T) {
	if Key(VendorCredential, "a", "bc") == Key(VendorCredential, "ab", "c") {
		t.Error("subjects are ambiguous")
	}
	if Key(VendorCredential, "a") == Key(VendorAddress, "a") {
		t.Error("scopes share keys")
	}
	now := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	err := TooManyError(now.Add(1500*time.Millisecond), now)
	var w *Wait
	if fault.ReasonOf(err) != ReasonTooMany || !errors.As(err, &w) || w.Seconds != 2 {
		t.Errorf("TooManyError = %v", err)
	}
}
