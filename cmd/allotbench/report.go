package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// The operations of the report, as keys of its JSON.
const (
	opSeriesCreate = "series_create"
	// opDrawOwn is draw-next with every client drawing for an owner of its
	// own; opDrawHot16 and opDrawHot64 with all clients on one owner and
	// item (the phase once called draw_next is opDrawHot16).
	opDrawOwn   = "draw_own_owner"
	opDrawHot16 = "draw_hot_owner_16"
	opDrawHot64 = "draw_hot_owner_64"
	// opPeerIPAM is the peer: go-ipam's AcquireIP on the same cluster.
	opPeerIPAM   = "peer_go_ipam_acquire_ip"
	opEnrollment = "enrollment"
	// opEnrollmentNoPassword is the enrollment without the customer
	// password's hash: a diagnostic, with no target.
	opEnrollmentNoPassword = "enrollment_no_password"
	opSeriesCreate1M       = "series_create_1m"
	opSeriesCreateSQLite   = "series_create_sqlite"
	// opChainedCall is a BSS call on a chained token, the floor of
	// opAuthThenCall: the same call after POST /authenticate.
	opChainedCall  = "bss_chained_call"
	opAuthThenCall = "bss_authenticate_then_call"
)

// opOrder is the order of the table's rows and their labels.
var opOrder = []struct{ key, label string }{
	{opSeriesCreate, "series create (1k existing)"},
	{opDrawOwn, "draw-next 1, own owner per client"},
	{opDrawHot16, "draw-next 1, one hot owner"},
	{opDrawHot64, "draw-next 1, one hot owner"},
	{opPeerIPAM, "peer: go-ipam AcquireIP, one prefix"},
	{opEnrollment, "enrollment, 10 lines"},
	{opEnrollmentNoPassword, "  same, no customer password"},
	{opSeriesCreate1M, "series create (1M existing)"},
	{opSeriesCreateSQLite, "series create, SQLite"},
	{opChainedCall, "BSS call, chained token"},
	{opAuthThenCall, "authenticate then call (floor: chained)"},
}

// The targets of the issue.
const (
	targetCreateRatio   = 0.5
	targetDrawRatio     = 0.5
	targetHotRatio      = 5.0
	targetOwnRatio      = 0.8
	targetPeerRatio     = 20.0
	targetGrowthRatio   = 0.8
	targetEnrollP99Ms   = 25.0
	targetPeakRSSMiB    = 100.0
	targetSQLiteCreates = 2000.0
	targetAuthRatio     = 0.5
)

// opResult is one operation's figures. Floor and ratio are null when the
// operation has no pgbench floor.
type opResult struct {
	Clients      int      `json:"clients"`
	Ops          int64    `json:"ops"`
	Errors       int64    `json:"errors"`
	Seconds      float64  `json:"seconds"`
	OpsPerS      float64  `json:"ops_per_s"`
	P50Ms        float64  `json:"p50_ms"`
	P99Ms        float64  `json:"p99_ms"`
	FloorOpsPerS *float64 `json:"floor_ops_per_s"`
	// FloorLatencyMs is pgbench's average latency.
	FloorLatencyMs *float64 `json:"floor_latency_avg_ms"`
	Ratio          *float64 `json:"ratio"`
	// QueriesPerOp is the statements the database ran per operation in
	// the window (pg_stat_statements; BEGIN and COMMIT count).
	QueriesPerOp *float64 `json:"queries_per_op,omitempty"`
	// CPU is the machine's CPU per operation of the service phase, by
	// process; FloorCPU pgbench's.
	CPU        *cpuUse          `json:"cpu,omitempty"`
	FloorCPU   *cpuUse          `json:"floor_cpu,omitempty"`
	Statements []statementCount `json:"statements,omitempty"`
	// DrawCheck is the check after a hot-owner draw phase.
	DrawCheck *drawCheck `json:"draw_check,omitempty"`
}

// domainBench is one line of `go test -bench` output.
type domainBench struct {
	Name        string  `json:"name"`
	NsPerOp     float64 `json:"ns_per_op"`
	BytesPerOp  *int64  `json:"bytes_per_op,omitempty"`
	AllocsPerOp *int64  `json:"allocs_per_op,omitempty"`
}

// target is one target of the issue and whether the run met it.
type target struct {
	Name  string  `json:"name"`
	Want  string  `json:"want"`
	Value float64 `json:"value"`
	Met   bool    `json:"met"`
}

