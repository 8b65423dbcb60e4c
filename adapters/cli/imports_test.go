package cli

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImports enforces the adapter rule: ports, the domain, urfave/cli
// (with the import's progress bar and its terminal check) and the standard
// library only; never app/... or another adapter.
func TestImports(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	const module = "github.com/allot-io/allot/"
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		ast, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range ast.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			first, _, _ := strings.Cut(path, "/")
			switch {
			case !strings.Contains(first, "."): // standard library
			case path == "github.com/urfave/cli/v2",
				path == "github.com/schollz/progressbar/v3", path == "golang.org/x/term":
			case path == module+"ports", strings.HasPrefix(path, module+"domain/"):
			default:
				t.Errorf("%s imports %s", f, path)
			}
		}
	}
}
