package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/allot-io/allot/ports"
)

// sealVersion prefixes every sealed value so the format can change later.
const sealVersion = 1

// GCM is an AES-256-GCM ports.Sealer: version byte, 12-byte random nonce,
// then ciphertext and tag.
type GCM struct {
	aead cipher.AEAD
}

var _ ports.Sealer = (*GCM)(nil)

// NewGCM returns a Sealer under a 32-byte key.
func NewGCM(key []byte) (*GCM, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("AES-256 needs a 32-byte key, got %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &GCM{aead: aead}, nil
}

// Seal implements ports.Sealer.
func (g *GCM) Seal(plaintext []byte) ([]byte, error) {
	out := make([]byte, 1+g.aead.NonceSize(), 1+g.aead.NonceSize()+len(plaintext)+g.aead.Overhead())
	out[0] = sealVersion
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, fmt.Errorf("read nonce: %w", err)
	}
	return g.aead.Seal(out, out[1:], plaintext, out[:1]), nil
}

// Open implements ports.Sealer.
func (g *GCM) Open(sealed []byte) ([]byte, error) {
	n := g.aead.NonceSize()
	if len(sealed) < 1+n+g.aead.Overhead() || sealed[0] != sealVersion {
		return nil, errors.New("sealed value is malformed")
	}
	pt, err := g.aead.Open(nil, sealed[1:1+n], sealed[1+n:], sealed[:1])
	if err != nil {
		return nil, errors.New("sealed value failed authentication")
	}
	return pt, nil
}
