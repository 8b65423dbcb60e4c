package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
)

// captured is one statement the cluster logged: the backend that ran it
// and its text, with the literals bun inlined.
type captured struct {
	pid string
	sql string
}

// logEntryRE is the start of an entry of the cluster's log under the
// prefix captureStatements sets: time, [pid], database, level, message.
var logEntryRE = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? \S+ \[(\d+)\] (\S*) ([A-Z]+):  (.*)$`)

// captureStatements returns, in order, every statement the benchmark
// database ran while fn ran: for that time the cluster logs all statements
// (log_statement = all, applied to every session by a reload). bun inlines
// its arguments and sends the simple protocol, so the log holds the exact
// text the service sent, which a pgbench script can replay.
func (b *bench) captureStatements(ctx context.Context, fn func() error) ([]captured, error) {
	st, err := os.Stat(b.pg.logFile)
	if err != nil {
		return nil, err
	}
	from := st.Size()
	set := func(on bool) error {
		stmts := []string{"ALTER SYSTEM RESET log_statement", "ALTER SYSTEM RESET log_line_prefix"}
		if on {
			stmts = []string{"ALTER SYSTEM SET log_statement = 'all'", "ALTER SYSTEM SET log_line_prefix = '%m [%p] %d '"}
		}
		for _, s := range append(stmts, "SELECT pg_reload_conf()") {
			if _, err := b.db.ExecContext(ctx, s); err != nil {
				return fmt.Errorf("capture: %s: %w", s, err)
			}
		}
		// A reload reaches every backend at its next command; a short
		// pause lets the postmaster signal them before fn's first.
		_, err := b.db.ExecContext(ctx, "SELECT pg_sleep(0.3)")
		return err
	}
	if err := set(true); err != nil {
		return nil, err
	}
	ferr := fn()
	if err := set(false); err != nil {
		return nil, err
	}
	if ferr != nil {
		return nil, ferr
	}
	f, err := os.Open(b.pg.logFile)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if _, err := f.Seek(from, io.SeekStart); err != nil {
		return nil, err
	}
	return parseStatementLog(f, benchDB)
}

// parseStatementLog reads the statements of database db from a log
// written with the prefix captureStatements sets; a statement's further
// lines are the log lines that do not start an entry.
func parseStatementLog(r io.Reader, db string) ([]captured, error) {
	var out []captured
	var cur *captured
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Text()
		m := logEntryRE.FindStringSubmatch(line)
		if m == nil {
			if cur != nil {
				cur.sql += "\n" + line
			}
			continue
		}
		cur = nil
		if m[2] != db || m[3] != "LOG" {
			continue
		}
		msg := m[4]
		switch {
		case strings.HasPrefix(msg, "statement: "):
			msg = strings.TrimPrefix(msg, "statement: ")
		case strings.HasPrefix(msg, "execute "):
			return nil, fmt.Errorf("capture: a statement was sent with the extended protocol (%.80s): its parameters are not in its text", msg)
		default:
			continue
		}
		out = append(out, captured{pid: m[1], sql: msg})
		cur = &out[len(out)-1]
	}
	// Drop the capture's own statements.
	kept := out[:0]
	for _, c := range out {
		if !strings.Contains(c.sql, "ALTER SYSTEM") && !strings.Contains(c.sql, "pg_reload_conf") && !strings.Contains(c.sql, "pg_sleep") {
			kept = append(kept, c)
		}
	}
	return kept, sc.Err()
}

// transactionOf returns the statements from BEGIN to COMMIT of the backend
// whose transaction contains a statement with marker.
func transactionOf(stmts []captured, marker string) ([]string, error) {
	for i, c := range stmts {
		if !strings.Contains(c.sql, marker) {
			continue
		}
		var tx []string
		begun := false
		for j := i; j >= 0; j-- {
			if stmts[j].pid == c.pid && strings.EqualFold(strings.TrimSpace(stmts[j].sql), "BEGIN") {
				for _, s := range stmts[j:] {
					if s.pid != c.pid {
						continue
					}
					tx = append(tx, s.sql)
					if strings.EqualFold(strings.TrimSpace(s.sql), "COMMIT") {
						return tx, nil
					}
				}
				begun = true
				break
			}
		}
		if !begun {
			return nil, fmt.Errorf("capture: no BEGIN before %.80s", c.sql)
		}
		return nil, fmt.Errorf("capture: no COMMIT after %.80s", c.sql)
	}
	return nil, fmt.Errorf("capture: no statement with %q", marker)
}

// statementWith returns the first captured statement containing marker.
func statementWith(stmts []captured, marker string) (string, error) {
	for _, c := range stmts {
		if strings.Contains(c.sql, marker) {
			return c.sql, nil
		}
	}
	return "", fmt.Errorf("capture: no statement with %q", marker)
}

// asScript ends every statement with a semicolon, as a pgbench script's
// lines, unless a \gset ends it.
func asScript(stmts []string) string {
	var b strings.Builder
	for _, s := range stmts {
		s = strings.TrimRight(strings.TrimSpace(s), ";")
		b.WriteString(s)
		if !strings.Contains(s[strings.LastIndex(s, "\n")+1:], `\gset`) {
			b.WriteString(";")
		}
		b.WriteString("\n")
	}
	return b.String()
}
