package tenant

import (
	"bytes"
	"regexp"
	"testing"
)

func TestNewAPIKey(t *testing.T) {
	raw, k, err := NewAPIKey(bytes.NewReader(bytes.Repeat([]byte{0xab}, 64)))
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^ak_[0-9a-f]{8}_[0-9a-f]{64}$`).MatchString(raw) || k.Prefix != "abababab" || !bytes.Equal(k.Hash, HashAPIKey(raw)) {
		t.Errorf("key %q, stored %+v", raw, k)
	}
	if len(raw) > MaxAPIKey {
		t.Errorf("a key of %d characters is over MaxAPIKey", len(raw))
	}
	if _, _, err := NewAPIKey(bytes.NewReader(nil)); err == nil {
		t.Error("a key from an empty source")
	}
	if APIKeyPrefix(" ak_abababab ") != "abababab" || APIKeyPrefix("abababab") != "abababab" {
		t.Error("prefix with and without its tag")
	}
}
