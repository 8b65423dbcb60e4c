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

func TestLockedError(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	err := LockedError(t0.Add(90*time.Second), t0)
	if fault.CodeOf(err) != fault.Forbidden || fault.ReasonOf(err) != ReasonLocked || !strings.Contains(err.Error(), "2 minutes") {
		t.Errorf("LockedError = %v", err)
	}
}

func TestSessionAndCSRF(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	s := Session{CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	if s.Expired(t0) || s.Expired(t0.Add(time.Hour-1)) || !s.Expired(t0.Add(time.Hour)) {
		t.Error("a session's lifetime is [CreatedAt, ExpiresAt)")
	}
	k1, k2 := bytes.Repeat([]byte("a"), 32), bytes.Repeat([]byte("b"), 32)
	if first, again := CSRFToken(k1, "s1"), CSRFToken(k1, "s1"); first != again {
		t.Error("CSRFToken is not stable")
	}
	if CSRFToken(k1, "s1") == CSRFToken(k1, "s2") || CSRFToken(k1, "s1") == CSRFToken(k2, "s1") {
		t.Error("CSRFToken must depend on both the session and the key")
	}
}
