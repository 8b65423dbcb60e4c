package service

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/allot-io/allot/ports"
)

// epochs is a ports.AuthEpochs whose epoch and channel a test sets.
type epochs struct {
	n  uint64
	up bool
}

func (e *epochs) AuthEpoch(context.Context) (uint64, bool) { return e.n, e.up }

type epochStore struct {
	ports.Store
	*epochs
}

// TestVerifiedCredsKeepNoPlaintext: the cache's keys and values hold none
// of the credentials' fields, only digests, an organisation id, an epoch
// and an expiry; and it caches nothing while the store cannot tell of
// changes.
func TestVerifiedCredsKeepNoPlaintext(t *testing.T) {
	ep := &epochs{n: 7, up: true}
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	v := newVerifiedCreds(epochStore{epochs: ep}, bytes.Repeat([]byte("k"), 32), time.Minute, ports.ClockFunc(func() time.Time { return now }))
	c := ports.Credentials{VendorID: "VENDORX1", Username: "alice-user", Password: "correct-horse-battery", Pin: "482913"}
	_, hit, epoch, ok := v.lookup(context.Background(), c)
	if hit || !ok || epoch != 7 {
		t.Fatalf("lookup of a fresh cache = hit %v, epoch %d, cacheable %v", hit, epoch, ok)
	}
	v.put(c, epoch, 42)
	if org, hit, _, _ := v.lookup(context.Background(), c); !hit || org != 42 {
		t.Fatalf("lookup after put = %d, %v", org, hit)
	}
	if len(v.m) != 1 {
		t.Fatalf("%d entries", len(v.m))
	}
	for k, e := range v.m {
		dump := append(append([]byte(fmt.Sprintf("%#v %#v %s", k, e, k[:])), k[:]...), v.key...)
		for _, f := range []string{c.VendorID, c.Username, c.Password, c.Pin} {
			if bytes.Contains(dump, []byte(f)) || bytes.Contains(bytes.ToLower(dump), []byte(fmt.Sprintf("%x", f))) {
				t.Errorf("the cache holds %q: %s", f, dump)
			}
		}
	}
	// The digest depends on the secret key.
	w := newVerifiedCreds(epochStore{epochs: ep}, bytes.Repeat([]byte("j"), 32), time.Minute, ports.ClockFunc(func() time.Time { return now }))
	if w.digest(c) == v.digest(c) {
		t.Error("two secret keys give one digest")
	}
	// A new epoch ends the entry; a store that cannot tell caches nothing.
	ep.n = 8
	if _, hit, _, _ := v.lookup(context.Background(), c); hit {
		t.Error("an entry of an old epoch was used")
	}
	ep.up = false
	if _, hit, _, ok := v.lookup(context.Background(), c); hit || ok {
		t.Errorf("without a channel: hit %v, cacheable %v", hit, ok)
	}
	// No secret key, no TTL or a store without epochs: no cache.
	if newVerifiedCreds(epochStore{epochs: ep}, nil, time.Minute, nil) != nil || newVerifiedCreds(epochStore{epochs: ep}, []byte("k"), 0, nil) != nil ||
		newVerifiedCreds(nil, []byte("k"), time.Minute, nil) != nil {
		t.Error("a cache without its prerequisites")
	}
}