// machine describes where the run happened.
type machine struct {
	CPUs     int    `json:"nproc"`
	Model    string `json:"cpu_model"`
	MemMiB   int64  `json:"mem_total_mib"`
	Kernel   string `json:"kernel"`
	Postgres string `json:"postgres"`
	Go       string `json:"go"`
}

// results is the report, printed as a table and written as JSON.
type results struct {
	GeneratedAt string               `json:"generated_at"`
	Machine     machine              `json:"machine"`
	Command     string               `json:"command"`
	DurationS   float64              `json:"duration_s"`
	Operations  map[string]*opResult `json:"operations"`
	GrowthRatio *float64             `json:"growth_ratio"`
	// PeerRatio is Allot's hot-owner draw at 16 clients over go-ipam's
	// AcquireIP at as many goroutines.
	PeerRatio *float64 `json:"draw_over_go_ipam,omitempty"`
	// GrowthSeries is how many series of the organisation and prefix
	// existed at the end of the 1M phase.
	GrowthSeries int64   `json:"growth_series,omitempty"`
	PeakRSSMiB   float64 `json:"peak_rss_mib"`
	// PeakRSSBeforeEnrollMiB is the peak before the enrollment phase:
	// under the series phases only.
	PeakRSSBeforeEnrollMiB float64 `json:"peak_rss_mib_before_enrollment,omitempty"`
	SQLitePeakRSSMiB       float64 `json:"sqlite_peak_rss_mib,omitempty"`
	// ServerErrorLines counts the server's log lines at level ERROR
	// (5xx answers, panics) during the PostgreSQL phases.
	ServerErrorLines int           `json:"server_error_lines"`
	Domain           []domainBench `json:"domain_benchmarks,omitempty"`
	Targets          []target      `json:"targets"`
	// Inventory is the number-level inventory phase, per database.
	Inventory []inventoryResult `json:"inventory,omitempty"`
}

