package enrollment

import (
	"testing"
	"time"

	"github.com/allot-io/allot/domain/fault"
)

// TestLifecycleEveryPair runs every event from every status, for both
// activation types, against the expected state machine written out here
// independently of the rules table: allowed pairs land where expected with
// their message, every other pair is a Conflict LINE_TRANSITION_INVALID.
func TestLifecycleEveryPair(t *testing.T) {
	type key struct {
		at   ActivationType
		ev   Event
		from LineStatus
	}
	N, P := NewActivation, PortIn
	want := map[key]LineStatus{
		{N, EventQueue, StatusAttached}: StatusQueued,
		{P, EventQueue, StatusAttached}: StatusQueued,

		{N, EventSubmit, StatusQueued}: StatusSubmitted,
		{P, EventSubmit, StatusQueued}: StatusPortPending,

		{N, EventActivate, StatusSubmitted}:   StatusActive,
		{P, EventActivate, StatusPortPending}: StatusActive,

		{N, EventFail, StatusQueued}:      StatusFailed,
		{N, EventFail, StatusSubmitted}:   StatusFailed,
		{P, EventFail, StatusQueued}:      StatusFailed,
		{P, EventFail, StatusPortPending}: StatusFailed,

		{P, EventRequireResolution, StatusPortPending}: StatusPortResolutionRequired,

		{N, EventRetry, StatusFailed}:                 StatusQueued,
		{P, EventRetry, StatusFailed}:                 StatusQueued,
		{P, EventRetry, StatusPortResolutionRequired}: StatusQueued,

		{N, EventCancel, StatusAttached}:               StatusCancelled,
		{N, EventCancel, StatusFailed}:                 StatusCancelled,
		{P, EventCancel, StatusAttached}:               StatusCancelled,
		{P, EventCancel, StatusFailed}:                 StatusCancelled,
		{P, EventCancel, StatusPortResolutionRequired}: StatusCancelled,

		{P, EventPortCancel, StatusPortPending}:            StatusCancelled,
		{P, EventPortCancel, StatusPortResolutionRequired}: StatusCancelled,
	}
	do := map[Event]func(ActivationType, LineStatus) (Transition, error){
		EventQueue:    Queue,
		EventSubmit:   Submit,
		EventActivate: func(at ActivationType, s LineStatus) (Transition, error) { return Activate(at, s, "2125550100") },
		EventFail:     func(at ActivationType, s LineStatus) (Transition, error) { return Fail(at, s, "rejected") },
		EventRequireResolution: func(at ActivationType, s LineStatus) (Transition, error) {
			return RequireResolution(at, s, "wrong zip")
		},
		EventRetry:  Retry,
		EventCancel: Cancel,
		EventPortCancel: func(at ActivationType, s LineStatus) (Transition, error) {
			return CancelPort(at, s, "port withdrawn")
		},
	}
	if len(do) != len(Events) {
		t.Fatalf("%d events tested, %d defined", len(do), len(Events))
	}
	allowed := 0
	for _, at := range []ActivationType{N, P} {
		for _, ev := range Events {
			for _, from := range Statuses {
				k := key{at, ev, from}
				tr, err := do[ev](at, from)
				to, ok := want[k]
				if Allowed(ev, at, from) != ok {
					t.Errorf("Allowed(%s, %s, %s) = %v, want %v", ev, at, from, !ok, ok)
				}
				if !ok {
					if fault.CodeOf(err) != fault.Conflict || fault.ReasonOf(err) != ReasonLineTransitionInvalid {
						t.Errorf("%s %s from %s: err %v, want Conflict %s", at, ev, from, err, ReasonLineTransitionInvalid)
					}
					continue
				}
				allowed++
				if err != nil {
					t.Errorf("%s %s from %s: %v", at, ev, from, err)
					continue
				}
				if tr.From != from || tr.To != to || tr.Event != ev || tr.Message == "" {
					t.Errorf("%s %s from %s = %+v, want to %s with a message", at, ev, from, tr, to)
				}
			}
		}
	}
	if allowed != len(want) {
		t.Errorf("%d allowed transitions checked, %d expected", allowed, len(want))
	}
}

func TestActivateNeedsTenDigitMDN(t *testing.T) {
	for _, mdn := range []string{"", "212555010", "21255501000", "212555010a"} {
		_, err := Activate(NewActivation, StatusSubmitted, mdn)
		if fault.CodeOf(err) != fault.Invalid || fault.ReasonOf(err) != ReasonMDNInvalid {
			t.Errorf("Activate(%q) err %v, want Invalid %s", mdn, err, ReasonMDNInvalid)
		}
	}
	tr, err := Activate(NewActivation, StatusSubmitted, "2125550100")
	if err != nil || tr.Message != "active with MDN 2125550100" {
		t.Errorf("Activate = %+v, %v", tr, err)
	}
}

func TestRetryDelay(t *testing.T) {
	for _, c := range []struct {
		attempt int
		want    time.Duration
	}{{0, 2 * time.Second}, {1, 2 * time.Second}, {2, 4 * time.Second}, {5, 32 * time.Second}, {9, 512 * time.Second}, {10, 10 * time.Minute}, {64, 10 * time.Minute}} {
		if got := RetryDelay(c.attempt); got != c.want {
			t.Errorf("RetryDelay(%d) = %v, want %v", c.attempt, got, c.want)
		}
	}
	if Spent(MaxProvisionAttempts-1) || !Spent(MaxProvisionAttempts) {
		t.Error("Spent must be true exactly from the last attempt")
	}
}

func TestParseLineStatus(t *testing.T) {
	for _, s := range Statuses {
		if got, err := ParseLineStatus(string(s)); err != nil || got != s {
			t.Errorf("ParseLineStatus(%s) = %s, %v", s, got, err)
		}
	}
	if _, err := ParseLineStatus("active"); fault.CodeOf(err) != fault.Invalid {
		t.Errorf("lower case: %v", err)
	}
}
