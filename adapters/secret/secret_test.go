package secret

import (
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHasher(t *testing.T) {
	for _, h := range []*Hasher{NewHasher(), NewTestHasher()} {
		enc, err := h.Hash("1599")
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(enc, "1599") || !strings.HasPrefix(enc, "$argon2id$v=19$") {
			t.Fatalf("hash %q", enc)
		}
		if ok, err := h.Verify(enc, "1599"); !ok || err != nil {
			t.Errorf("Verify right secret = %v %v", ok, err)
		}
		if ok, _ := h.Verify(enc, "1598"); ok {
			t.Error("Verify accepted a wrong secret")
		}
		enc2, _ := h.Hash("1599")
		if enc2 == enc {
			t.Error("hashes must be salted")
		}
	}
	for _, bad := range []string{"", "$bcrypt$x", "$argon2id$v=19$m=1,t=0,p=1$AA$AA", "$argon2id$v=19$m=64,t=1,p=1$!!$AA"} {
		if _, err := NewHasher().Verify(bad, "x"); err == nil {
			t.Errorf("Verify(%q) must fail", bad)
		}
	}
}

// TestHasherParameters pins the default parameters (an OWASP setting, see
// hash.go) and checks that hashes made with the earlier default, 19 MiB and
// 2 passes, still verify: stored hashes must survive a parameter change.
func TestHasherParameters(t *testing.T) {
	enc, err := NewHasher().Hash("s3cret")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=7168,t=5,p=1$") {
		t.Fatalf("default parameters changed: %q", enc)
	}
	old, err := newHasher(2, 19*1024, 1).Hash("s3cret")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(old, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("old hash %q", old)
	}
	if ok, err := NewHasher().Verify(old, "s3cret"); !ok || err != nil {
		t.Fatalf("a hash with the earlier parameters no longer verifies: %v %v", ok, err)
	}
	if ok, _ := NewHasher().Verify(old, "s3creT"); ok {
		t.Fatal("wrong secret verified against an old hash")
	}
}

func TestGCM(t *testing.T) {
	g, err := NewGCM(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	ct, err := g.Seal([]byte("123-45-6789"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(ct, []byte("123-45-6789")) {
		t.Fatal("ciphertext holds the plaintext")
	}
	pt, err := g.Open(ct)
	if err != nil || string(pt) != "123-45-6789" {
		t.Fatalf("Open = %q %v", pt, err)
	}
	ct[len(ct)-1] ^= 1
	if _, err := g.Open(ct); err == nil {
		t.Error("tampered value opened")
	}
	if _, err := g.Open([]byte{1, 2}); err == nil {
		t.Error("short value opened")
	}
	if _, err := NewGCM([]byte("short")); err == nil {
		t.Error("short key accepted")
	}
	other, _ := NewGCM(bytes.Repeat([]byte{8}, 32))
	ct2, _ := g.Seal([]byte("x"))
	if _, err := other.Open(ct2); err == nil {
		t.Error("opened under another key")
	}
}

func TestParseKeyAndDerive(t *testing.T) {
	raw := bytes.Repeat([]byte{0xab}, 32)
	for _, s := range []string{hex.EncodeToString(raw), "q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=", "q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s"} {
		k, err := ParseKey(s)
		if err != nil || !bytes.Equal(k, raw) {
			t.Errorf("ParseKey(%q) = %x %v", s, k, err)
		}
	}
	for _, s := range []string{"", "zz", hex.EncodeToString(raw[:16])} {
		if _, err := ParseKey(s); err == nil || !strings.Contains(err.Error(), EnvKey) {
			t.Errorf("ParseKey(%q) = %v", s, err)
		}
	}
	k := Derive(raw)
	if len(k.Seal) != 32 || len(k.Token) != 32 || bytes.Equal(k.Seal, k.Token) || !bytes.Equal(Derive(raw).Seal, k.Seal) {
		t.Error("derived keys must be 32 bytes, distinct and stable")
	}
	if len(k.Session) != 32 || bytes.Equal(k.Session, k.Seal) || bytes.Equal(k.Session, k.Token) {
		t.Error("the session key must be 32 bytes and distinct from the others")
	}
}

func TestKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "allot.db.key")
	k1, created, err := LoadOrCreateKeyFile(path)
	if err != nil || !created || len(k1) != MinKeyBytes {
		t.Fatalf("create: %x %v %v", k1, created, err)
	}
	info, _ := os.Stat(path)
	if info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", info.Mode().Perm())
	}
	k2, created, err := LoadOrCreateKeyFile(path)
	if err != nil || created || !bytes.Equal(k1, k2) {
		t.Fatalf("reload: %v %v", created, err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadOrCreateKeyFile(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("world-readable key file: %v", err)
	}
}
