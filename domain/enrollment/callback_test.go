package enrollment

import (
	"testing"
	"time"

	"github.com/allot-io/allot/domain/fault"
)

func TestParseActivationKey(t *testing.T) {
	org, id, err := ParseActivationKey(ActivationKey(7, 1234))
	if err != nil || org != 7 || id != 1234 {
		t.Fatalf("ParseActivationKey = %d %d %v", org, id, err)
	}
	for _, bad := range []string{"", "allot-7", "allot-x-1", "allot-7-0", "allot-07-1", "other-7-1", "allot-7-1-2"} {
		if _, _, err := ParseActivationKey(bad); fault.ReasonOf(err) != ReasonActivationKeyInvalid {
			t.Errorf("ParseActivationKey(%q) = %v", bad, err)
		}
	}
}

func TestCheckCallbackTime(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	if err := CheckCallbackTime(now.Add(-CallbackWindow), now); err != nil {
		t.Fatalf("at the window's edge: %v", err)
	}
	for _, sent := range []time.Time{{}, now.Add(-CallbackWindow - time.Second), now.Add(CallbackWindow + time.Second)} {
		if err := CheckCallbackTime(sent, now); fault.ReasonOf(err) != ReasonCallbackStale {
			t.Errorf("sent %v: %v", sent, err)
		}
	}
}
