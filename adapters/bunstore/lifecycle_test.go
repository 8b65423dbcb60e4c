package bunstore

import (
	"context"
	"errors"
	"testing"

	"github.com/uptrace/bun"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
	"github.com/allot-io/allot/ports/porttest"
)

func TestLineStoreConformance(t *testing.T) {
	t.Run("SQLite", func(t *testing.T) {
		porttest.RunLineStore(t, func(t *testing.T) porttest.LineStores { return openSQLiteTest(t) })
	})
	t.Run("PostgreSQL", func(t *testing.T) {
		porttest.RunLineStore(t, func(t *testing.T) porttest.LineStores { return openPG(t) })
	})
}

// TestEnrollmentAndJobsAtomic fails CreateEnrollment's transaction after
// the lines are written and again after their jobs are: either way neither
// a line nor a job is left, on both dialects.
func TestEnrollmentAndJobsAtomic(t *testing.T) {
	for name, open := range map[string]func(*testing.T) *Store{"SQLite": openSQLiteTest, "PostgreSQL": openPG} {
		t.Run(name, func(t *testing.T) {
			for _, stage := range []string{"lines", "jobs"} {
				t.Run("FailAfter_"+stage, func(t *testing.T) {
					s := open(t)
					org, e := atomicEnrollment(t, s)
					boom := errors.New("injected failure")
					s.failAt = func(at string) error {
						if at == stage {
							return boom
						}
						return nil
					}
					if _, _, err := s.CreateEnrollment(t.Context(), org, e); !errors.Is(err, boom) && err == nil {
						t.Fatalf("CreateEnrollment succeeded despite the failure after %s", stage)
					}
					var lines, jobs int
					if err := s.db.NewRaw("SELECT COUNT(*) FROM lines").Scan(t.Context(), &lines); err != nil {
						t.Fatal(err)
					}
					if err := s.db.NewRaw("SELECT COUNT(*) FROM river_job").Scan(t.Context(), &jobs); err != nil {
						t.Fatal(err)
					}
					if lines != 0 || jobs != 0 {
						t.Fatalf("after a failure after %s: %d lines, %d jobs left", stage, lines, jobs)
					}
					// The control: without the failure both are written.
					s.failAt = nil
					if _, _, err := s.CreateEnrollment(t.Context(), org, e); err != nil {
						t.Fatalf("CreateEnrollment: %v", err)
					}
					_ = s.db.NewRaw("SELECT COUNT(*) FROM lines").Scan(t.Context(), &lines)
					_ = s.db.NewRaw("SELECT COUNT(*) FROM river_job").Scan(t.Context(), &jobs)
					if lines != 2 || jobs != 2 {
						t.Fatalf("control: %d lines, %d jobs, want 2 and 2", lines, jobs)
					}
				})
			}
		})
	}
}

var _ ports.LineStore = (*Store)(nil)

// TestRetryBesideARunningJob: a line failed by its job and retried before
// River marks that job completed (it is still running) gets a job of its
// own; before, the retry's job was skipped as the running one's duplicate
// and the line stayed QUEUED with no job, on both dialects.
func TestRetryBesideARunningJob(t *testing.T) {
	for name, open := range map[string]func(*testing.T) *Store{"SQLite": openSQLiteTest, "PostgreSQL": openPG} {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			org, e := atomicEnrollment(t, s)
			if _, _, err := s.CreateEnrollment(t.Context(), org, e); err != nil {
				t.Fatal(err)
			}
			q, err := s.ProvisioningQueue(t.Context(), org)
			if err != nil || len(q) == 0 {
				t.Fatalf("queue %v, %v", q, err)
			}
			id := q[0]
			// The queue is in job order: q[0]'s job has the lowest id.
			if _, err := s.db.NewRaw("UPDATE river_job SET state = 'running', attempt = 1 WHERE id = (SELECT MIN(id) FROM river_job)").Exec(t.Context()); err != nil {
				t.Fatal(err)
			}
			st, err := s.LineState(t.Context(), org, id)
			if err != nil {
				t.Fatal(err)
			}
			fail, _ := enrollment.Fail(st.ActivationType, st.Status, "rejected by the carrier")
			if _, err := s.TransitionLine(t.Context(), org, id, fail, ports.LineChange{}); err != nil {
				t.Fatal(err)
			}
			retry, _ := enrollment.Retry(st.ActivationType, enrollment.StatusFailed)
			if _, err := s.TransitionLine(t.Context(), org, id, retry, ports.LineChange{Enqueue: true}); err != nil {
				t.Fatal(err)
			}
			jobsOf := func() int {
				t.Helper()
				q, err := s.ProvisioningQueue(t.Context(), org)
				if err != nil {
					t.Fatal(err)
				}
				n := 0
				for _, c := range q {
					if c == id {
						n++
					}
				}
				return n
			}
			if n := jobsOf(); n != 2 {
				t.Fatalf("after the retry line %d has %d unfinished jobs, want the running one and its own", id, n)
			}
			// A second enqueue beside the same running job is a duplicate.
			if err := s.inTx(t.Context(), func(ctx context.Context, tx bun.Tx) error { return s.enqueueTx(ctx, tx, org, []int64{id}) }); err != nil {
				t.Fatal(err)
			}
			if n := jobsOf(); n != 2 {
				t.Fatalf("a second enqueue left line %d with %d unfinished jobs", id, n)
			}
		})
	}
}

func atomicEnrollment(t *testing.T, s *Store) (tenant.OrgID, ports.NewEnrollment) {
	t.Helper()
	org := mustOrg(t, s, "acme")
	mustIssue(t, s, org, "A1", "A2")
	return org, testEnrollment(t, "A1", testLine("A1", false), testLine("A2", true))
}

// TestMigrateMovesProvisioningQueue: a row of the old provisioning_queue
// (written by an earlier release) becomes the line's River job when the
// store migrates, and the old table is emptied; migrating again adds
// nothing.
func TestMigrateMovesProvisioningQueue(t *testing.T) {
	for name, open := range map[string]func(*testing.T) *Store{"SQLite": openSQLiteTest, "PostgreSQL": openPG} {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			org := mustOrg(t, s, "acme")
			mustIssue(t, s, org, "Q1")
			l := testLine("Q1", false)
			l.ActivationLater = "Y"
			_, recs, err := s.CreateEnrollment(t.Context(), org, testEnrollment(t, "Q1", l))
			if err != nil {
				t.Fatal(err)
			}
			id := recs[0].CustomerID
			if _, err := s.db.NewRaw("INSERT INTO provisioning_queue (org_id, customer_id, queued_at) VALUES (?, ?, ?)",
				int64(org), id, testBase).Exec(t.Context()); err != nil {
				t.Fatal(err)
			}
			for range 2 {
				if err := s.Migrate(t.Context()); err != nil {
					t.Fatalf("Migrate: %v", err)
				}
				q, err := s.ProvisioningQueue(t.Context(), org)
				if err != nil || len(q) != 1 || q[0] != id {
					t.Fatalf("jobs after migrating: %v, %v; want one for line %d", q, err, id)
				}
			}
			var left int
			if err := s.db.NewRaw("SELECT COUNT(*) FROM provisioning_queue").Scan(t.Context(), &left); err != nil || left != 0 {
				t.Fatalf("provisioning_queue keeps %d rows (%v)", left, err)
			}
		})
	}
}
