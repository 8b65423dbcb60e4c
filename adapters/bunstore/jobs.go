package bunstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
	"github.com/uptrace/bun"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/domain/webhook"
	"github.com/allot-io/allot/ports"
)

// Provisioning jobs are River jobs in the store's own database, so that a
// line and its job are written in one transaction: River's database/sql
// driver on PostgreSQL (it joins bun's *sql.Tx; it polls, having no
// LISTEN), its SQLite driver on the embedded default. On SQLite River
// shares the store's one writer connection, as its documentation asks:
// a second pool would be a second writer and meet SQLITE_BUSY, and a job
// inserted in the store's transaction must use that transaction's
// connection anyway.

// provisionQueue is the River queue of provisioning jobs.
const provisionQueue = "provisioning"

// provisionArgs is a provisioning job: one line.
type provisionArgs struct {
	Org        int64 `json:"org_id"`
	CustomerID int64 `json:"customer_id"`
	// After, when set, is the id of the line's running job this one
	// follows (enqueueTx), so that the two are not duplicates.
	After int64 `json:"after,omitempty"`
}

// Kind implements river.JobArgs.
func (provisionArgs) Kind() string { return "provision_line" }

// uniqueStates are the job states in which a line's job blocks another for
// the same line: every state of a job not yet finished. A finished job
// (completed after a port resolution request, discarded after the last
// attempt) lets an operator's retry queue the line again.
var uniqueStates = []rivertype.JobState{
	rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable,
	rivertype.JobStateRunning, rivertype.JobStateScheduled,
}

// InsertOpts implements river.JobArgsWithInsertOpts: at most the retry
// policy's attempts, and one unfinished job per line, so that a line is
// never submitted twice at once.
func (provisionArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		Queue:       provisionQueue,
		MaxAttempts: enrollment.MaxProvisionAttempts,
		UniqueOpts:  river.UniqueOpts{ByArgs: true, ByState: uniqueStates},
	}
}

// riverDriver returns River's driver over the store's writer pool.
func (s *Store) riverDriver() riverdriver.Driver[*sql.Tx] {
	return s.dialect.river(s.db.DB)
}

// inserter returns the insert-only River client the store inserts jobs
// with, made once.
func (s *Store) inserter() (*river.Client[*sql.Tx], error) {
	s.jobsOnce.Do(func() {
		s.jobs, s.jobsErr = river.NewClient(s.riverDriver(), &river.Config{Logger: quietLogger()})
	})
	return s.jobs, s.jobsErr
}

// quietLogger drops River's logs, for the insert-only client and the
// migrator, whose lines are about River's own housekeeping.
func quietLogger() *slog.Logger {
	return slog.New(slog.DiscardHandler)
}

// enqueueTx inserts the provisioning jobs of lines (customer ids of org)
// in tx.
func (s *Store) enqueueTx(ctx context.Context, tx bun.Tx, org tenant.OrgID, lines []int64) error {
	if len(lines) == 0 {
		return nil
	}
	c, err := s.inserter()
	if err != nil {
		return err
	}
	params := make([]river.InsertManyParams, len(lines))
	for i, id := range lines {
		params[i] = river.InsertManyParams{Args: provisionArgs{Org: int64(org), CustomerID: id}}
	}
	if len(params) == 1 {
		// InsertTx honours uniqueness on every driver.
		res, err := c.InsertTx(ctx, tx.Tx, params[0].Args, nil)
		if err != nil || !res.UniqueSkippedAsDuplicate || res.Job.State != rivertype.JobStateRunning {
			return err
		}
		// The line's job is still running: the worker that moved the line
		// (to FAILED, say) has returned and River has not yet marked the
		// job completed, or the worker died and the job awaits its rescue.
		// Either way it will not take the line again from where it is now,
		// so the line needs a job of its own: one that follows that job,
		// unique in its turn. Should both run, the line's transitions and
		// its activation key keep it to one submission at the carrier.
		_, err = c.InsertTx(ctx, tx.Tx, provisionArgs{Org: int64(org), CustomerID: lines[0], After: res.Job.ID}, nil)
		return err
	}
	_, err = c.InsertManyTx(ctx, tx.Tx, params)
	return err
}

// migrateJobs applies River's migrations, then moves the rows of the old
// provisioning_queue, which nothing read, into jobs in one transaction.
func (s *Store) migrateJobs(ctx context.Context) error {
	m, err := rivermigrate.New(s.riverDriver(), &rivermigrate.Config{Logger: quietLogger()})
	if err != nil {
		return fault.Wrap(err, "river migrations")
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return s.dbError(err, "river migrate")
	}
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var rows []struct {
			OrgID      int64 `bun:"org_id"`
			CustomerID int64 `bun:"customer_id"`
		}
		err := tx.NewRaw("SELECT org_id, customer_id FROM provisioning_queue ORDER BY id").Scan(ctx, &rows)
		if err != nil && !errNoRows(err) {
			return s.dbError(err, "read provisioning queue")
		}
		for _, r := range rows {
			if err := s.enqueueTx(ctx, tx, tenant.OrgID(r.OrgID), []int64{r.CustomerID}); err != nil {
				return s.dbError(err, "move provisioning queue")
			}
		}
		if len(rows) > 0 {
			if _, err := tx.NewRaw("DELETE FROM provisioning_queue").Exec(ctx); err != nil {
				return s.dbError(err, "move provisioning queue")
			}
		}
		return nil
	})
}

