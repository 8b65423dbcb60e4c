package bunstore

import (
	"testing"

	"github.com/allot-io/allot/ports/porttest"
)

func TestCarrierSecretStoreConformance(t *testing.T) {
	t.Run("SQLite", func(t *testing.T) {
		porttest.RunCarrierSecretStore(t, func(t *testing.T) porttest.CarrierSecretStores { return openSQLiteTest(t) })
	})
	t.Run("PostgreSQL", func(t *testing.T) {
		porttest.RunCarrierSecretStore(t, func(t *testing.T) porttest.CarrierSecretStores { return openPG(t) })
	})
}
