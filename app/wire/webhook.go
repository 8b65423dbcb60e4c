package wire

import (
	"crypto/rand"
	"strings"
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

// carrierSecrets returns the organisations' carrier secrets on store,
// sealed with sealer, EnvCarrierSecret signing for those without their
// own.
func carrierSecrets(store *bunstore.Store, sealer ports.Sealer, cfg Config) *service.CarrierSecrets {
	return service.NewCarrierSecrets(store, sealer, rand.Reader, []byte(cfg.CarrierSecret))
}

// carrierCallbacks returns the carrier callback service, checking each
// organisation's callbacks with the secret the gateway signs its requests
// with (keys); nil (the endpoint is not served) when no gateway and no
// EnvCarrierSecret is configured.
func carrierCallbacks(lines *service.Lifecycle, store *bunstore.Store, keys ports.CarrierKeys, cfg Config) ports.CarrierCallbackService {
	if cfg.CarrierSecret == "" && strings.TrimSpace(cfg.CarrierURL) == "" {
		return nil
	}
	return service.NewCarrierCallbacks(lines, store, keys, utcClock)
}
