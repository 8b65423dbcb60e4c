package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestImportHundredThousandSeries imports 100,000 series with the real
// binary (built without -race) on the embedded SQLite default, within the
// minute the issue allows, reporting progress as plain lines.
func TestImportHundredThousandSeries(t *testing.T) {
	const n = 100_000
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "allot.db")
	allot(t, "org", "create", "--db", db, "--name", "Acme Logistics", "ACME")
	allot(t, "customer", "add", "--db", db, "--org", "ACME", "--code", customerCode, "--name", "Sample Customer")
	var b strings.Builder
	b.WriteString("owner_type,owner_code,start,end,item_code,type,service_types,check_digit\n")
	for i := range n {
		fmt.Fprintf(&b, "customer,%s,V%07d0,V%07d9,%s,physical,,\n", customerCode, i, i, itemCode)
	}
	file := filepath.Join(dir, "series.csv")
	if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, allotBin, "series", "import", "--db", db, "--org", "ACME", file)
	cmd.Env = childEnv()
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	if err != nil || out.String() != fmt.Sprintf("imported %d of %d series\n", n, n) {
		t.Fatalf("import: %v\nstdout: %s\nstderr: %s", err, out.String(), errOut.String())
	}
	for _, want := range []string{"processed 10000 of 100000 rows", "processed 100000 of 100000 rows"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("progress lacks %q:\n%s", want, errOut.String())
		}
	}
	recordFigures(t, "import", fmt.Sprintf("import: rows=%d duration=%s", n, took.Round(time.Millisecond)))
	if took > time.Minute {
		t.Fatalf("importing %d series took %v, more than a minute", n, took)
	}
	if got := allot(t, "series", "lookup", "--db", db, "--org", "ACME", "V00999995"); !strings.Contains(got, "V00999990-V00999999") {
		t.Fatalf("the last imported series is not there: %s", got)
	}
}
