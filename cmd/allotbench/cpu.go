package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Where the machine's CPU goes during a phase, from /proc: the server
// process, PostgreSQL (every backend, live or exited, through the
// postmaster), the load generator (this process, or pgbench), and how much
// of the machine stayed idle. On a 2-core machine the service, the database
// and the client share the same cores, so these explain a ratio better
// than a profile of one process can.

// clockTick is the unit of /proc's CPU times (USER_HZ), 100 on Linux.
const clockTick = 10 * time.Millisecond

// cpuUse is CPU time per operation of a phase, in microseconds.
type cpuUse struct {
	Server   float64 `json:"server_us_per_op,omitempty"`
	Postgres float64 `json:"postgres_us_per_op"`
	Client   float64 `json:"client_us_per_op"`
	// IdlePct is the share of the machine's CPU time left idle.
	IdlePct float64 `json:"idle_pct"`
}

// cpuSample is a snapshot of the counters.
type cpuSample struct {
	server, postgres, self time.Duration
	busy, all              time.Duration // the machine's, from /proc/stat
}

// sampleCPU reads the counters; serverPID and postmasterPID may be 0.
func sampleCPU(serverPID, postmasterPID int) cpuSample {
	var s cpuSample
	if serverPID > 0 {
		s.server, _ = procCPU(serverPID, false)
	}
	if postmasterPID > 0 {
		s.postgres = postgresCPU(postmasterPID)
	}
	s.self, _ = procCPU(os.Getpid(), false)
	s.busy, s.all = machineCPU()
	return s
}

// use returns the CPU per operation between s and later, for ops
// operations; client is the load generator's CPU when it is not this
// process (pgbench), else negative.
func (s cpuSample) use(later cpuSample, ops int64, client time.Duration) cpuUse {
	if ops <= 0 {
		return cpuUse{}
	}
	per := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(ops) }
	u := cpuUse{
		Server:   per(later.server - s.server),
		Postgres: per(later.postgres - s.postgres),
		Client:   per(later.self - s.self),
	}
	if client >= 0 {
		u.Client = per(client)
	}
	if all := later.all - s.all; all > 0 {
		u.IdlePct = 100 * float64(all-(later.busy-s.busy)) / float64(all)
	}
	return u
}

// statFields returns the fields of /proc/pid/stat after the command name.
func statFields(pid int) ([]string, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return nil, err
	}
	s := string(b)
	// The command name is in parentheses and may contain spaces.
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return nil, os.ErrInvalid
	}
	return strings.Fields(s[i+1:]), nil
}

// procCPU returns utime+stime of pid, plus cutime+cstime (its waited-for
// children) with children.
func procCPU(pid int, children bool) (time.Duration, error) {
	f, err := statFields(pid)
	if err != nil || len(f) < 15 {
		return 0, err
	}
	// After the name: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14).
	n := 2
	if children {
		n = 4
	}
	var ticks int64
	for _, x := range f[11 : 11+n] {
		v, _ := strconv.ParseInt(x, 10, 64)
		ticks += v
	}
	return time.Duration(ticks) * clockTick, nil
}

// postgresCPU returns the CPU of the cluster: the postmaster with its
// exited children, and every live child.
func postgresCPU(postmaster int) time.Duration {
	total, _ := procCPU(postmaster, true)
	for _, pid := range children(postmaster) {
		d, _ := procCPU(pid, false)
		total += d
	}
	return total
}

// children returns the processes whose parent is ppid.
func children(ppid int) []int {
	var out []int
	procs, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range procs {
		pid, err := strconv.Atoi(filepath.Base(filepath.Dir(p)))
		if err != nil || pid == ppid {
			continue
		}
		if f, err := statFields(pid); err == nil && len(f) > 1 && f[1] == strconv.Itoa(ppid) {
			out = append(out, pid)
		}
	}
	return out
}

// settle waits, up to 5 seconds, until the postmaster has at most n
// children: the backends of a finished client exit and are reaped shortly
// after it, and their CPU only then shows in the postmaster's.
func settle(postmaster, n int) {
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if len(children(postmaster)) <= n {
			return
		}
	}
}

// machineCPU returns the busy and total CPU time of the machine.
func machineCPU() (busy, all time.Duration) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 8 || f[0] != "cpu" {
		return 0, 0
	}
	var idle, sum int64
	for i, x := range f[1:] {
		v, _ := strconv.ParseInt(x, 10, 64)
		if i >= 8 { // guest times are already in user
			break
		}
		sum += v
		if i == 3 || i == 4 { // idle, iowait
			idle += v
		}
	}
	return time.Duration(sum-idle) * clockTick, time.Duration(sum) * clockTick
}

// postmasterPID reads the cluster's postmaster.pid.
func (c *cluster) postmasterPID() int {
	b, err := os.ReadFile(filepath.Join(c.dir, "postmaster.pid"))
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	pid, _ := strconv.Atoi(strings.TrimSpace(line))
	return pid
}
