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

// importDB returns a migrated SQLite file with organisation ACME, customer
// SL1981 and hub BF074, and a function running allot on it.
func importDB(t *testing.T) func(args ...string) (int, string, string) {
	t.Helper()
	db := "sqlite:" + filepath.Join(t.TempDir(), "allot.db")
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	b, err := wire.Open(context.Background(), db, wire.Config{Log: log})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := b.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	org, err := b.Services.Orgs.Create(ctx, "ACME", "Acme")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Services.Customers.Add(ctx, org.ID, "SL1981", "Sample"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Services.Hubs.Add(ctx, org.ID, "BF074", "Hub"); err != nil {
		t.Fatal(err)
	}
	b.Close()
	return func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		deps := command.Deps(os.Getenv, wire.Config{Log: log})
		deps.Stdout, deps.Stderr = &out, &errOut
		full := append([]string{"allot", args[0], args[1], "--db", db}, args[2:]...)
		return cli.Run(context.Background(), deps, full), out.String(), errOut.String()
	}
}

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "series.csv")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSeriesImport imports a file with good and bad rows: by default
// nothing is written and every bad row is reported with its line and
// reason; with --partial the good rows are written.
func TestSeriesImport(t *testing.T) {
	run := importDB(t)
	if code, out, errOut := run("series", "create", "--org", "ACME", "--client", "SL1981", "--start", "V500", "--end", "V599", "--item-code", "I"); code != 0 {
		t.Fatalf("create: %d %s %s", code, out, errOut)
	}
	file := writeFile(t, "owner_type,owner_code,start,end,item_code,type,service_types,check_digit\n"+
		"customer,SL1981,V100,V199,I,physical,,\n"+ // line 2: good
		"hub,BF074,1234560,1234569,AWB,physical,,mod7\n"+ // line 3: good
		"vendor,SL1981,V200,V299,I,,,\n"+ // line 4: bad owner type
		"customer,NOPE,V300,V399,I,,,\n"+ // line 5: unknown client
		"customer,SL1981,V150,V160,I,,,\n"+ // line 6: overlaps line 2
		"customer,SL1981,V550,V650,I,,,\n"+ // line 7: overlaps the existing series
		"customer,SL1981,V700,V799,I,,,mod10\n"+ // line 8: bad scheme
		"customer,SL1981,V800\n") // line 9: short row
	code, out, errOut := run("series", "import", "--org", "ACME", file)
	if code != 2 || out != "" {
		t.Fatalf("import: exit %d, stdout %q, stderr:\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"line 4: owner_type \"vendor\" is not allowed",
		"line 5: client code NOPE does not exist",
		"line 6: series V150-V160 overlaps series V100-V199 of line 2",
		"line 7: series V550-V650 overlaps existing series V500-V599",
		"line 8: check_digit \"mod10\" is not allowed",
		"line 9: the row has 3 fields; the header names 8",
		"6 of 8 rows are bad; nothing was imported",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("report lacks %q:\n%s", want, errOut)
		}
	}
	if _, out, _ := run("series", "list", "--org", "ACME", "--json"); strings.Count(out, `"id"`) != 1 {
		t.Fatalf("a refused import wrote series:\n%s", out)
	}

	code, out, errOut = run("series", "import", "--org", "ACME", "--partial", file)
	if code != 0 || out != "imported 2 of 8 series\n" || !strings.Contains(errOut, "allot: processed 8 of 8 rows") {
		t.Fatalf("partial import: exit %d, stdout %q, stderr:\n%s", code, out, errOut)
	}
	if _, out, _ := run("series", "state", "--org", "ACME", "12345605"); !strings.Contains(out, "12345605 is available") {
		t.Fatalf("imported mod7 series: %s", out)
	}
	if _, out, _ := run("series", "history", "--org", "ACME"); strings.Count(out, "import") != 2 {
		t.Fatalf("history of the import:\n%s", out)
	}
}
