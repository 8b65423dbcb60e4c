package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The tests in this file break things under load: a server process, then
// the database. TestPostgresRestartUnderLoad stops the package's shared
// container, so it comes last.

// waitUntil polls cond every 5 ms until it holds or timeout passes.
func waitUntil(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
	return true
}

// TestKillServerLosesNoAcknowledgedSeries kills one of two server
// processes with SIGKILL while 16 clients create series on both, moves its
// clients to the survivor, and checks that every series acknowledged with
// 200, by either process, is in the database with exactly its range.
func TestKillServerLosesNoAcknowledgedSeries(t *testing.T) {
	const (
		clients         = 16
		ackedBeforeKill = 400
		ackedAfterKill  = 300
		phaseTimeout    = 30 * time.Second
		maxPerClient    = 5000
	)
	dsn := srv.NewDatabase(t)
	key := setupTenant(t, dsn)
	servers := startServers(t, dsn, 2)
	survivor, victim := servers[0], servers[1]
	c := newClient(t, clients)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()

	type sent struct {
		outcome
		victim    bool // sent to the process that gets killed
		afterKill bool // the kill had been sent when the outcome arrived
	}
	var (
		slot    atomic.Int64
		acked   atomic.Int64
		killed  atomic.Bool
		stop    = make(chan struct{})
		wg      sync.WaitGroup
		results = make([][]sent, clients)
	)
	for i := range clients {
		wg.Go(func() {
			onVictim := i%2 == 1
			for range maxPerClient {
				select {
				case <-stop:
					return
				default:
				}
				target := survivor
				if onVictim {
					target = victim
				}
				start, end := slotRange(int(slot.Add(1) - 1))
				o := create(ctx, c, target.base, key, start, end)
				s := sent{outcome: o, victim: onVictim, afterKill: killed.Load()}
				results[i] = append(results[i], s)
				if o.err == nil && o.status == http.StatusOK {
					acked.Add(1)
				}
				if o.status == 0 && onVictim && s.afterKill {
					onVictim = false // the victim is gone: carry on with the survivor
				}
			}
		})
	}
	halt := sync.OnceFunc(func() { close(stop); wg.Wait() })
	defer halt()

	if !waitUntil(phaseTimeout, func() bool { return acked.Load() >= ackedBeforeKill }) {
		t.Fatalf("only %d creates acknowledged in %s before the kill", acked.Load(), phaseTimeout)
	}
	ackedAtKill := acked.Load()
	killTime := time.Now()
	killed.Store(true)
	if err := victim.cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatalf("kill -9 %s: %v", victim.name, err)
	}
	select {
	case <-victim.exited:
	case <-time.After(killWait):
		t.Fatalf("%s still runs %s after SIGKILL", victim.name, killWait)
	}
	carriedOn := waitUntil(phaseTimeout, func() bool { return acked.Load() >= ackedAtKill+ackedAfterKill })
	halt()

	var (
		acks                          []outcome
		connErrors, afterKill, served int
		problems                      []string
	)
	for _, rs := range results {
		for _, s := range rs {
			who := survivor.name
			if s.victim {
				who = victim.name
			}
			switch {
			case s.err == nil && s.status == http.StatusOK:
				acks = append(acks, s.outcome)
				if s.began.After(killTime) {
					afterKill++
				}
				if !s.victim {
					served++
				}
			case s.status == 0 && s.victim && s.afterKill:
				connErrors++ // the victim's clients losing it is expected
			default:
				// Every range is distinct, so anything but 200 is wrong.
				problems = append(problems, fmt.Sprintf("%s: %s", who, s.describe()))
			}
			if s.bad {
				problems = append(problems, fmt.Sprintf("%s: body leaks internals: %s", who, s.body))
			}
		}
	}

	db := openDB(t, dsn)
	live := liveSeries(t, db)
	found := checkAcknowledged(t, live, acks)
	pairs := overlappingPairs(t, db)
	recordFigures(t, "kill", fmt.Sprintf("kill: acknowledged=%d in_db=%d missing=%d acknowledged_after_kill=%d by_survivor=%d victim_conn_errors=%d unacknowledged_in_db=%d",
		len(acks), found, len(acks)-found, afterKill, served, connErrors, len(live)-found))

	if got := victim.exitStatus(); got != "signal: killed" {
		t.Errorf("%s ended with %q, want signal: killed", victim.name, got)
	}
	if len(problems) > 0 {
		t.Errorf("%d requests got something other than 200 (and not a connection error from the killed process): %s", len(problems), firstN(problems, 10))
	}
	if !carriedOn || afterKill == 0 {
		t.Errorf("the survivor acknowledged only %d creates after the kill, want %d", afterKill, ackedAfterKill)
	}
	if pairs != 0 {
		t.Errorf("the database holds %d pairs of overlapping live series", pairs)
	}
	// A create can commit without its reply getting out only if it was in
	// flight on the victim when it died: at most one per victim client.
	if extra := len(live) - found; extra < 0 || extra > clients/2 {
		t.Errorf("the database holds %d series never acknowledged, want at most %d (those in flight on %s)", extra, clients/2, victim.name)
	}
}

