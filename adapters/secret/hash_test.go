package secret

import (
	"fmt"
	"sync"
	"testing"
)

// TestHasherConcurrent hashes and verifies from many goroutines at once,
// more than the hasher computes at a time: every call completes and agrees.
func TestHasherConcurrent(t *testing.T) {
	h := NewTestHasher()
	if cap(h.slots) < 1 {
		t.Fatalf("hasher has %d slots", cap(h.slots))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			secret := fmt.Sprintf("secret-%d", i)
			enc, err := h.Hash(secret)
			if err != nil {
				errs <- err
				return
			}
			if ok, err := h.Verify(enc, secret); err != nil || !ok {
				errs <- fmt.Errorf("verify %s: %v %v", secret, ok, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
