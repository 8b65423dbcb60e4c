package cli

import (
	"context"

	ucli "github.com/urfave/cli/v2"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/operator"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// operatorJSON is an operator as --json prints it: never a password hash,
// and a password only when it was generated.
type operatorJSON struct {
	Email     string `json:"email"`
	Org       string `json:"org"`
	CreatedAt string `json:"created_at"`
	Password  string `json:"password,omitempty"`
}

func toOperatorJSON(op operator.Operator, org tenant.Organisation) operatorJSON {
	return operatorJSON{Email: op.Email, Org: org.Code, CreatedAt: timestamp(op.CreatedAt)}
}

// withOperators is withOrg for the commands of dashboard operators.
func (s *state) withOperators(c *ucli.Context, code string, fn func(ctx context.Context, svc ports.OperatorService, org tenant.Organisation) error) error {
	return withService(s, c, code, func(v ports.Services) ports.OperatorService { return v.Operators },
		"this build has no operator service", fn)
}

func (s *state) operatorCommand() *ucli.Command {
	return group("operator", "manage the operators who sign in to the dashboard (/dashboard)",
		leaf("add", "add an operator; a password not given is generated and printed (only this once; only its hash is kept)", "",
			[]ucli.Flag{
				dbFlag(), orgFlag(),
				stringFlag("email", "sign-in `EMAIL`, unique across organisations (required)"),
				stringFlag("password", "the operator's `PASSWORD`, at least 12 characters (default: generated and printed once)"),
				jsonFlag(),
			},
			s.operatorAdd),
		leaf("list", "list the operators of an organisation (never a password)", "",
			[]ucli.Flag{dbFlag(), orgFlag(), jsonFlag()},
			s.operatorList),
	)
}

func (s *state) operatorAdd(c *ucli.Context) error {
	if _, err := args(c); err != nil {
		return err
	}
	v, err := required(c, "org", "email")
	if err != nil {
		return err
	}
	password := s.secret(c.String("password"))
	return s.withOperators(c, v[0], func(ctx context.Context, svc ports.OperatorService, org tenant.Organisation) error {
		op, generated, err := svc.Add(ctx, org.ID, v[1], password)
		if err != nil {
			return err
		}
		out := toOperatorJSON(op, org)
		// Only what was generated: a password the operator gave is never
		// printed, whatever the service returns.
		if password == "" {
			if generated == "" {
				return fault.Errorf(fault.Internal, "INTERNAL", "operator %s was added but the service generated no password", op.Email)
			}
			out.Password = generated
		}
		if c.Bool("json") {
			return writeJSON(c.App.Writer, out)
		}
		if err := printf(c, "added operator %s to %s\n", out.Email, org.Code); err != nil {
			return err
		}
		if out.Password != "" {
			return printf(c, "password: %s\n", out.Password)
		}
		return nil
	})
}

func (s *state) operatorList(c *ucli.Context) error {
	code, err := orgOnly(c)
	if err != nil {
		return err
	}
	return s.withOperators(c, code, func(ctx context.Context, svc ports.OperatorService, org tenant.Organisation) error {
		ops, err := svc.List(ctx, org.ID)
		if err != nil {
			return err
		}
		toJSON := func(op operator.Operator) operatorJSON { return toOperatorJSON(op, org) }
		return printList(c, ops, toJSON, []string{"EMAIL", "CREATED"}, func(t *table, op operator.Operator) {
			t.row(op.Email, timestamp(op.CreatedAt))
		})
	})
}
