package bunstore

import (
	"testing"

	"github.com/allot-io/allot/ports/porttest"
)

// TestOrderConformance runs the order store's conformance suite over both
// databases, the races for one enrollment id and for invoice numbers
// included: only the unique constraints and the invoice series' atomic
// draw decide them.
func TestOrderConformance(t *testing.T) {
	for _, d := range dialects {
		d.run(t, func(t *testing.T) {
			porttest.RunOrderStore(t, func(t *testing.T) porttest.OrderStores { return d.open(t) }, porttest.Options{Parallel: true})
		})
	}
}
