package porttest

import (
	"bytes"
	"testing"
	"time"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/domain/token"
	"github.com/allot-io/allot/ports"
)

// tokenKey keys the test tokens' digests.
var tokenKey = bytes.Repeat([]byte("k"), token.MinKeyBytes)

// ttl is the test tokens' time to live.
const ttl = 15 * time.Minute

// saveToken issues and stores a token named raw for org at issuedAt, and
// returns its digest.
func saveToken(t *testing.T, s ports.Store, org tenant.OrgID, raw string, issuedAt time.Time) []byte {
	t.Helper()
	d := token.Digest(tokenKey, raw)
	must(t, s.SaveToken(ctx(t), token.Issue(d, int64(org), "V1", issuedAt, ttl)), "SaveToken")
	return d
}

func (h harness) tokens(t *testing.T) {
	h.run(t, "SaveAndConsume", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		d := saveToken(t, s, org, "tok-1", base)
		at := base.Add(time.Minute)
		got, err := s.ConsumeToken(ctx(t), d, at)
		must(t, err, "ConsumeToken")
		consumed, ok := got.ConsumedAt()
		if !bytes.Equal(got.Digest(), d) || got.OrgID() != int64(org) || got.VendorID() != "V1" ||
			!got.IssuedAt().Equal(base) || !got.ExpiresAt().Equal(base.Add(ttl)) || !ok || !consumed.Equal(at) {
			t.Fatalf("ConsumeToken = digest %x org %d vendor %s issued %v expires %v consumed %v %v",
				got.Digest(), got.OrgID(), got.VendorID(), got.IssuedAt(), got.ExpiresAt(), consumed, ok)
		}
		if got.State(at) != token.Consumed {
			t.Fatalf("the returned token is %s, want consumed", got.State(at))
		}
	})
	h.run(t, "ConsumeOnce", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		d := saveToken(t, s, org, "tok-1", base)
		_, err := s.ConsumeToken(ctx(t), d, base.Add(time.Minute))
		must(t, err, "ConsumeToken")
		_, err = s.ConsumeToken(ctx(t), d, base.Add(2*time.Minute))
		wantFault(t, err, fault.Unauthorized, token.ReasonUsed)
		// A consumed token stays "used" after it would have expired.
		_, err = s.ConsumeToken(ctx(t), d, base.Add(time.Hour))
		wantFault(t, err, fault.Unauthorized, token.ReasonUsed)
	})
	h.run(t, "Expired", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		d := saveToken(t, s, org, "tok-1", base)
		// The lifetime is [issued, issued+ttl): at issued+ttl it is over.
		_, err := s.ConsumeToken(ctx(t), d, base.Add(ttl))
		wantFault(t, err, fault.Unauthorized, token.ReasonExpired)
		_, err = s.ConsumeToken(ctx(t), d, base.Add(ttl+time.Hour))
		wantFault(t, err, fault.Unauthorized, token.ReasonExpired)

		last := saveToken(t, s, org, "tok-2", base)
		_, err = s.ConsumeToken(ctx(t), last, base.Add(ttl-time.Microsecond))
		must(t, err, "ConsumeToken in the last microsecond of its life")
	})
	h.run(t, "BeforeIssued", func(t *testing.T, s ports.Store) {
		// Two servers' clocks may disagree: a token consumed "before" it
		// was issued is still a fresh token.
		org := mkOrg(t, s, "acme")
		d := saveToken(t, s, org, "tok-1", base)
		_, err := s.ConsumeToken(ctx(t), d, base.Add(-time.Second))
		must(t, err, "ConsumeToken")
	})
	h.run(t, "Unknown", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		saveToken(t, s, org, "tok-1", base)
		_, err := s.ConsumeToken(ctx(t), token.Digest(tokenKey, "tok-2"), base)
		wantFault(t, err, fault.Unauthorized, token.ReasonInvalid)
		_, err = s.ConsumeToken(ctx(t), nil, base)
		wantFault(t, err, fault.Unauthorized, token.ReasonInvalid)
	})
	h.run(t, "DeleteExpired", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		old := saveToken(t, s, org, "old", base.Add(-ttl))                      // expires at base
		oldUsed := saveToken(t, s, org, "old-used", base.Add(-ttl+time.Minute)) // expires at base+1m
		_, err := s.ConsumeToken(ctx(t), oldUsed, base)
		must(t, err, "ConsumeToken")
		live := saveToken(t, s, org, "live", base) // expires at base+15m

		n, err := s.DeleteExpiredTokens(ctx(t), base.Add(5*time.Minute))
		must(t, err, "DeleteExpiredTokens")
		if n != 2 {
			t.Fatalf("DeleteExpiredTokens = %d, want 2", n)
		}
		for _, d := range [][]byte{old, oldUsed} {
			_, err := s.ConsumeToken(ctx(t), d, base)
			wantFault(t, err, fault.Unauthorized, token.ReasonInvalid)
		}
		_, err = s.ConsumeToken(ctx(t), live, base.Add(6*time.Minute))
		must(t, err, "ConsumeToken of a live token after the purge")
		n, err = s.DeleteExpiredTokens(ctx(t), base.Add(5*time.Minute))
		must(t, err, "DeleteExpiredTokens")
		if n != 0 {
			t.Fatalf("DeleteExpiredTokens again = %d, want 0", n)
		}
	})
}