// hostOf returns the host:port of a DSN URL.
func hostOf(t *testing.T, dsn string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

// withHost returns the DSN URL dsn pointed at host:port.
func withHost(t *testing.T, dsn, host string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = host
	return u.String()
}

// TestPostgresRestartUnderLoad stops and restarts PostgreSQL while 16
// clients create and list series on one server, which reaches the database
// through a proxy on a fixed port (Docker maps a new host port on
// restart). While the database is down every answer must be a clean 503,
// and within 10 s of its return traffic must succeed again.
//
// It stops the package's shared container and always starts it again, also
// when it fails, so that databases created later still work.
func TestPostgresRestartUnderLoad(t *testing.T) {
	const (
		clients       = 16
		warmOK        = 200
		downTime      = 1500 * time.Millisecond
		recoverWithin = 10 * time.Second
		probeTimeout  = 10 * time.Second
		stopTimeout   = 10 * time.Second
		maxPerClient  = 20000
		// pause is how long a client waits after a failure, so that an
		// outage does not turn into a busy loop of 503s.
		pause = 20 * time.Millisecond
	)
	dsn := srv.NewDatabase(t)
	var stopped atomic.Bool
	t.Cleanup(func() {
		// Registered after NewDatabase, so it runs before the database is
		// dropped: the container must be running for that, and for every
		// later test.
		if !stopped.Load() {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if err := srv.Start(ctx); err != nil {
			t.Errorf("restart PostgreSQL after the test: %v", err)
		}
	})
	key := setupTenant(t, dsn)
	px := newPGProxy(t, hostOf(t, dsn))
	s := startServers(t, withHost(t, dsn, px.addr()), 1)[0]
	c := newClient(t, clients)
	probe := newClient(t, 1)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()

	type call struct {
		outcome
		create bool
	}
	var (
		slot    atomic.Int64
		okCount atomic.Int64
		readyAt atomic.Int64 // unix ns when the database was back; 0 before
		firstOK atomic.Int64 // unix ns of the first 200 to a create sent after readyAt
		stop    = make(chan struct{})
		wg      sync.WaitGroup
		results = make([][]call, clients)
	)
	noteOK := func(o outcome) {
		okCount.Add(1)
		r := readyAt.Load()
		if r == 0 || o.began.UnixNano() < r {
			return
		}
		for v := o.ended.UnixNano(); ; {
			cur := firstOK.Load()
			if (cur != 0 && cur <= v) || firstOK.CompareAndSwap(cur, v) {
				return
			}
		}
	}
	for i := range clients {
		wg.Go(func() {
			for range maxPerClient {
				select {
				case <-stop:
					return
				default:
				}
				start, end := slotRange(int(slot.Add(1) - 1))
				cr := create(ctx, c, s.base, key, start, end)
				results[i] = append(results[i], call{cr, true})
				if cr.err == nil && cr.status == http.StatusOK {
					noteOK(cr)
				}
				ls := list(ctx, c, s.base, key)
				results[i] = append(results[i], call{ls, false})
				if cr.status != http.StatusOK || ls.status != http.StatusOK {
					time.Sleep(pause)
				}
			}
		})
	}
	halt := sync.OnceFunc(func() { close(stop); wg.Wait() })
	defer halt()

	// waitReadyz polls /readyz until it answers want, and returns its last
	// answer.
	waitReadyz := func(want int) (outcome, bool) {
		var last outcome
		ok := waitUntil(probeTimeout, func() bool {
			last = readyz(ctx, probe, s.base)
			if last.status == want {
				return true
			}
			time.Sleep(45 * time.Millisecond)
			return false
		})
		return last, ok
	}

	if !waitUntil(20*time.Second, func() bool { return okCount.Load() >= warmOK }) {
		t.Fatalf("only %d requests succeeded before the restart", okCount.Load())
	}

	downAt := time.Now()
	px.setDown()
	stopped.Store(true)
	if err := srv.Stop(ctx, stopTimeout); err != nil {
		t.Fatal(err)
	}
	stoppedAt := time.Now()
	downProbe, down503 := waitReadyz(http.StatusServiceUnavailable)
	time.Sleep(time.Until(stoppedAt.Add(downTime)))

	startAt := time.Now()
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	stopped.Store(false)
	back, err := srv.RefreshDSN(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	px.setUp(hostOf(t, back))
	readyTime := time.Now()
	readyAt.Store(readyTime.UnixNano())
	downFor := readyTime.Sub(downAt)

	recovered := waitUntil(recoverWithin, func() bool { return firstOK.Load() != 0 })
	recoveredAfter := "never"
	if recovered {
		recoveredAfter = time.Duration(firstOK.Load() - readyTime.UnixNano()).Round(time.Millisecond).String()
	}
	upProbe, up200 := waitReadyz(http.StatusOK)
	readyzAfter := "never"
	if up200 {
		readyzAfter = upProbe.ended.Sub(readyTime).Round(time.Millisecond).String()
	}
	// pgtest serves new databases at the container's new address.
	openDB(t, srv.NewDatabase(t))
	// Some traffic after the recovery, then stop.
	time.Sleep(500 * time.Millisecond)
	halt()

	var (
		requests, ok, n503, n500, other int
		inOutage, outage503             int
		acks                            []outcome
		problems                        []string
	)
	for _, rs := range results {
		for _, r := range rs {
			requests++
			switch {
			case r.err == nil && r.status == http.StatusOK:
				ok++
				if r.create {
					acks = append(acks, r.outcome)
				}
			case r.status == http.StatusServiceUnavailable:
				n503++
			case r.status == http.StatusInternalServerError:
				n500++
				problems = append(problems, r.describe())
			default:
				other++
				problems = append(problems, r.describe())
			}
			if r.bad {
				problems = append(problems, "body leaks internals: "+r.body)
			}
			// Sent and answered while the database was fully down.
			if r.began.After(stoppedAt) && r.ended.Before(startAt) {
				inOutage++
				if r.status == http.StatusServiceUnavailable {
					outage503++
				}
			}
		}
	}

	db := openDB(t, back)
	found := checkAcknowledged(t, liveSeries(t, db), acks)
	recordFigures(t, "restart", fmt.Sprintf("restart: requests=%d ok=%d 503=%d 500=%d other=%d down_for=%s recovered_after=%s readyz_recovered_after=%s acknowledged=%d in_db=%d",
		requests, ok, n503, n500, other, downFor.Round(time.Millisecond), recoveredAfter, readyzAfter, len(acks), found))

	if len(problems) > 0 {
		t.Errorf("%d answers were neither 200 nor a clean 503: %s", len(problems), firstN(problems, 10))
	}
	if n500 != 0 {
		t.Errorf("500 responses: %d, want 0", n500)
	}
	if inOutage == 0 || outage503 != inOutage {
		t.Errorf("while PostgreSQL was down: %d requests, %d of them 503; want some, all 503", inOutage, outage503)
	}
	if !down503 {
		t.Errorf("/readyz while PostgreSQL was down: %s, want 503", downProbe.describe())
	}
	if !recovered {
		t.Errorf("no create succeeded within %s of PostgreSQL being ready again", recoverWithin)
	}
	if !up200 {
		t.Errorf("/readyz after PostgreSQL came back: %s, want 200", upProbe.describe())
	}
}
