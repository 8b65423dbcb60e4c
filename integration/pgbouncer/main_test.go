// Package pgbouncer_test runs the store conformance suite through PgBouncer in transaction mode
// (deploy/ha's image) in front of a PostgreSQL container of its own, apart from the other
// PostgreSQL tests, which stop and restart their server.
package pgbouncer_test

import (
	"context"
	"os"
	"testing"

	"github.com/allot-io/allot/adapters/bunstore"
	"github.com/allot-io/allot/integration/pgtest"
)

var srv *pgtest.Server

func TestMain(m *testing.M) {
	code := pgtest.Main(m, func(ctx context.Context, s *pgtest.Server) error {
		srv = s
		return s.PrepareTemplate(ctx, func(ctx context.Context, dsn string) error {
			st, err := bunstore.Open(ctx, dsn)
			if err != nil {
				return err
			}
			defer st.Close()
			return st.Migrate(ctx)
		})
	})
	cleanupBouncers()
	os.Exit(code)
}