// ProvisioningQueue returns the customer ids of org with an unfinished
// provisioning job, in queue order.
func (s *Store) ProvisioningQueue(ctx context.Context, org tenant.OrgID) ([]int64, error) {
	text := s.dialect.jsonText("args")
	var args []string
	err := s.db.NewRaw("SELECT "+text+" FROM river_job WHERE kind = ? AND state IN (?) ORDER BY id",
		provisionArgs{}.Kind(), bun.List(stateNames(uniqueStates))).Scan(ctx, &args)
	if err != nil && !errNoRows(err) {
		return nil, s.dbError(err, "list provisioning jobs")
	}
	var out []int64
	for _, a := range args {
		var p provisionArgs
		if err := json.Unmarshal([]byte(a), &p); err != nil {
			return nil, fault.Wrap(err, "decode provisioning job")
		}
		if p.Org == int64(org) {
			out = append(out, p.CustomerID)
		}
	}
	return out, nil
}

func stateNames(states []rivertype.JobState) []string {
	out := make([]string, len(states))
	for i, st := range states {
		out[i] = string(st)
	}
	return out
}

// WorkerConfig configures RunWorker.
type WorkerConfig struct {
	// Workers is how many jobs run at once (default 4).
	Workers int
	// Poll is how often the database is asked for jobs (default 1s).
	Poll time.Duration
	// Logger receives River's logs (a job's failure, start and stop);
	// nil drops them.
	Logger *slog.Logger
	// Webhooks, when set, also works the webhook delivery jobs.
	Webhooks ports.WebhookDeliverer
	// WebhookRetry is the wait after a failed delivery attempt
	// (1-based); nil means the domain's schedule, webhook.RetryDelay.
	WebhookRetry func(attempt int) time.Duration
	// RescueAfter is how long a job may stay running before it counts as
	// stuck (its worker died: kill -9, a lost machine) and is retried
	// (default DefaultRescueAfter). A job's own run is cut off at half of
	// it, so that a live worker never has its job rescued from under it.
	RescueAfter time.Duration
}

// DefaultRescueAfter is WorkerConfig.RescueAfter's default: a line whose
// worker died waits this long for its retry. River's own default, an
// hour, suits long jobs, not a carrier call bounded by seconds.
const DefaultRescueAfter = 2 * time.Minute

// RunWorker works provisioning jobs with p until ctx is done, then stops,
// letting running jobs finish for a few seconds. Several workers, in one
// process or many, on one database never run one job at once: River
// claims each job with a row lock (PostgreSQL) or the single writer
// (SQLite).
func (s *Store) RunWorker(ctx context.Context, p ports.LineProvisioner, cfg WorkerConfig) error {
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = quietLogger()
	}
	if cfg.RescueAfter <= 0 {
		cfg.RescueAfter = DefaultRescueAfter
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &provisionWorker{p: p})
	queues := map[string]river.QueueConfig{provisionQueue: {MaxWorkers: cfg.Workers}}
	if cfg.Webhooks != nil {
		retry := cfg.WebhookRetry
		if retry == nil {
			retry = webhook.RetryDelay
		}
		river.AddWorker(workers, &deliverWorker{d: cfg.Webhooks, clock: s.clock, retry: retry})
		queues[webhookQueue] = river.QueueConfig{MaxWorkers: cfg.Workers}
	}
	c, err := river.NewClient(s.riverDriver(), &river.Config{
		Logger:            cfg.Logger,
		Queues:            queues,
		Workers:           workers,
		FetchPollInterval: cfg.Poll,
		FetchCooldown:     min(cfg.Poll, 100*time.Millisecond),
		PollOnly:          true,
		RetryPolicy:       retryPolicy{clock: s.clock},
		// The rescuer (run by the elected leader among the clients)
		// retries a job running longer than this; the stuck job's line is
		// then asked about at the carrier under its activation key.
		RescueStuckJobsAfter: cfg.RescueAfter,
		JobTimeout:           cfg.RescueAfter / 2,
	})
	if err != nil {
		return fault.Wrap(err, "provisioning worker")
	}
	if err := c.Start(ctx); err != nil {
		return s.dbError(err, "start provisioning worker")
	}
	<-ctx.Done()
	stop, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := c.Stop(stop); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fault.Wrap(err, "stop provisioning worker")
	}
	return nil
}

// provisionWorker runs provisioning jobs with the lifecycle service.
type provisionWorker struct {
	river.WorkerDefaults[provisionArgs]
	p ports.LineProvisioner
}

// Work implements river.Worker.
func (w *provisionWorker) Work(ctx context.Context, job *river.Job[provisionArgs]) error {
	again, err := w.p.Provision(ctx, tenant.OrgID(job.Args.Org), job.Args.CustomerID, job.Attempt)
	if err != nil {
		return fmt.Errorf("provision line %d: %w", job.Args.CustomerID, err)
	}
	if again > 0 {
		return river.JobSnooze(again)
	}
	return nil
}

// retryPolicy is River's retry policy from the domain's: capped
// exponential backoff.
type retryPolicy struct{ clock ports.Clock }

// NextRetry implements river.ClientRetryPolicy.
func (r retryPolicy) NextRetry(job *rivertype.JobRow) time.Time {
	return r.clock.Now().Add(enrollment.RetryDelay(job.Attempt))
}
