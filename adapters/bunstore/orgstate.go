package bunstore

import (
	"context"

	"github.com/allot-io/allot/domain/tenant"
)

// SetOrgDisabled implements ports.OrgStore. On PostgreSQL the update fires
// the allot_auth notification, so every process drops its cached
// organisations and credentials when the transaction commits; this
// process drops its own at once too.
func (s *Store) SetOrgDisabled(ctx context.Context, code string, disabled bool) (tenant.Organisation, error) {
	var r orgRow
	err := s.db.NewRaw("UPDATE organisations SET disabled = ? WHERE code = ? RETURNING "+orgColumns, disabled, code).Scan(ctx, &r)
	if errNoRows(err) {
		return tenant.Organisation{}, orgNotFound()
	}
	if err != nil {
		return tenant.Organisation{}, s.dbError(err, "update organisation")
	}
	s.auth.invalidate()
	return orgFromRow(r), nil
}
