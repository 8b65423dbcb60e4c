package service

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"sync"
	"time"

	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// verifiedCreds remembers vendor credentials that passed POST
// /authenticate, so that a client authenticating before every call (as
// real BSS clients do) pays two argon2id verifications once, not every
// time. It keeps no credential: an entry is keyed by an HMAC-SHA256, under
// a key derived from the server's secret key, of vendor id, username,
// password and pin, and holds only the organisation's id, the store's
// auth epoch when the credentials were checked, and an expiry at most
// enrollment.MaxVerifiedTTL away. Only successes of enabled organisations
// are kept.
//
// An entry is used only while its epoch is the store's current one
// (ports.AuthEpochs): a change to a vendor, an organisation or an API key
// by any process moves the epoch on, so every entry stops at once; and a
// store that cannot tell (no notification channel, or it is down) caches
// nothing. The zero TTL, or a store without epochs, turns the cache off.
//
// Safe for concurrent use. It holds at most maxVerifiedCreds entries and
// forgets all of them when full, which costs only hashing again.
type verifiedCreds struct {
	key    []byte
	ttl    time.Duration
	epochs ports.AuthEpochs
	clock  ports.Clock

	mu sync.Mutex
	m  map[[sha256.Size]byte]verifiedEntry
}

type verifiedEntry struct {
	epoch   uint64
	expires time.Time
	org     tenant.OrgID
}

// maxVerifiedCreds bounds the cache: about 80 bytes an entry.
const maxVerifiedCreds = 1 << 14

// newVerifiedCreds returns the cache, or nil (which caches nothing) when
// ttl is not positive, there is no secret key or store cannot tell when
// credentials change.
func newVerifiedCreds(store ports.Store, tokenKey []byte, ttl time.Duration, clock ports.Clock) *verifiedCreds {
	epochs, ok := store.(ports.AuthEpochs)
	if !ok || ttl <= 0 || len(tokenKey) == 0 {
		return nil
	}
	m := hmac.New(sha256.New, tokenKey)
	m.Write([]byte("allot verified vendor credentials v1"))
	return &verifiedCreds{key: m.Sum(nil), ttl: ttl, epochs: epochs, clock: clock}
}

// digest is the entry key of c.
func (v *verifiedCreds) digest(c ports.Credentials) [sha256.Size]byte {
	m := hmac.New(sha256.New, v.key)
	var n [8]byte
	for _, f := range []string{c.VendorID, c.Username, c.Password, c.Pin} {
		// Each field length-prefixed, so that no two tuples write the
		// same bytes.
		binary.BigEndian.PutUint64(n[:], uint64(len(f)))
		m.Write(n[:])
		m.Write([]byte(f))
	}
	var d [sha256.Size]byte
	m.Sum(d[:0])
	return d
}

// lookup returns the organisation c was verified for, when that holds in
// the current epoch; else the epoch to store a fresh verdict under, which
// is read before the credentials are checked so that a change committed
// meanwhile is never hidden, and whether one may be stored at all.
func (v *verifiedCreds) lookup(ctx context.Context, c ports.Credentials) (org tenant.OrgID, hit bool, epoch uint64, cacheable bool) {
	if v == nil {
		return 0, false, 0, false
	}
	epoch, cacheable = v.epochs.AuthEpoch(ctx)
	if !cacheable {
		return 0, false, 0, false
	}
	d := v.digest(c)
	v.mu.Lock()
	e, ok := v.m[d]
	if ok && (e.epoch != epoch || !v.clock.Now().Before(e.expires)) {
		delete(v.m, d)
		ok = false
	}
	v.mu.Unlock()
	if ok {
		return e.org, true, epoch, true
	}
	return 0, false, epoch, true
}

// put remembers that c was verified for org in epoch.
func (v *verifiedCreds) put(c ports.Credentials, epoch uint64, org tenant.OrgID) {
	if v == nil {
		return
	}
	d := v.digest(c)
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.m == nil || len(v.m) >= maxVerifiedCreds {
		v.m = make(map[[sha256.Size]byte]verifiedEntry)
	}
	v.m[d] = verifiedEntry{epoch: epoch, expires: v.clock.Now().Add(v.ttl), org: org}
}