func newResults(cfg config) *results {
	return &results{
		GeneratedAt: time.Now().UTC().Format(time.RFC3339),
		Machine:     machineInfo(),
		Command:     strings.Join(os.Args, " "),
		DurationS:   cfg.duration.Seconds(),
		Operations:  map[string]*opResult{},
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func ptr(v float64) *float64 { return &v }

// add records an operation's load result and, when it has one, its floor.
func (r *results) add(name string, l loadResult, floor *pgbenchResult, st statementStats) {
	o := &opResult{
		Clients: l.clients,
		Ops:     l.ops,
		Errors:  l.errors,
		Seconds: l.elapsed.Seconds(),
		OpsPerS: l.opsPerSec(),
		P50Ms:   ms(l.percentile(0.50)),
		P99Ms:   ms(l.percentile(0.99)),
	}
	if l.cpu != (cpuUse{}) {
		c := l.cpu
		o.CPU = &c
	}
	if floor != nil && floor.tps > 0 {
		o.FloorOpsPerS = ptr(floor.tps)
		o.FloorLatencyMs = ptr(floor.latencyMs)
		o.Ratio = ptr(o.OpsPerS / floor.tps)
		c := floor.cpu
		o.FloorCPU = &c
	}
	if st.calls > 0 && l.ops > 0 {
		o.QueriesPerOp = ptr(float64(st.calls) / float64(l.ops+l.errors))
		o.Statements = st.top
	}
	r.Operations[name] = o
}

// evaluate computes the growth ratio and checks every target whose figures
// the run has.
func (r *results) evaluate() {
	r.Targets = nil
	op := r.Operations
	if a, b := op[opSeriesCreate], op[opSeriesCreate1M]; a != nil && b != nil && a.OpsPerS > 0 {
		r.GrowthRatio = ptr(b.OpsPerS / a.OpsPerS)
	}
	atLeast := func(name, want string, v *float64, min float64) {
		if v != nil {
			r.Targets = append(r.Targets, target{Name: name, Want: want, Value: *v, Met: *v >= min})
		}
	}
	if o := op[opSeriesCreate]; o != nil {
		atLeast("series create / pgbench INSERT", fmt.Sprintf(">= %.1f", targetCreateRatio), o.Ratio, targetCreateRatio)
	}
	if o := op[opDrawOwn]; o != nil {
		atLeast("draw, own owner / pgbench UPDATE own row", fmt.Sprintf(">= %.1f", targetOwnRatio), o.Ratio, targetOwnRatio)
	}
	if o := op[opDrawHot16]; o != nil {
		atLeast("draw, hot owner 16 / pgbench UPDATE one row", fmt.Sprintf(">= %.1f", targetDrawRatio), o.Ratio, targetDrawRatio)
	}
	if o := op[opDrawHot64]; o != nil {
		atLeast(fmt.Sprintf("draw, hot owner %d / pgbench one row", o.Clients), fmt.Sprintf(">= %.1f", targetHotRatio), o.Ratio, targetHotRatio)
	}
	for _, k := range []string{opDrawHot16, opDrawHot64} {
		if o := op[k]; o != nil && o.DrawCheck != nil {
			c := o.DrawCheck
			r.Targets = append(r.Targets, target{Name: fmt.Sprintf("hot owner %d: numbers twice+skipped", o.Clients), Want: "0",
				Value: float64(c.HandedOut - c.Distinct + c.Skipped + c.Beyond), Met: c.OK})
		}
	}
	if a, p := op[opDrawHot16], op[opPeerIPAM]; a != nil && p != nil && p.OpsPerS > 0 {
		r.PeerRatio = ptr(a.OpsPerS / p.OpsPerS)
		atLeast("Allot draw / go-ipam AcquireIP (16)", fmt.Sprintf(">= %.0f", targetPeerRatio), r.PeerRatio, targetPeerRatio)
	}
	atLeast("growth: create 1M / 1k existing", fmt.Sprintf(">= %.1f", targetGrowthRatio), r.GrowthRatio, targetGrowthRatio)
	if o := op[opEnrollment]; o != nil {
		r.Targets = append(r.Targets, target{Name: fmt.Sprintf("enrollment p99 at %d clients (ms)", o.Clients),
			Want: fmt.Sprintf("<= %.0f", targetEnrollP99Ms), Value: o.P99Ms, Met: o.Ops > 0 && o.P99Ms <= targetEnrollP99Ms})
	}
	if r.PeakRSSMiB > 0 {
		r.Targets = append(r.Targets, target{Name: "server peak RSS under load (MiB)",
			Want: fmt.Sprintf("<= %.0f", targetPeakRSSMiB), Value: r.PeakRSSMiB, Met: r.PeakRSSMiB <= targetPeakRSSMiB})
	}
	if o := op[opAuthThenCall]; o != nil {
		atLeast(fmt.Sprintf("authenticate-then-call / chained call at %d clients", o.Clients), fmt.Sprintf(">= %.1f", targetAuthRatio), o.Ratio, targetAuthRatio)
	}
	if o := op[opSeriesCreateSQLite]; o != nil {
		atLeast("SQLite series create (ops/s)", fmt.Sprintf(">= %.0f", targetSQLiteCreates), &o.OpsPerS, targetSQLiteCreates)
	}
	for _, o := range op {
		if o.Errors > 0 {
			r.Targets = append(r.Targets, target{Name: "no failed requests", Want: "0", Value: float64(o.Errors)})
			break
		}
	}
}

// printTable writes the one table of the run.
func (r *results) printTable(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	f := func(v float64, prec int) string { return strconv.FormatFloat(v, 'f', prec, 64) }
	opt := func(v *float64, prec int) string {
		if v == nil {
			return "-"
		}
		return f(*v, prec)
	}
	cpu := func(c *cpuUse, server bool) string {
		if c == nil {
			return "-"
		}
		s := f(c.Postgres, 0) + "+" + f(c.Client, 0)
		if server {
			s = f(c.Server, 0) + "+" + s
		}
		return s + " (" + f(c.IdlePct, 0) + "% idle)"
	}
	fmt.Fprintln(tw, "MEASURE\tCLIENTS\tOPS/S\tP50 MS\tP99 MS\tFLOOR OPS/S\tRATIO\tQUERIES/OP\tERRORS\tCPU µs/OP srv+pg+cli\tFLOOR CPU µs/OP pg+cli\tGO BENCHMARK\t")
	for _, k := range opOrder {
		o := r.Operations[k.key]
		if o == nil {
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t\t\n", k.label, o.Clients, f(o.OpsPerS, 0), f(o.P50Ms, 2), f(o.P99Ms, 2),
			opt(o.FloorOpsPerS, 0), opt(o.Ratio, 2), opt(o.QueriesPerOp, 1), o.Errors, cpu(o.CPU, true), cpu(o.FloorCPU, false))
	}
	if r.GrowthRatio != nil {
		fmt.Fprintf(tw, "growth ratio (1M / 1k)\t\t\t\t\t\t%s\t\t\t\t\t\t\n", f(*r.GrowthRatio, 2))
	}
	if r.PeerRatio != nil {
		fmt.Fprintf(tw, "Allot hot-owner draw / go-ipam\t\t\t\t\t\t%s\t\t\t\t\t\t\n", f(*r.PeerRatio, 1))
	}

	if r.PeakRSSMiB > 0 {
		fmt.Fprintf(tw, "server peak RSS MiB (PostgreSQL)\t\t%s\t\t\t\t\t\t\t\t\t\t\n", f(r.PeakRSSMiB, 1))
	}
	if r.PeakRSSBeforeEnrollMiB > 0 {
		fmt.Fprintf(tw, "server peak RSS MiB before enrollment\t\t%s\t\t\t\t\t\t\t\t\t\t\n", f(r.PeakRSSBeforeEnrollMiB, 1))
	}
	if r.SQLitePeakRSSMiB > 0 {
		fmt.Fprintf(tw, "server peak RSS MiB (SQLite)\t\t%s\t\t\t\t\t\t\t\t\t\t\n", f(r.SQLitePeakRSSMiB, 1))
	}
	for _, d := range r.Domain {
		extra := strconv.FormatFloat(d.NsPerOp, 'f', -1, 64) + " ns/op"
		if d.BytesPerOp != nil && d.AllocsPerOp != nil {
			extra += fmt.Sprintf(", %d B/op, %d allocs/op", *d.BytesPerOp, *d.AllocsPerOp)
		}
		fmt.Fprintf(tw, "domain %s\t1\t%s\t\t\t\t\t\t\t\t\t%s\t\n", d.Name, f(1e9/d.NsPerOp, 0), extra)
	}
	fmt.Fprintln(tw, "\t\t\t\t\t\t\t\t\t\t\t\t")
	fmt.Fprintln(tw, "TARGET\tWANT\tVALUE\tMET\t\t\t\t\t\t\t\t\t")
	for _, t := range r.Targets {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\t\t\t\t\t\t\t\t\n", t.Name, t.Want, f(t.Value, 2), yesNo(t.Met))
	}
	_ = tw.Flush()
	for _, k := range []string{opDrawHot16, opDrawHot64} {
		if o := r.Operations[k]; o != nil && o.DrawCheck != nil {
			c := o.DrawCheck
			fmt.Fprintf(w, "check after the hot-owner draws at %d clients: %d numbers handed out, %d distinct, series counter %d, %d skipped, %d beyond the counter\n",
				o.Clients, c.HandedOut, c.Distinct, c.Drawn, c.Skipped, c.Beyond)
		}
	}
	printInventory(w, r.Inventory)
	fmt.Fprintf(w, "machine: %d CPUs, %s, %d MiB, Linux %s, %s, %s\n", r.Machine.CPUs, r.Machine.Model, r.Machine.MemMiB,
		r.Machine.Kernel, r.Machine.Postgres, r.Machine.Go)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "NO"
}

// write writes the results as indented JSON to path.
func (r *results) write(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "allotbench: wrote %s\n", path)
	return nil
}

var benchLineRE = regexp.MustCompile(`^Benchmark(\S+?)(?:-\d+)?\s+\d+\s+([0-9.]+) ns/op(?:\s+(\d+) B/op\s+(\d+) allocs/op)?`)

// readDomainBench reads the benchmark lines of `go test -bench` output.
func readDomainBench(path string) ([]domainBench, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseDomainBench(f)
}

func parseDomainBench(r io.Reader) ([]domainBench, error) {
	var out []domainBench
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		m := benchLineRE.FindStringSubmatch(strings.TrimSpace(sc.Text()))
		if m == nil {
			continue
		}
		ns, err := strconv.ParseFloat(m[2], 64)
		if err != nil || ns <= 0 {
			continue
		}
		d := domainBench{Name: m[1], NsPerOp: ns}
		if m[3] != "" {
			b, _ := strconv.ParseInt(m[3], 10, 64)
			a, _ := strconv.ParseInt(m[4], 10, 64)
			d.BytesPerOp, d.AllocsPerOp = &b, &a
		}
		out = append(out, d)
	}
	return out, sc.Err()
}

// machineInfo describes this machine from /proc.
func machineInfo() machine {
	m := machine{CPUs: runtime.NumCPU(), Go: runtime.Version(), Model: "unknown"}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.Model = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
				m.MemMiB = kb >> 10
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	return m
}
