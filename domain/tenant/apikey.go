package tenant

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
)

// API keys look like ak_<8 hex id>_<64 hex secret>: the id is shown in
// listings and used to revoke; the whole key is hashed for lookup. SHA-256
// suffices because the key carries 256 random bits, unlike a password.
const (
	apiKeyTag       = "ak_"
	apiKeyIDBytes   = 4
	apiKeySecretLen = 32
	// MaxAPIKey bounds a presented key: longer ones are wrong without a
	// look-up (a real key is 76 characters).
	MaxAPIKey = 200
)

// NewAPIKey draws a key from random and returns it whole, to show once,
// with its stored part (prefix and hash; CreatedAt is the caller's).
func NewAPIKey(random io.Reader) (string, APIKey, error) {
	buf := make([]byte, apiKeyIDBytes+apiKeySecretLen)
	if _, err := io.ReadFull(random, buf); err != nil {
		return "", APIKey{}, fmt.Errorf("read random key: %w", err)
	}
	prefix := hex.EncodeToString(buf[:apiKeyIDBytes])
	raw := apiKeyTag + prefix + "_" + hex.EncodeToString(buf[apiKeyIDBytes:])
	return raw, APIKey{Prefix: prefix, Hash: HashAPIKey(raw)}, nil
}

// HashAPIKey returns the stored hash of a presented key.
func HashAPIKey(raw string) []byte {
	h := sha256.Sum256([]byte(raw))
	return h[:]
}

// APIKeyPrefix returns the prefix an operator names a key by, with or
// without the key's "ak_" tag.
func APIKeyPrefix(s string) string {
	return strings.TrimPrefix(strings.TrimSpace(s), apiKeyTag)
}
