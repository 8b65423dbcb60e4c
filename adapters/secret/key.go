package secret

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// MinKeyBytes is the shortest master key accepted.
const MinKeyBytes = 32

// EnvKey is the environment variable holding the master key.
const EnvKey = "ALLOT_SECRET_KEY"

// Keys are the keys derived from one master key, each for one purpose, so
// that a key leaked from one use says nothing about another.
type Keys struct {
	// Seal encrypts secrets at rest (AES-256-GCM).
	Seal []byte
	// Token keys the HMAC that stores token digests.
	Token []byte
	// Session keys the HMAC that stores dashboard session digests and
	// derives their CSRF tokens.
	Session []byte
}

// Derive derives the purpose keys from master.
func Derive(master []byte) Keys {
	d := func(label string) []byte {
		m := hmac.New(sha256.New, master)
		m.Write([]byte("allot/" + label + "/v1"))
		return m.Sum(nil)
	}
	return Keys{Seal: d("seal"), Token: d("token"), Session: d("session")}
}

// ParseKey decodes a master key given as hex or base64 (standard or URL,
// padded or not); it must hold at least 32 bytes.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	var key []byte
	if b, err := hex.DecodeString(s); err == nil {
		key = b
	} else {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			if b, err := enc.DecodeString(s); err == nil {
				key = b
				break
			}
		}
	}
	if key == nil {
		return nil, fmt.Errorf("%s must be hex or base64", EnvKey)
	}
	if len(key) < MinKeyBytes {
		return nil, fmt.Errorf("%s must hold at least %d bytes, got %d", EnvKey, MinKeyBytes, len(key))
	}
	return key, nil
}

// LoadOrCreateKeyFile returns the master key kept in path, creating it
// with a fresh random key and mode 0600 when absent. It refuses a key file
// that others may read, as ssh does, rather than use a key already exposed.
func LoadOrCreateKeyFile(path string) ([]byte, bool, error) {
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		key := make([]byte, MinKeyBytes)
		if _, err := rand.Read(key); err != nil {
			return nil, false, err
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			// Another process created it first: use theirs.
			k, _, err := LoadOrCreateKeyFile(path)
			return k, false, err
		}
		if err != nil {
			return nil, false, fmt.Errorf("create key file: %w", err)
		}
		if _, err := f.WriteString(hex.EncodeToString(key) + "\n"); err != nil {
			f.Close()
			return nil, false, fmt.Errorf("write key file: %w", err)
		}
		if err := f.Close(); err != nil {
			return nil, false, fmt.Errorf("write key file: %w", err)
		}
		return key, true, nil
	case err != nil:
		return nil, false, fmt.Errorf("key file: %w", err)
	}
	if info.Mode().Perm()&0o077 != 0 {
		return nil, false, fmt.Errorf("key file %s is accessible by others (mode %v); run chmod 600 on it", path, info.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, false, fmt.Errorf("read key file: %w", err)
	}
	key, err := ParseKey(string(b))
	if err != nil {
		return nil, false, fmt.Errorf("key file %s: %w", path, err)
	}
	return key, false, nil
}
