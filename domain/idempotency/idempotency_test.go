package idempotency

import (
	"bytes"
	"strings"
	"testing"

	"github.com/allot-io/allot/domain/fault"
)

func TestParseKey(t *testing.T) {
	for _, ok := range []string{"k1", strings.Repeat("a", MaxKey), "a-b_c.d:e"} {
		if _, err := ParseKey(ok); err != nil {
			t.Errorf("ParseKey(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", strings.Repeat("a", MaxKey+1), "a b", "é", "a\x00"} {
		if _, err := ParseKey(bad); fault.ReasonOf(err) != ReasonKeyInvalid {
			t.Errorf("ParseKey(%q) = %v", bad, err)
		}
	}
	if _, err := ParseScoped(Scoped("ak_1", "k1")); err != nil {
		t.Error(err)
	}
	if _, err := ParseScoped(Scoped("ak_1", "")); err == nil {
		t.Error("an empty scoped key passed")
	}
}

func TestFingerprintCanonical(t *testing.T) {
	a := Fingerprint("POST", "/p", []byte(`{"b":1,"a":"x"}`))
	b := Fingerprint("POST", "/p", []byte(" {\n \"a\" : \"x\", \"b\":1 }"))
	if !bytes.Equal(a, b) {
		t.Error("re-ordered JSON has another fingerprint")
	}
	for _, other := range [][]byte{
		Fingerprint("POST", "/p", []byte(`{"b":2,"a":"x"}`)),
		Fingerprint("POST", "/q", []byte(`{"b":1,"a":"x"}`)),
		Fingerprint("POST", "/p", []byte(`{"b":1.0,"a":"x"}`)),
	} {
		if bytes.Equal(a, other) {
			t.Error("different requests share a fingerprint")
		}
	}
	if !bytes.Equal(Canonical([]byte("not json")), []byte("not json")) {
		t.Error("a body that is not JSON changed")
	}
}

func TestKeeps(t *testing.T) {
	if Keeps(400, fault.Invalid) || Keeps(503, fault.Unavailable) || !Keeps(200, "") || !Keeps(400, fault.Conflict) {
		t.Error("Keeps")
	}
}

func TestReplayable(t *testing.T) {
	a, b := []byte("a"), []byte("b")
	if err := Replayable(a, a, true); err != nil {
		t.Errorf("same request, finished: %v", err)
	}
	if err := Replayable(a, b, true); fault.ReasonOf(err) != ReasonKeyReused || fault.CodeOf(err) != fault.Invalid {
		t.Errorf("other request: %v", err)
	}
	if err := Replayable(a, b, false); fault.ReasonOf(err) != ReasonKeyReused {
		t.Errorf("other request, in progress: %v (a reuse is named first)", err)
	}
	if err := Replayable(a, a, false); fault.ReasonOf(err) != ReasonKeyInProgress || fault.CodeOf(err) != fault.Conflict {
		t.Errorf("in progress: %v", err)
	}
}
