package bunstore

import (
	"testing"

	"github.com/allot-io/allot/ports/porttest"
)

func TestWebhookStoreConformance(t *testing.T) {
	t.Run("SQLite", func(t *testing.T) {
		porttest.RunWebhookStore(t, func(t *testing.T) porttest.WebhookStores { return openSQLiteTest(t) })
	})
	t.Run("PostgreSQL", func(t *testing.T) {
		porttest.RunWebhookStore(t, func(t *testing.T) porttest.WebhookStores { return openPG(t) })
	})
}
