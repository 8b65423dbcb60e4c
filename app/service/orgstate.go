package service

import (
	"context"

	"github.com/allot-io/allot/domain/tenant"
)

// SetDisabled implements ports.OrgService.
func (s *Orgs) SetDisabled(ctx context.Context, code string, disabled bool) (tenant.Organisation, error) {
	code, err := tenant.ParseCode("code", code)
	if err != nil {
		return tenant.Organisation{}, err
	}
	return s.store.SetOrgDisabled(ctx, code, disabled)
}
