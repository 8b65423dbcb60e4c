package token_test

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/token"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const ttl = 15 * time.Minute

func issued() token.Token {
	return token.Issue([]byte{1, 2, 3}, 42, "Dev-TxMobile", t0, ttl)
}

func TestState(t *testing.T) {
	consumed, err := issued().Consume(t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		tok  token.Token
		now  time.Time
		want token.State
	}{
		{"issued at issue time", issued(), t0, token.Issued},
		{"issued just before expiry", issued(), t0.Add(ttl - time.Nanosecond), token.Issued},
		{"expired exactly at issuedAt+ttl", issued(), t0.Add(ttl), token.Expired},
		{"expired after", issued(), t0.Add(ttl + time.Hour), token.Expired},
		{"issued before issue time (clock skew)", issued(), t0.Add(-time.Second), token.Issued},
		{"consumed", consumed, t0.Add(2 * time.Minute), token.Consumed},
		{"consumed stays consumed after expiry", consumed, t0.Add(ttl + time.Hour), token.Consumed},
		{"zero ttl is expired at once", token.Issue(nil, 1, "v", t0, 0), t0, token.Expired},
		{"negative ttl is expired at once", token.Issue(nil, 1, "v", t0, -time.Hour), t0, token.Expired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.tok.State(tt.now); got != tt.want {
				t.Errorf("State = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestConsume(t *testing.T) {
	tests := []struct {
		name   string
		tok    token.Token
		now    time.Time
		reason string // "" means success
		msg    string
	}{
		{name: "issued to consumed", tok: issued(), now: t0.Add(time.Minute)},
		{name: "last instant", tok: issued(), now: t0.Add(ttl - time.Nanosecond)},
		{name: "at expiry", tok: issued(), now: t0.Add(ttl), reason: token.ReasonExpired, msg: "Token expire"},
		{name: "after expiry", tok: issued(), now: t0.Add(ttl + time.Second), reason: token.ReasonExpired, msg: "Token expire"},
		{name: "restored consumed", tok: token.Restore([]byte{1}, 42, "v", t0, t0.Add(ttl), t0.Add(time.Second)),
			now: t0.Add(time.Minute), reason: token.ReasonUsed, msg: "Token already used"},
		{name: "restored unconsumed", tok: token.Restore([]byte{1}, 42, "v", t0, t0.Add(ttl), time.Time{}), now: t0.Add(time.Minute)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.tok.Consume(tt.now)
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("Consume: %v", err)
				}
				if at, ok := got.ConsumedAt(); !ok || !at.Equal(tt.now) || got.State(tt.now) != token.Consumed {
					t.Errorf("consumed at %v %v, state %v", at, ok, got.State(tt.now))
				}
				if _, ok := tt.tok.ConsumedAt(); ok {
					t.Error("Consume must not change the receiver")
				}
				return
			}
			fe, ok := fault.As(err)
			if !ok || fe.Code != fault.Unauthorized || fe.Reason != tt.reason || fe.Message != tt.msg {
				t.Fatalf("got %v, want Unauthorized %s %q", err, tt.reason, tt.msg)
			}
			if got.State(tt.now) != tt.tok.State(tt.now) {
				t.Error("a refused Consume must not change the state")
			}
		})
	}
}

func TestDoubleConsume(t *testing.T) {
	once, err := issued().Consume(t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	_, err = once.Consume(t0.Add(2 * time.Minute))
	if fe, ok := fault.As(err); !ok || fe.Code != fault.Unauthorized || fe.Reason != token.ReasonUsed || fe.Message != token.MsgUsed {
		t.Fatalf("second Consume = %v", err)
	}
	// Used wins over expired: the client learns the token was spent.
	_, err = once.Consume(t0.Add(ttl + time.Hour))
	if fault.ReasonOf(err) != token.ReasonUsed {
		t.Fatalf("Consume after expiry of a used token = %v", err)
	}
}

func TestInvalidError(t *testing.T) {
	fe, ok := fault.As(token.InvalidError())
	if !ok || fe.Code != fault.Unauthorized || fe.Reason != "TOKEN_INVALID" || fe.Message != "Invalid Token" {
		t.Fatalf("got %v", fe)
	}
}

func TestAccessors(t *testing.T) {
	d := []byte{9, 9}
	tok := token.Issue(d, 42, "Dev-TxMobile", t0, ttl)
	d[0] = 0
	if !bytes.Equal(tok.Digest(), []byte{9, 9}) {
		t.Error("Issue must copy the digest")
	}
	tok.Digest()[0] = 0
	if tok.Digest()[0] != 9 {
		t.Error("Digest must return a copy")
	}
	if tok.OrgID() != 42 || tok.VendorID() != "Dev-TxMobile" || !tok.IssuedAt().Equal(t0) || !tok.ExpiresAt().Equal(t0.Add(ttl)) {
		t.Errorf("accessors %v %v %v %v", tok.OrgID(), tok.VendorID(), tok.IssuedAt(), tok.ExpiresAt())
	}
	if token.Issued.String() != "issued" || token.Consumed.String() != "consumed" || token.Expired.String() != "expired" {
		t.Error("State.String")
	}
}

func TestGenerate(t *testing.T) {
	random := bytes.Repeat([]byte{0xfb}, 32)
	raw, err := token.Generate(random)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) != 43 || strings.ContainsAny(raw, "+/=") || !token.WellFormed(raw) {
		t.Errorf("raw %q is not 43 URL-safe characters", raw)
	}
	other := bytes.Repeat([]byte{0xfb}, 32)
	other[31] = 0
	if raw2, _ := token.Generate(other); raw2 == raw {
		t.Error("different bytes must give different tokens")
	}
	for _, n := range []int{0, 16, 31, 65} {
		if _, err := token.Generate(make([]byte, n)); err == nil {
			t.Errorf("Generate with %d bytes must fail", n)
		}
	}
	if raw64, err := token.Generate(make([]byte, 64)); err != nil || !token.WellFormed(raw64) {
		t.Errorf("64 bytes: %q %v", raw64, err)
	}
}

func TestWellFormed(t *testing.T) {
	good, _ := token.Generate(make([]byte, 32))
	for _, s := range []string{"", "abc", good[:42], good + "!", strings.Repeat("A", 87), "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJkYXRhIjp7fX0.sig", strings.Repeat("=", 44)} {
		if token.WellFormed(s) {
			t.Errorf("WellFormed(%q) = true", s)
		}
	}
}

func TestDigest(t *testing.T) {
	key := bytes.Repeat([]byte("k"), 32)
	raw, _ := token.Generate(bytes.Repeat([]byte{7}, 32))
	d1 := token.Digest(key, raw)
	if len(d1) != 32 {
		t.Fatalf("digest has %d bytes, want 32", len(d1))
	}
	if !bytes.Equal(d1, token.Digest(key, raw)) {
		t.Error("digest must be stable")
	}
	if bytes.Equal(d1, token.Digest(bytes.Repeat([]byte("K"), 32), raw)) {
		t.Error("digest must depend on the key")
	}
	if bytes.Equal(d1, token.Digest(key, raw[:42]+"A")) {
		t.Error("digest must depend on the token")
	}
	if strings.Contains(string(d1), raw) {
		t.Error("digest must not contain the token")
	}
	// A known HMAC-SHA256 vector (RFC 4231, test case 2) pins the algorithm.
	got := token.Digest([]byte("Jefe"), "what do ya want for nothing?")
	want := "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
	if hex.EncodeToString(got) != want {
		t.Errorf("HMAC-SHA256 = %s, want %s", hex.EncodeToString(got), want)
	}
}

func TestCheckTTL(t *testing.T) {
	for _, d := range []time.Duration{token.MinTTL, token.DefaultTTL, token.MaxTTL} {
		if err := token.CheckTTL(d); err != nil {
			t.Errorf("CheckTTL(%v) = %v", d, err)
		}
	}
	for _, d := range []time.Duration{0, -time.Minute, token.MinTTL - 1, token.MaxTTL + 1} {
		if err := token.CheckTTL(d); fault.CodeOf(err) != fault.Invalid || fault.ReasonOf(err) != token.ReasonInvalidTTL {
			t.Errorf("CheckTTL(%v) = %v", d, err)
		}
	}
}

func TestCheckKey(t *testing.T) {
	if err := token.CheckKey(make([]byte, 32)); err != nil {
		t.Error(err)
	}
	if err := token.CheckKey(make([]byte, 31)); fault.CodeOf(err) != fault.Invalid {
		t.Errorf("short key: %v", err)
	}
}
