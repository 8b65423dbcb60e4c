package service

import (
	"context"
	"encoding/hex"
	"io"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

var (
	_ ports.CarrierSecretService = (*CarrierSecrets)(nil)
	_ ports.CarrierKeys          = (*CarrierSecrets)(nil)
)

// carrierSecretPrefix marks a carrier secret, so that one pasted into the
// wrong place is recognisable.
const carrierSecretPrefix = "csec_"

// ReasonCarrierSecretMissing is the reason of an organisation's carrier
// traffic having no secret to sign it with.
const ReasonCarrierSecretMissing = "CARRIER_SECRET_MISSING"

// CarrierSecrets gives organisations carrier secrets of their own
// (ports.CarrierSecretService) and tells the gateway and the callback
// endpoint which secret signs an organisation's traffic
// (ports.CarrierKeys): its own, or else the deployment's fallback
// (ALLOT_CARRIER_SECRET).
type CarrierSecrets struct {
	store    ports.CarrierSecretStore
	sealer   ports.Sealer
	random   io.Reader
	fallback []byte
}

// NewCarrierSecrets returns the carrier secrets over store, sealing with
// sealer (nil: Rotate is refused, and only fallback signs), drawing
// secrets from random; fallback (may be empty) signs for organisations
// without their own.
func NewCarrierSecrets(store ports.CarrierSecretStore, sealer ports.Sealer, random io.Reader, fallback []byte) *CarrierSecrets {
	return &CarrierSecrets{store: store, sealer: sealer, random: random, fallback: fallback}
}

// Rotate implements ports.CarrierSecretService: 32 random bytes in hex,
// returned once and kept sealed.
func (c *CarrierSecrets) Rotate(ctx context.Context, org tenant.OrgID) (string, error) {
	if c.sealer == nil {
		return "", fault.New(fault.Unavailable, "SECRET_KEY_MISSING", "carrier secrets need a secret key (ALLOT_SECRET_KEY) to keep them sealed")
	}
	raw := make([]byte, 32)
	if _, err := io.ReadFull(c.random, raw); err != nil {
		return "", fault.Wrap(err, "carrier secret")
	}
	secret := carrierSecretPrefix + hex.EncodeToString(raw)
	sealed, err := c.sealer.Seal([]byte(secret))
	if err != nil {
		return "", fault.Wrap(err, "seal carrier secret")
	}
	if err := c.store.SetCarrierSecret(ctx, org, sealed); err != nil {
		return "", err
	}
	return secret, nil
}

// CarrierKey implements ports.CarrierKeys.
func (c *CarrierSecrets) CarrierKey(ctx context.Context, org tenant.OrgID) ([]byte, error) {
	sealed, err := c.store.CarrierSecret(ctx, org)
	if err != nil {
		return nil, err
	}
	if sealed != nil {
		if c.sealer == nil {
			return nil, fault.New(fault.Unavailable, ReasonCarrierSecretMissing,
				"the organisation's carrier secret is sealed, and no secret key (ALLOT_SECRET_KEY) is configured to open it")
		}
		key, err := c.sealer.Open(sealed)
		if err != nil {
			return nil, fault.Wrap(err, "open carrier secret")
		}
		return key, nil
	}
	if len(c.fallback) == 0 {
		return nil, fault.New(fault.Unavailable, ReasonCarrierSecretMissing,
			"the organisation has no carrier secret (allot carrier secret --org CODE) and ALLOT_CARRIER_SECRET is not set")
	}
	return c.fallback, nil
}
