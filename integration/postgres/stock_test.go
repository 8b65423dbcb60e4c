package postgres_test

import (
	"testing"

	"github.com/allot-io/allot/ports/porttest"
)

// TestStockConformance runs the stock reader's conformance case, which the
// metrics' stock gauge relies on, on PostgreSQL.
func TestStockConformance(t *testing.T) {
	porttest.RunStock(t, func(t *testing.T) porttest.StockStore { return openStore(t) })
}
