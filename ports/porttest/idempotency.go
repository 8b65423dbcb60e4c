package porttest

import (
	"bytes"
	"testing"
	"time"

	"github.com/allot-io/allot/ports"
)

func (h harness) idempotency(t *testing.T) {
	rec := func(key, fp string, at time.Time) ports.IdempotencyRecord {
		return ports.IdempotencyRecord{Key: key, Fingerprint: []byte(fp), CreatedAt: at}
	}
	long := base.Add(-24 * time.Hour) // no record is this old: nothing is stale

	h.run(t, "ReserveThenExisting", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		got, fresh, err := s.ReserveIdempotencyKey(ctx(t), org, rec("k1", "fp-1", base), long)
		must(t, err, "ReserveIdempotencyKey")
		if !fresh || got.Key != "k1" || !bytes.Equal(got.Fingerprint, []byte("fp-1")) || got.Done {
			t.Fatalf("first reserve = %+v, %v; want the pending record and true", got, fresh)
		}
		got, fresh, err = s.ReserveIdempotencyKey(ctx(t), org, rec("k1", "fp-2", base.Add(time.Minute)), long)
		must(t, err, "ReserveIdempotencyKey")
		if fresh || !bytes.Equal(got.Fingerprint, []byte("fp-1")) || got.Done || !got.CreatedAt.Equal(base) {
			t.Fatalf("second reserve = %+v, %v; want the first, pending record and false", got, fresh)
		}
	})
	h.run(t, "Complete", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		_, _, err := s.ReserveIdempotencyKey(ctx(t), org, rec("k1", "fp-1", base), long)
		must(t, err, "ReserveIdempotencyKey")
		must(t, s.CompleteIdempotencyKey(ctx(t), org, "k1", 200, []byte(`{"status":"OK"}`)), "CompleteIdempotencyKey")
		got, fresh, err := s.ReserveIdempotencyKey(ctx(t), org, rec("k1", "fp-1", base), long)
		must(t, err, "ReserveIdempotencyKey")
		if fresh || !got.Done || got.Status != 200 || string(got.Body) != `{"status":"OK"}` || !bytes.Equal(got.Fingerprint, []byte("fp-1")) {
			t.Fatalf("reserve after complete = %+v, %v; want the completed response", got, fresh)
		}
		// Releasing a completed key keeps its response.
		must(t, s.ReleaseIdempotencyKey(ctx(t), org, "k1"), "ReleaseIdempotencyKey")
		got, fresh, err = s.ReserveIdempotencyKey(ctx(t), org, rec("k1", "fp-1", base), long)
		must(t, err, "ReserveIdempotencyKey")
		if fresh || !got.Done {
			t.Fatalf("release forgot a completed key: %+v, %v", got, fresh)
		}
	})
	h.run(t, "Release", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		_, _, err := s.ReserveIdempotencyKey(ctx(t), org, rec("k1", "fp-1", base), long)
		must(t, err, "ReserveIdempotencyKey")
		must(t, s.ReleaseIdempotencyKey(ctx(t), org, "k1"), "ReleaseIdempotencyKey")
		got, fresh, err := s.ReserveIdempotencyKey(ctx(t), org, rec("k1", "fp-2", base), long)
		must(t, err, "ReserveIdempotencyKey")
		if !fresh || !bytes.Equal(got.Fingerprint, []byte("fp-2")) {
			t.Fatalf("reserve after release = %+v, %v; want a new reservation", got, fresh)
		}
		must(t, s.ReleaseIdempotencyKey(ctx(t), org, "never-reserved"), "releasing an unknown key")
	})
	h.run(t, "Stale", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		_, _, err := s.ReserveIdempotencyKey(ctx(t), org, rec("k1", "fp-1", base), long)
		must(t, err, "ReserveIdempotencyKey")
		must(t, s.CompleteIdempotencyKey(ctx(t), org, "k1", 201, []byte("old")), "CompleteIdempotencyKey")
		// Not yet stale: staleBefore is the record's own time.
		_, fresh, err := s.ReserveIdempotencyKey(ctx(t), org, rec("k1", "fp-2", base.Add(time.Hour)), base)
		must(t, err, "ReserveIdempotencyKey")
		if fresh {
			t.Fatal("a record created at staleBefore was replaced")
		}
		later := base.Add(48 * time.Hour)
		got, fresh, err := s.ReserveIdempotencyKey(ctx(t), org, rec("k1", "fp-2", later), base.Add(time.Microsecond))
		must(t, err, "ReserveIdempotencyKey")
		if !fresh || got.Done || !bytes.Equal(got.Fingerprint, []byte("fp-2")) {
			t.Fatalf("stale record not replaced: %+v, %v", got, fresh)
		}
		got, fresh, err = s.ReserveIdempotencyKey(ctx(t), org, rec("k1", "fp-3", later), long)
		must(t, err, "ReserveIdempotencyKey")
		if fresh || got.Done || got.Status != 0 || len(got.Body) != 0 || !got.CreatedAt.Equal(later) {
			t.Fatalf("the replacement is not a fresh pending record: %+v", got)
		}
	})
	h.run(t, "PerOrganisation", func(t *testing.T, s ports.Store) {
		a, b := mkOrg(t, s, "a"), mkOrg(t, s, "b")
		_, _, err := s.ReserveIdempotencyKey(ctx(t), a, rec("k1", "fp-a", base), long)
		must(t, err, "ReserveIdempotencyKey")
		must(t, s.CompleteIdempotencyKey(ctx(t), a, "k1", 200, []byte("a")), "CompleteIdempotencyKey")
		got, fresh, err := s.ReserveIdempotencyKey(ctx(t), b, rec("k1", "fp-b", base), long)
		must(t, err, "ReserveIdempotencyKey")
		if !fresh || got.Done || !bytes.Equal(got.Fingerprint, []byte("fp-b")) {
			t.Fatalf("org b sees org a's key: %+v, %v", got, fresh)
		}
		must(t, s.ReleaseIdempotencyKey(ctx(t), b, "k1"), "ReleaseIdempotencyKey")
		got, _, err = s.ReserveIdempotencyKey(ctx(t), a, rec("k1", "fp-a", base), long)
		must(t, err, "ReserveIdempotencyKey")
		if !got.Done || string(got.Body) != "a" {
			t.Fatalf("org b's release touched org a's key: %+v", got)
		}
	})
}
