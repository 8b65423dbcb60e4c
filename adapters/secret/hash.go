package secret

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"

	"github.com/allot-io/allot/ports"
)

// Argon2id parameters: one of the five settings OWASP's Password Storage
// Cheat Sheet lists as giving an equal level of defence (m = 46/19/12/9/7
// MiB with t = 1/2/3/4/5 passes, 1 lane), the one with the least memory.
// Passwords and pins here are short, so the memory-hard cost is what
// protects them if the table leaks. The 7 MiB setting costs the same CPU
// as 19 MiB with 2 passes (about 30 ms here) and a third of the memory per
// hash in flight, which is what keeps a server hashing one password per
// enrollment under 100 MiB (BENCHMARKS.md). The parameters are encoded in
// every hash, so hashes made with earlier ones (m=19456,t=2) still verify
// and the parameters can be raised later.
const (
	argonTime    = 5
	argonMemory  = 7 * 1024
	argonThreads = 1
	argonKeyLen  = 32
	saltLen      = 16
)

// Hasher is an argon2id ports.PasswordHasher producing PHC strings
// ($argon2id$v=19$m=...,t=...,p=...$salt$hash). It is safe for concurrent
// use.
type Hasher struct {
	time, memory uint32
	threads      uint8
	// slots bounds the hashes computed at once to the processors that can
	// compute them. Each holds its memory parameter (7 MiB by default)
	// while it runs, and a hash is all CPU: more at once would finish none
	// sooner, only multiply the memory held and the garbage the collector
	// must chase (unbounded, eight concurrent enrollments took a 2-core
	// server's peak RSS past 330 MiB).
	slots chan struct{}
}

var _ ports.PasswordHasher = (*Hasher)(nil)

// NewHasher returns a Hasher with the default parameters.
func NewHasher() *Hasher {
	return newHasher(argonTime, argonMemory, argonThreads)
}

// NewTestHasher returns a Hasher with minimal parameters, for tests that
// hash many secrets; never use it in production.
func NewTestHasher() *Hasher { return newHasher(1, 64, 1) }

func newHasher(time, memory uint32, threads uint8) *Hasher {
	return &Hasher{time: time, memory: memory, threads: threads, slots: make(chan struct{}, runtime.GOMAXPROCS(0))}
}

// key computes an argon2id key once a slot is free.
func (h *Hasher) key(secret string, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
	if h.slots != nil {
		h.slots <- struct{}{}
		defer func() { <-h.slots }()
	}
	return argon2.IDKey([]byte(secret), salt, time, memory, threads, keyLen)
}

var b64 = base64.RawStdEncoding

// Hash implements ports.PasswordHasher.
func (h *Hasher) Hash(secret string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("read salt: %w", err)
	}
	key := h.key(secret, salt, h.time, h.memory, h.threads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, h.memory, h.time, h.threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify implements ports.PasswordHasher.
func (h *Hasher) Verify(encoded, secret string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, fmt.Errorf("not an argon2id hash")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, fmt.Errorf("unsupported argon2 version %q", parts[2])
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || t == 0 || p == 0 {
		return false, fmt.Errorf("bad argon2 parameters %q", parts[3])
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, fmt.Errorf("bad salt: %w", err)
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, fmt.Errorf("bad hash")
	}
	got := h.key(secret, salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}
