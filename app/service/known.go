package service

import (
	"sync"

	"github.com/allot-io/allot/domain/tenant"
)

// knownCodes remembers catalogue codes (customers, hubs, service types)
// that exist, so that a series request naming them needs no database round
// trip to check them. The catalogue is append-only (no port removes or
// renames an entry, in any process), so a code once found stays valid and
// remembering it is exact; a code not found is never remembered, since it
// may be added at any moment. Should a port ever remove entries, it must
// forget them here too.
//
// The zero value is ready to use and safe for concurrent use. It holds at
// most maxKnownCodes codes and forgets all of them when full, which only
// costs the round trips it saved.
type knownCodes struct {
	mu sync.RWMutex
	m  map[codeKey]struct{}
}

// maxKnownCodes bounds knownCodes: about 100 bytes each, a few MiB at most.
const maxKnownCodes = 1 << 15

// The catalogues knownCodes holds codes of.
const (
	catalogueCustomer byte = iota + 1
	catalogueHub
	catalogueServiceType
)

type codeKey struct {
	org       tenant.OrgID
	catalogue byte
	code      string
}

// has reports whether code of catalogue was found in org before.
func (k *knownCodes) has(org tenant.OrgID, catalogue byte, code string) bool {
	k.mu.RLock()
	defer k.mu.RUnlock()
	_, ok := k.m[codeKey{org, catalogue, code}]
	return ok
}

// add remembers that code of catalogue exists in org.
func (k *knownCodes) add(org tenant.OrgID, catalogue byte, code string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.m == nil || len(k.m) >= maxKnownCodes {
		k.m = make(map[codeKey]struct{})
	}
	k.m[codeKey{org, catalogue, code}] = struct{}{}
}
