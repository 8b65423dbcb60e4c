package operator

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/allot-io/allot/domain/fault"
)

func TestParseEmail(t *testing.T) {
	good := map[string]string{
		"ops@acme.test":         "ops@acme.test",
		"  Ops.Team+x@Acme.CO ": "ops.team+x@acme.co",
		"a@b-c.d":               "a@b-c.d",
	}
	for in, want := range good {
		if got, err := ParseEmail("email", in); err != nil || got != want {
			t.Errorf("ParseEmail(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	bad := []string{"", "ops", "ops@", "@acme.test", "ops@acme", "a@@acme.test", "a b@acme.test",
		"ops@acme..test", "ops@-acme.test", "ops@acme_x.test", "ops@acmé.test", "<a>@acme.test",
		strings.Repeat("a", MaxEmail) + "@acme.test"}
	for _, in := range bad {
		_, err := ParseEmail("email", in)
		fe, ok := fault.As(err)
		if !ok || fe.Code != fault.Invalid || fe.Reason != ReasonInvalidEmail || fe.Violations[0].Field != "email" {
			t.Errorf("ParseEmail(%q) = %v, want Invalid INVALID_EMAIL on email", in, err)
		}
	}
}

func TestCheckPassword(t *testing.T) {
	for _, p := range []string{"correct horse", strings.Repeat("x", MaxPassword), "ünïcödé pässwörd"} {
		if err := CheckPassword("password", p); err != nil {
			t.Errorf("CheckPassword(%q) = %v", p, err)
		}
	}
	for _, p := range []string{"", "short", strings.Repeat("x", MaxPassword+1), "twelve chars\n", "bad\xffbytes-and-more"} {
		if fault.ReasonOf(CheckPassword("password", p)) != ReasonInvalidPassword {
			t.Errorf("CheckPassword(%.20q) accepted", p)
		}
	}
}

func TestPolicyLockedUntil(t *testing.T) {
	p := DefaultPolicy
	t0 := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	at := func(minutes ...int) []time.Time {
		var ts []time.Time
		for _, m := range minutes {
			ts = append(ts, t0.Add(time.Duration(m)*time.Minute))
		}
		return ts
	}
	cases := []struct {
		name     string
		failures []time.Time
		now      time.Time
		until    time.Time // zero: not locked
	}{
		{"none", nil, t0, time.Time{}},
		{"four", at(0, 1, 2, 3), t0.Add(4 * time.Minute), time.Time{}},
		{"five in window", at(0, 1, 2, 3, 4), t0.Add(5 * time.Minute), t0.Add(19 * time.Minute)},
		{"unsorted", at(4, 0, 3, 1, 2), t0.Add(5 * time.Minute), t0.Add(19 * time.Minute)},
		{"lock over", at(0, 1, 2, 3, 4), t0.Add(19 * time.Minute), time.Time{}},
		{"spread beyond window", at(0, 4, 8, 12, 16), t0.Add(17 * time.Minute), time.Time{}},
		{"later run locks", at(0, 20, 21, 22, 23, 24), t0.Add(25 * time.Minute), t0.Add(39 * time.Minute)},
	}
	for _, c := range cases {
		until, locked := p.LockedUntil(c.failures, c.now)
		if locked != !c.until.IsZero() || !until.Equal(c.until) {
			t.Errorf("%s: LockedUntil = %v, %v; want %v", c.name, until, locked, c.until)
		}
	}
	err := LockedError(t0.Add(90*time.Second), t0)
	if fault.CodeOf(err) != fault.Forbidden || fault.ReasonOf(err) != ReasonLocked || !strings.Contains(err.Error(), "2 minutes") {
		t.Errorf("LockedError = %v", err)
	}
	if (Policy{}).Horizon() != 0 || p.Horizon() != 30*time.Minute {
		t.Errorf("Horizon = %v", p.Horizon())
	}
}

func TestSessionAndCSRF(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	s := Session{CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	if s.Expired(t0) || s.Expired(t0.Add(time.Hour-1)) || !s.Expired(t0.Add(time.Hour)) {
		t.Error("a session's lifetime is [CreatedAt, ExpiresAt)")
	}
	k1, k2 := bytes.Repeat([]byte("a"), 32), bytes.Repeat([]byte("b"), 32)
	if CSRFToken(k1, "s1") != CSRFToken(k1, "s1") {
		t.Error("CSRFToken is not stable")
	}
	if CSRFToken(k1, "s1") == CSRFToken(k1, "s2") || CSRFToken(k1, "s1") == CSRFToken(k2, "s1") {
		t.Error("CSRFToken must depend on both the session and the key")
	}
}
