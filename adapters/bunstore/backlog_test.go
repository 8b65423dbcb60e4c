package bunstore

import (
	"testing"
	"time"
)

// TestProvisioningBacklog: the queue's depth is its unfinished jobs, and
// the oldest one's age comes from the database's clock, on both dialects.
func TestProvisioningBacklog(t *testing.T) {
	for name, open := range map[string]func(*testing.T) *Store{"SQLite": openSQLiteTest, "PostgreSQL": openPG} {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			if l, err := s.ProvisioningBacklog(t.Context()); err != nil || l.Depth != 0 || l.OldestAge != 0 {
				t.Fatalf("empty queue: %+v %v", l, err)
			}
			org, e := atomicEnrollment(t, s)
			if _, _, err := s.CreateEnrollment(t.Context(), org, e); err != nil {
				t.Fatal(err)
			}
			var jobs int
			if err := s.db.NewRaw("SELECT COUNT(*) FROM river_job").Scan(t.Context(), &jobs); err != nil {
				t.Fatal(err)
			}
			time.Sleep(1100 * time.Millisecond)
			l, err := s.ProvisioningBacklog(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if jobs == 0 || l.Depth != jobs {
				t.Errorf("depth %d, want the %d jobs queued", l.Depth, jobs)
			}
			if l.OldestAge < time.Second || l.OldestAge > time.Minute {
				t.Errorf("oldest age %s, want about a second", l.OldestAge)
			}
		})
	}
}
