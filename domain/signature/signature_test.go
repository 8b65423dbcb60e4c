package signature

import (
	"testing"
	"time"
)

func TestBody(t *testing.T) {
	secret, body := []byte("s3cret"), []byte(`{"a":1}`)
	sig := Body(secret, body)
	// Computed independently: printf '{"a":1}' | openssl dgst -sha256 -hmac s3cret
	const want = "sha256=5910e62016ef5034272c926c27071992a465c2335cecf41851bda071577f4f6d"
	if sig != want {
		t.Fatalf("Body = %q, want %q", sig, want)
	}
	if !BodyValid(secret, body, sig) {
		t.Fatal("a body's own signature is refused")
	}
	for name, c := range map[string]struct {
		secret, body []byte
		sig          string
	}{
		"other secret": {[]byte("other"), body, sig},
		"other body":   {secret, []byte(`{"a":2}`), sig},
		"truncated":    {secret, body, sig[:len(sig)-1]},
		"empty":        {secret, body, ""},
	} {
		if BodyValid(c.secret, c.body, c.sig) {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestTimed(t *testing.T) {
	secret, body := []byte("k"), []byte("hello")
	ts := time.Unix(1_700_000_000, 0)
	sig := Timed(secret, ts, body)
	// printf '1700000000.hello' | openssl dgst -sha256 -hmac k
	if want := "v1=0c511384dbc4c6b6cbe53e5da961410697e51518b6128a9f4b1c0920a2ba5ff5"; sig != want {
		t.Fatalf("Timed = %q, want %q", sig, want)
	}
	if !TimedValid(secret, "1700000000", body, sig) {
		t.Fatal("own signature refused")
	}
	if TimedValid(secret, "1700000001", body, sig) {
		t.Fatal("a moved timestamp is accepted")
	}
	if TimedValid(secret, "1700000000", []byte("hellO"), sig) {
		t.Fatal("a changed body is accepted")
	}
	if Timed(secret, ts, body) == Timed([]byte("k2"), ts, body) {
		t.Fatal("the secret does not change the signature")
	}
}
