package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/allot-io/allot/adapters/bunstore"
	"github.com/allot-io/allot/integration/pgtest"
)

var (
	// srv is the package's PostgreSQL container.
	srv *pgtest.Server
	// allotBin is the path of the allot binary TestMain built.
	allotBin string
)

// buildTimeout bounds compiling the binary (a cold build cache takes a
// minute or two on a small machine).
const buildTimeout = 5 * time.Minute

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "allot-e2e-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: %v\n", err)
		os.Exit(1)
	}
	// The build runs while the container starts; setup waits for it.
	built := buildAllot(filepath.Join(dir, "allot"))
	code := pgtest.Main(m, func(ctx context.Context, s *pgtest.Server) error {
		srv = s
		bin, err := built()
		if err != nil {
			return err
		}
		allotBin = bin
		return s.PrepareTemplate(ctx, migrate)
	})
	// Wait for the build even when Main ran nothing, so that no go command
	// outlives the test binary.
	_, _ = built()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// buildAllot starts compiling the allot command to bin and returns a
// function that waits for the result. The server binary is built without
// -race: the tests load it hard and check its answers, not its memory
// model (its packages' own tests run with -race).
func buildAllot(bin string) func() (string, error) {
	done := make(chan struct{})
	var err error
	go func() {
		defer close(done)
		ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/allot-io/allot/cmd/allot")
		if out, berr := cmd.CombinedOutput(); berr != nil {
			err = fmt.Errorf("go build allot: %w\n%s", berr, out)
		}
	}()
	return func() (string, error) {
		<-done
		return bin, err
	}
}

// migrate applies the store's migrations to the template database.
func migrate(ctx context.Context, dsn string) error {
	st, err := bunstore.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	return st.Migrate(ctx)
}
