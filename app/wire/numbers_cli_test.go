package wire_test

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/allot-io/allot/cmd/allot/command"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/allot-io/allot/adapters/cli"
	"github.com/allot-io/allot/app/wire"
)

// TestNumberCommands runs the real allot binary's number commands over one
// SQLite file: create with a check digit, consume, void, release, state,
// next, history and thresholds.
func TestNumberCommands(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "allot.db")
	run := func(args ...string) (int, string) {
		t.Helper()
		var out bytes.Buffer
		deps := command.Deps(os.Getenv, wire.Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
		deps.Stdout, deps.Stderr = &out, &out
		full := append([]string{"allot"}, args[0], args[1], "--db", db)
		code := cli.Run(context.Background(), deps, append(full, args[2:]...))
		return code, out.String()
	}
	b, err := wire.Open(context.Background(), db, wire.Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	org, err := b.Services.Orgs.Create(context.Background(), "ACME", "Acme")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Services.Customers.Add(context.Background(), org.ID, "SL1981", "Sample"); err != nil {
		t.Fatal(err)
	}
	b.Close()

	steps := []struct {
		args []string
		code int
		out  string // a substring of the output
	}{
		{[]string{"series", "create", "--org", "ACME", "--client", "SL1981", "--start", "1234567", "--end", "1234576", "--item-code", "AWB", "--type", "physical", "--check-digit", "mod7"}, 0, "created series 1"},
		{[]string{"series", "consume", "--org", "ACME", "--client", "SL1981", "--reference", "BKG-7", "12345675", "12345686"}, 0, "consumed 2 number(s)"},
		{[]string{"series", "consume", "--org", "ACME", "--client", "SL1981", "12345675"}, 2, "number 12345675 is already used"},
		{[]string{"series", "consume", "--org", "ACME", "--client", "SL1981", "12345691"}, 2, "wrong mod7 check digit"},
		{[]string{"series", "void", "--org", "ACME", "--client", "SL1981", "--reference", "torn", "12345690"}, 0, "voided 1 number(s)"},
		{[]string{"series", "release", "--org", "ACME", "--client", "SL1981", "12345686"}, 0, "released 1 number(s)"},
		{[]string{"series", "state", "--org", "ACME", "12345675"}, 0, "12345675 is used (reference BKG-7), in series 1"},
		{[]string{"series", "state", "--org", "ACME", "12345690"}, 0, "12345690 is void"},
		{[]string{"series", "next", "--org", "ACME", "--client", "SL1981", "--item-code", "AWB", "--count", "2"}, 0, "12345686\n12345701\n"},
		{[]string{"stock", "threshold", "--org", "ACME", "--client", "SL1981", "--item-code", "AWB", "--level", "5"}, 0, "at or below 5"},
		{[]string{"stock", "thresholds", "--org", "ACME"}, 0, "customer:SL1981"},
		// 10 numbers: 12345675 consumed, 1234569 void, 12345686 (released)
		// and 12345701 drawn: 6 available; 4 used in 7 days lasts 10.5 days.
		{[]string{"stock", "report", "--org", "ACME"}, 0, "customer:SL1981  AWB   1       6          5          -    10.5"},
		{[]string{"stock", "threshold", "--org", "ACME", "--client", "SL1981", "--item-code", "AWB", "--level", "7"}, 0, "at or below 7"},
		{[]string{"stock", "report", "--org", "ACME"}, 0, "LOW"},
		{[]string{"series", "history", "--org", "ACME", "--series", "1"}, 0, "BKG-7"},
		{[]string{"series", "history", "--org", "ACME", "--since", "soon"}, 2, "RFC 3339"},
	}
	for _, st := range steps {
		code, out := run(st.args...)
		if code != st.code || !strings.Contains(out, st.out) {
			t.Fatalf("allot %s: exit %d, output:\n%s\nwant exit %d and %q", strings.Join(st.args, " "), code, out, st.code, st.out)
		}
	}
	code, out := run("series", "history", "--org", "ACME", "--json")
	var hist []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &hist) != nil || len(hist) != 6 {
		t.Fatalf("history --json: exit %d: %s", code, out)
	}
	if hist[0]["action"] != "create" || hist[0]["actor"] != hist[1]["actor"] || hist[0]["count"] != 10.0 || hist[0]["start"] != "12345675" {
		t.Fatalf("create entry = %v", hist[0])
	}
	if hist[1]["actor"] == "" || !strings.HasPrefix(hist[1]["actor"].(string), "cli:") || hist[1]["count"] != 2.0 || hist[1]["start"] != "12345675" {
		t.Fatalf("first consume entry = %v", hist[1])
	}
}
