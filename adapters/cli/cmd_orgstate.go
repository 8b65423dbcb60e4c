package cli

import (
	"context"

	ucli "github.com/urfave/cli/v2"
)

// orgDisableCommand is `allot org disable CODE`: every credential of the
// organisation (API keys, vendor credentials and their tokens, dashboard
// sessions) is refused from then on, in every server process.
func (s *state) orgDisableCommand() *ucli.Command {
	return leaf("disable", "disable an organisation: its API keys, tokens and sessions are refused at once (RESTAPI107 Invalid company)", "CODE",
		[]ucli.Flag{dbFlag(), jsonFlag()},
		func(c *ucli.Context) error { return s.orgSetDisabled(c, true) })
}

// orgEnableCommand is `allot org enable CODE`, undoing disable.
func (s *state) orgEnableCommand() *ucli.Command {
	return leaf("enable", "re-enable a disabled organisation", "CODE",
		[]ucli.Flag{dbFlag(), jsonFlag()},
		func(c *ucli.Context) error { return s.orgSetDisabled(c, false) })
}

func (s *state) orgSetDisabled(c *ucli.Context, disabled bool) error {
	a, err := args(c, "CODE")
	if err != nil {
		return err
	}
	return s.withBackend(c, func(ctx context.Context, b *Backend) error {
		o, err := b.Services.Orgs.SetDisabled(ctx, a[0], disabled)
		if err != nil {
			return err
		}
		if c.Bool("json") {
			return writeJSON(c.App.Writer, toOrgJSON(o))
		}
		return printf(c, "organisation %s is %s\n", o.Code, orgStatus(o))
	})
}
