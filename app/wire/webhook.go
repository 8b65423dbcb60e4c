package wire

import (
	"crypto/rand"
	"time"

	"github.com/allot-io/allot/adapters/bunstore"
	"github.com/allot-io/allot/adapters/webhookhttp"
	"github.com/allot-io/allot/app/service"
	"github.com/allot-io/allot/ports"
)

// utcClock is the wall clock the webhook and callback services read.
var utcClock = ports.ClockFunc(func() time.Time { return time.Now().UTC() })

// webhooks returns the webhook service on store, sealing secrets with
// sealer (nil when no secret key is configured: adding a webhook is then
// refused), and the stock watch that raises stock.low through it.
func webhooks(store *bunstore.Store, sealer ports.Sealer, cfg Config) (*service.Webhooks, *service.StockWatch) {
	hooks := service.NewWebhooks(store, sealer, rand.Reader, utcClock, webhookhttp.NewSender(0), cfg.Log)
	return hooks, service.NewStockWatch(store, hooks, utcClock, cfg.Log)
}

// carrierCallbacks returns the carrier callback service, checking
// signatures with EnvCarrierSecret, the secret the gateway signs with; nil
// (the endpoint is not served) when none is set.
func carrierCallbacks(lines *service.Lifecycle, store *bunstore.Store, cfg Config) ports.CarrierCallbackService {
	secret := cfg.CarrierSecret
	if secret == "" {
		return nil
	}
	return service.NewCarrierCallbacks(lines, store, []byte(secret), utcClock)
}
