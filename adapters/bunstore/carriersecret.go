package bunstore

import (
	"context"

	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

var _ ports.CarrierSecretStore = (*Store)(nil)

// SetCarrierSecret implements ports.CarrierSecretStore.
func (s *Store) SetCarrierSecret(ctx context.Context, org tenant.OrgID, sealed []byte) error {
	// The SELECT makes an unknown organisation insert nothing, rather than
	// break the foreign key, on both dialects alike.
	res, err := s.db.NewRaw(`INSERT INTO carrier_secrets (org_id, sealed, updated_at)
		SELECT id, ?, ? FROM organisations WHERE id = ?
		ON CONFLICT (org_id) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at`,
		sealed, s.now(), int64(org)).Exec(ctx)
	if err != nil {
		return s.dbError(err, "set carrier secret")
	}
	if n, err := res.RowsAffected(); err != nil {
		return s.dbError(err, "set carrier secret")
	} else if n == 0 {
		return orgNotFound()
	}
	return nil
}

// CarrierSecret implements ports.CarrierSecretStore.
func (s *Store) CarrierSecret(ctx context.Context, org tenant.OrgID) ([]byte, error) {
	var sealed []byte
	err := s.db.NewRaw("SELECT sealed FROM carrier_secrets WHERE org_id = ?", int64(org)).Scan(ctx, &sealed)
	if errNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, s.dbError(err, "get carrier secret")
	}
	return sealed, nil
}
