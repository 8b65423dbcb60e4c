// Command ipam is allotbench's peer: it measures the metal-stack/go-ipam
// library's AcquireIP, the next free address of one prefix, with concurrent
// goroutines on the PostgreSQL cluster of the run, so that Allot's draw can
// be compared with a well-known allocator in the same conditions. It is a
// module of its own so that Allot's go.mod never depends on go-ipam; `make
// bench` builds it.
//
// It prints one JSON object on stdout: ops, errors, seconds, ops_per_s,
// p50_ms, p99_ms, and whether every address handed out was distinct.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"slices"
	"sync"
	"time"

	ipam "github.com/metal-stack/go-ipam"
)

type result struct {
	Clients  int     `json:"clients"`
	Ops      int64   `json:"ops"`
	Errors   int64   `json:"errors"`
	FirstErr string  `json:"first_error,omitempty"`
	Seconds  float64 `json:"seconds"`
	OpsPerS  float64 `json:"ops_per_s"`
	P50Ms    float64 `json:"p50_ms"`
	P99Ms    float64 `json:"p99_ms"`
	Distinct bool    `json:"distinct"`
	Prefix   string  `json:"prefix"`
}

func main() {
	host := flag.String("host", "127.0.0.1", "PostgreSQL host")
	port := flag.String("port", "5432", "PostgreSQL port")
	user := flag.String("user", "postgres", "PostgreSQL user")
	password := flag.String("password", "", "PostgreSQL password")
	db := flag.String("db", "ipam", "database (go-ipam creates its table in it)")
	prefix := flag.String("prefix", "10.0.0.0/16", "the prefix every goroutine acquires from")
	clients := flag.Int("clients", 16, "concurrent goroutines")
	warmup := flag.Duration("warmup", 2*time.Second, "unmeasured time first")
	duration := flag.Duration("duration", 10*time.Second, "measured time")
	flag.Parse()
	if err := run(*host, *port, *user, *password, *db, *prefix, *clients, *warmup, *duration); err != nil {
		fmt.Fprintln(os.Stderr, "ipam:", err)
		os.Exit(1)
	}
}

func run(host, port, user, password, db, prefix string, clients int, warmup, duration time.Duration) error {
	ctx := context.Background()
	st, err := ipam.NewPostgresStorage(host, port, user, password, db, ipam.SSLModeDisable)
	if err != nil {
		return err
	}
	ip := ipam.NewWithStorage(st)
	if _, err := ip.NewPrefix(ctx, prefix); err != nil {
		return fmt.Errorf("new prefix %s: %w", prefix, err)
	}
	start := time.Now()
	from, until := start.Add(warmup), start.Add(warmup+duration)
	type clientResult struct {
		ops, errors int64
		firstErr    error
		lat         []time.Duration
		addrs       []string
	}
	res := make([]clientResult, clients)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &res[c]
			for {
				t0 := time.Now()
				if !t0.Before(until) {
					return
				}
				a, err := ip.AcquireIP(ctx, prefix)
				t1 := time.Now()
				if err == nil {
					r.addrs = append(r.addrs, a.IP.String())
				}
				if t0.Before(from) || t1.After(until) {
					continue
				}
				if err != nil {
					r.errors++
					if r.firstErr == nil {
						r.firstErr = err
					}
					continue
				}
				r.ops++
				r.lat = append(r.lat, t1.Sub(t0))
			}
		}()
	}
	wg.Wait()
	out := result{Clients: clients, Seconds: duration.Seconds(), Distinct: true, Prefix: prefix}
	var lat []time.Duration
	seen := map[string]bool{}
	for _, r := range res {
		out.Ops += r.ops
		out.Errors += r.errors
		if r.firstErr != nil && out.FirstErr == "" {
			out.FirstErr = r.firstErr.Error()
		}
		lat = append(lat, r.lat...)
		for _, a := range r.addrs {
			if seen[a] {
				out.Distinct = false
			}
			seen[a] = true
		}
	}
	slices.Sort(lat)
	pct := func(q float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		i := min(max(int(math.Ceil(q*float64(len(lat))))-1, 0), len(lat)-1)
		return float64(lat[i].Microseconds()) / 1000
	}
	out.OpsPerS = float64(out.Ops) / duration.Seconds()
	out.P50Ms, out.P99Ms = pct(0.5), pct(0.99)
	return json.NewEncoder(os.Stdout).Encode(out)
}
