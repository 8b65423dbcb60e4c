package domain_test

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/allot-io/allot"

type pkg struct {
	ImportPath string
	Deps       []string
	Standard   bool
}

// listPackages runs `go list -deps -json` on patterns and returns the
// packages of this module found there, with their dependencies.
func listPackages(t *testing.T, patterns ...string) []pkg {
	t.Helper()
	args := append([]string{"list", "-json=ImportPath,Deps,Standard"}, patterns...)
	cmd := exec.Command("go", args...)
	cmd.Dir = ".."
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(out)
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("go list: %v", err)
	}
	return pkgs
}

// TestDomainAndPortsImportOnlyStdlib keeps the core embeddable: domain/ and
// ports/ may import the standard library and each other, nothing else.
func TestDomainAndPortsImportOnlyStdlib(t *testing.T) {
	onlyCore(t, 4, "./domain/...", "./ports/...")
}

// onlyCore fails t for every dependency of the packages of patterns (at
// least min of them) outside the standard library, domain/ and ports/.
func onlyCore(t *testing.T, min int, patterns ...string) {
	t.Helper()
	pkgs := listPackages(t, patterns...)
	if len(pkgs) < min {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	for _, p := range pkgs {
		for _, d := range p.Deps {
			if !strings.Contains(strings.SplitN(d, "/", 2)[0], ".") {
				continue // standard library
			}
			if !strings.HasPrefix(d, module+"/domain") && !strings.HasPrefix(d, module+"/ports") {
				t.Errorf("%s depends on %s", p.ImportPath, d)
			}
		}
	}
}

// TestAdaptersImportNoAppNorOtherAdapters keeps adapters swappable: an
// adapter reaches use cases only through ports.
func TestAdaptersImportNoAppNorOtherAdapters(t *testing.T) {
	for _, p := range listPackages(t, "./adapters/...") {
		own := strings.TrimPrefix(p.ImportPath, module+"/adapters/")
		own = strings.SplitN(own, "/", 2)[0]
		for _, d := range p.Deps {
			if strings.HasPrefix(d, module+"/app") {
				t.Errorf("%s imports %s", p.ImportPath, d)
			}
			if rest, ok := strings.CutPrefix(d, module+"/adapters/"); ok && strings.SplitN(rest, "/", 2)[0] != own {
				t.Errorf("%s imports another adapter %s", p.ImportPath, d)
			}
		}
	}
}

// TestServicesImportNoFramework keeps the use cases apart from their
// adapters: app/service sees the domain and the ports only, so wiring, not
// the services, chooses gin, bun, urfave/cli or Prometheus.
func TestServicesImportNoFramework(t *testing.T) {
	onlyCore(t, 1, "./app/service/...")
}

// TestWireImportsNoCLI keeps the program root apart from the CLI: app/wire
// builds and runs the program; the urfave app is assembled over it by
// cmd/allot (cmd/allot/command), so wire speaks none of the CLI's types.
func TestWireImportsNoCLI(t *testing.T) {
	pkgs := listPackages(t, "./app/wire/...")
	if len(pkgs) == 0 {
		t.Fatal("go list found no package in app/wire")
	}
	for _, p := range pkgs {
		for _, d := range p.Deps {
			if d == module+"/adapters/cli" || strings.HasPrefix(d, "github.com/urfave/cli") {
				t.Errorf("%s depends on %s", p.ImportPath, d)
			}
		}
	}
}
