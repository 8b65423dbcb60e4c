package cli

import (
	"context"
	"fmt"

	ucli "github.com/urfave/cli/v2"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// carrierSecretLeaf is `allot carrier secret`, a command of carrierCommand.
func (s *state) carrierSecretLeaf() *ucli.Command {
	return leaf("secret", "give the organisation a carrier secret of its own, which signs its carrier gateway requests and checks its callbacks instead of ALLOT_CARRIER_SECRET; prints it, shown only this once", "",
		[]ucli.Flag{dbFlag(), orgFlag(), jsonFlag()}, s.carrierSecret)
}

func (s *state) carrierSecret(c *ucli.Context) error {
	code, err := orgOnly(c)
	if err != nil {
		return err
	}
	return s.withOrg(c, code, func(ctx context.Context, svc ports.Services, org tenant.Organisation) error {
		if svc.CarrierSecrets == nil {
			return fault.New(fault.Internal, "INTERNAL", "this build has no carrier secrets")
		}
		secret, err := svc.CarrierSecrets.Rotate(ctx, org.ID)
		if err != nil {
			return err
		}
		if c.Bool("json") {
			return writeJSON(c.App.Writer, struct {
				Org    string `json:"org"`
				Secret string `json:"secret"`
			}{org.Code, secret})
		}
		fmt.Fprintf(c.App.ErrWriter, "allot: new carrier secret of %s (give it to the carrier; the previous one no longer signs for %s); it follows, shown only this once\n", org.Code, org.Code)
		// Only the secret on stdout, so that SECRET=$(allot carrier secret ...) works.
		return printf(c, "%s\n", secret)
	})
}
