package wire_test

import (
	"bytes"
	"context"
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

// TestGlobalPoolCommands: `customer add --use-global`, `customer set`,
// `series create --global`, a draw that goes on in the global pool, and
// the global pool's list, threshold and numbers, over one SQLite file.
func TestGlobalPoolCommands(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "allot.db")
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	run := func(args ...string) (int, string) {
		t.Helper()
		var out bytes.Buffer
		deps := command.Deps(os.Getenv, wire.Config{Log: log})
		deps.Stdout, deps.Stderr = &out, &out
		full := append([]string{"allot"}, args[0], args[1], "--db", db)
		code := cli.Run(context.Background(), deps, append(full, args[2:]...))
		return code, out.String()
	}
	b, err := wire.Open(context.Background(), db, wire.Config{Log: log})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Services.Orgs.Create(context.Background(), "ACME", "Acme"); err != nil {
		t.Fatal(err)
	}
	b.Close()

	steps := []struct {
		args []string
		code int
		out  string // a substring of the output
	}{
		{[]string{"customer", "add", "--org", "ACME", "--code", "GL438", "--name", "Global user", "--use-global"}, 0, "added customer GL438"},
		{[]string{"customer", "add", "--org", "ACME", "--code", "SL1981", "--name", "Sample"}, 0, "added customer SL1981"},
		{[]string{"customer", "list", "--org", "ACME", "--json"}, 0, `"use_global": true`},
		{[]string{"series", "create", "--org", "ACME", "--client", "GL438", "--start", "V01", "--end", "V02", "--item-code", "I"}, 0, "created series 1"},
		{[]string{"series", "create", "--org", "ACME", "--global", "--start", "G01", "--end", "G05", "--item-code", "I"}, 0, "(the global pool, item I"},
		{[]string{"series", "create", "--org", "ACME", "--global", "--client", "GL438", "--start", "H01", "--end", "H05", "--item-code", "I"}, 2, "give --global, or --client or --hub, not both"},
		{[]string{"series", "next", "--org", "ACME", "--client", "GL438", "--item-code", "I", "--count", "3"}, 0, "V01\nV02\nG01\n"},
		{[]string{"customer", "set", "--org", "ACME", "--code", "GL438", "--use-global=false"}, 0, "customer GL438: use-global false"},
		{[]string{"series", "next", "--org", "ACME", "--client", "GL438", "--item-code", "I"}, 4, "the series of customer GL438 for item code I hold only 0 more numbers"},
		{[]string{"customer", "set", "--org", "ACME", "--code", "SL1981", "--use-global"}, 0, "customer SL1981: use-global true"},
		{[]string{"series", "next", "--org", "ACME", "--client", "SL1981", "--item-code", "I"}, 0, "G02\n"},
		{[]string{"customer", "set", "--org", "ACME", "--code", "SL1981"}, 2, "give a setting to change"},
		{[]string{"customer", "set", "--org", "ACME", "--code", "NOPE", "--use-global"}, 3, "customer NOPE not found"},
		{[]string{"series", "list", "--org", "ACME", "--global"}, 0, "G01"},
		{[]string{"series", "consume", "--org", "ACME", "--global", "G04"}, 0, "consumed 1 number(s)"},
		{[]string{"stock", "threshold", "--org", "ACME", "--global", "--item-code", "I", "--level", "2"}, 0, "low stock for the global pool"},
		// The global series' history: its create, the draws of both
		// customers and the consume, under the command name.
		{[]string{"audit", "list", "--org", "ACME", "--series", "2"}, 0, "consume  G04-G04"},
		{[]string{"audit", "list", "--org", "ACME", "--series", "2"}, 0, "create   G01-G05"},
	}
	for _, st := range steps {
		code, out := run(st.args...)
		if code != st.code || !strings.Contains(out, st.out) {
			t.Fatalf("allot %s: exit %d, output:\n%s\nwant exit %d and %q", strings.Join(st.args, " "), code, out, st.code, st.out)
		}
	}
	if _, out := run("series", "list", "--org", "ACME", "--global"); strings.Contains(out, "V01") {
		t.Fatalf("--global lists a customer's series:\n%s", out)
	}
	if _, out := run("customer", "list", "--org", "ACME", "--json"); strings.Count(out, `"use_global": true`) != 1 || strings.Index(out, `"use_global"`) < strings.Index(out, "SL1981") {
		t.Fatalf("customer list --json:\n%s", out)
	}
}
