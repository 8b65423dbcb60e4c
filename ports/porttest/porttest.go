// Package porttest is the conformance suite of Allot's driven ports: every
// adapter of ports.Store (the SQLite and PostgreSQL stores, and any fake a
// test uses) must pass RunStore. It asserts fault codes and reasons, never
// messages, so that adapters may word errors as they like.
//
// The package imports only the standard library, the domain and ports, so
// that integration tests anywhere can import it.
package porttest

import (
	"context"
	"testing"
	"time"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// Options tunes RunStoreWith to what an adapter can do.
type Options struct {
	// Concurrency is how many goroutines the concurrent cases start: 0
	// means 32 (and 100 for the race to consume one token); a negative
	// value skips those cases, for an adapter that is not safe for
	// concurrent use.
	Concurrency int
	// Parallel runs the subtests in parallel with each other (each still
	// gets its own store). Leave it off when newStore shares one database.
	Parallel bool
}

func (o Options) concurrency() int {
	if o.Concurrency == 0 {
		return 32
	}
	return o.Concurrency
}

// tokenRacers is how many goroutines race to consume one token: 100 by
// default, Concurrency when it is set.
func (o Options) tokenRacers() int {
	if o.Concurrency == 0 {
		return 100
	}
	return o.Concurrency
}

// RunStore runs the whole suite over the stores newStore makes, with the
// default Options. newStore must return a fresh, migrated, empty store for
// the test it is given, and register its cleanup with t.Cleanup.
func RunStore(t *testing.T, newStore func(t *testing.T) ports.Store) {
	RunStoreWith(t, newStore, Options{})
}

// RunStoreWith runs the whole suite over the stores newStore makes. Each
// subtest gets a store of its own.
func RunStoreWith(t *testing.T, newStore func(t *testing.T) ports.Store, opts Options) {
	h := harness{newStore: newStore, opts: opts}
	t.Run("Lifecycle", h.lifecycle)
	t.Run("Orgs", h.orgs)
	t.Run("APIKeys", h.apiKeys)
	t.Run("Customers", func(t *testing.T) { h.codes(t, customerKind) })
	t.Run("CustomerSearch", h.customerSearch)
	t.Run("Hubs", func(t *testing.T) { h.codes(t, hubKind) })
	t.Run("ServiceTypes", func(t *testing.T) { h.codes(t, serviceTypeKind) })
	t.Run("Series", h.series)
	t.Run("Draw", h.draw)
	t.Run("Numbers", h.numbers)
	t.Run("NumbersScale", h.numbersScale)
	t.Run("GlobalPools", h.globalPools)
	t.Run("SeriesHistory", h.seriesHistory)
	t.Run("Idempotency", h.idempotency)
	// The enrollment stores are part of every ports.Store, so they need no
	// capability flag.
	t.Run("Vendors", h.vendors)
	t.Run("Agents", h.agents)
	t.Run("Sources", h.sources)
	t.Run("Zips", h.zips)
	t.Run("Plans", h.plans)
	t.Run("PlanCatalogue", h.planCatalogue)
	t.Run("Carriers", h.carriers)
	t.Run("EnrollmentIDs", h.enrollmentIDs)
	t.Run("Enrollments", h.enrollments)
	t.Run("Tokens", h.tokens)
	t.Run("Operators", h.operators)
	t.Run("OperatorSessions", h.operatorSessions)
	t.Run("Attempts", h.attempts)
	if opts.concurrency() > 0 {
		t.Run("Concurrent", h.concurrent)
		t.Run("NumbersConcurrent", h.numbersConcurrent)
		t.Run("GlobalConcurrent", h.globalConcurrent)
	}
}

// harness carries newStore and the options to every case.
type harness struct {
	newStore func(t *testing.T) ports.Store
	opts     Options
}

// run runs one case as a subtest with a fresh store.
func (h harness) run(t *testing.T, name string, f func(t *testing.T, s ports.Store)) {
	t.Helper()
	t.Run(name, func(t *testing.T) {
		if h.opts.Parallel {
			t.Parallel()
		}
		f(t, h.newStore(t))
	})
}

func (h harness) lifecycle(t *testing.T) {
	h.run(t, "PingAndClose", func(t *testing.T, s ports.Store) {
		must(t, s.Ping(ctx(t)), "Ping")
		list, err := s.ListOrgs(ctx(t))
		must(t, err, "ListOrgs")
		if len(list) != 0 {
			t.Fatalf("a fresh store holds %d organisations", len(list))
		}
		must(t, s.Close(), "Close")
	})
}

// base is a fixed time as both databases keep it: UTC, whole microseconds.
var base = time.Date(2026, 3, 4, 5, 6, 7, 123456000, time.UTC)

// mkOrg creates an organisation and returns its id.
func mkOrg(t *testing.T, s ports.Store, code string) tenant.OrgID {
	t.Helper()
	o, err := s.CreateOrg(t.Context(), tenant.Organisation{Code: code, Name: "Org " + code})
	if err != nil {
		t.Fatalf("CreateOrg(%s): %v", code, err)
	}
	return o.ID
}

// wantFault fails t unless err has code and reason.
func wantFault(t *testing.T, err error, code fault.Code, reason string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s %s", code, reason)
	}
	if got := fault.CodeOf(err); got != code {
		t.Fatalf("error code = %s, want %s (error: %v)", got, code, err)
	}
	if got := fault.ReasonOf(err); got != reason {
		t.Fatalf("error reason = %s, want %s (error: %v)", got, reason, err)
	}
}

// must fails t when err is not nil.
func must(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func ctx(t *testing.T) context.Context { return t.Context() }

// rng parses a range constant.
func rng(first, last string) series.Range { return series.MustParseRange(first, last) }

func customer(code string) series.Owner { return series.Owner{Kind: series.Customer, Code: code} }
func hub(code string) series.Owner      { return series.Owner{Kind: series.Hub, Code: code} }

// newSeries returns a virtual series of owner over r with item code item.
func newSeries(owner series.Owner, r series.Range, item string, serviceTypes ...string) series.Series {
	return series.Series{Owner: owner, Type: series.Virtual, Range: r, ItemCode: item, ServiceTypes: serviceTypes}
}

// insert stores sr in org and fails t on error.
func insert(t *testing.T, s ports.Store, org tenant.OrgID, sr series.Series) series.Series {
	t.Helper()
	got, err := s.InsertSeries(ctx(t), org, sr)
	if err != nil {
		t.Fatalf("InsertSeries(%s): %v", sr.Range, err)
	}
	return got
}
