package cli

import (
	"context"
	"slices"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// withEnrollment is withOrg for the commands of the prepaid enrollment API.
func (s *state) withEnrollment(c *ucli.Context, code string, fn func(ctx context.Context, svc ports.EnrollmentService, org tenant.Organisation) error) error {
	return withService(s, c, code, func(v ports.Services) ports.EnrollmentService { return v.Enrollment },
		"this build has no enrollment service", fn)
}

// secret remembers a secret given on the command line so that no error
// message shows it, and returns it unchanged.
func (s *state) secret(v string) string {
	if v != "" {
		s.secrets = append(s.secrets, v)
	}
	return v
}

func (s *state) vendorCommand() *ucli.Command {
	return group("vendor", "manage the credentials of the enrollment API (POST /authenticate)",
		leaf("add", "add a vendor credential; a password or pin not given is generated and printed (only this once; only its hash is kept)", "",
			[]ucli.Flag{
				dbFlag(), orgFlag(),
				stringFlag("vendor-id", "vendor `ID`, unique across organisations (required)"),
				stringFlag("username", "login `NAME` (required)"),
				stringFlag("password", "the vendor's `PASSWORD` (default: generated and printed once)"),
				stringFlag("pin", "the vendor's `PIN` (default: generated and printed once)"),
				jsonFlag(),
			},
			s.vendorAdd),
	)
}

func (s *state) vendorAdd(c *ucli.Context) error {
	if _, err := args(c); err != nil {
		return err
	}
	v, err := required(c, "org", "vendor-id", "username")
	if err != nil {
		return err
	}
	// The service trims a pin, so a blank one is omitted, and generated.
	password, pin := s.secret(c.String("password")), s.secret(strings.TrimSpace(c.String("pin")))
	return s.withEnrollment(c, v[0], func(ctx context.Context, svc ports.EnrollmentService, org tenant.Organisation) error {
		got, err := svc.AddVendor(ctx, org.ID, v[1], v[2], password, pin)
		if err != nil {
			return err
		}
		// Only what was generated: a secret the operator gave is never
		// printed, whatever the service returns.
		out := vendorJSON{VendorID: v[1], Username: v[2]}
		if password == "" {
			if got.Password == "" {
				return fault.Errorf(fault.Internal, "INTERNAL", "vendor %s was added but the service generated no password", v[1])
			}
			out.Password = got.Password
		}
		if pin == "" {
			if got.Pin == "" {
				return fault.Errorf(fault.Internal, "INTERNAL", "vendor %s was added but the service generated no pin", v[1])
			}
			out.Pin = got.Pin
		}
		if c.Bool("json") {
			return writeJSON(c.App.Writer, out)
		}
		var b strings.Builder
		b.WriteString("added vendor " + out.VendorID + " (username " + out.Username + ")\n")
		if out.Password != "" {
			b.WriteString("password: " + out.Password + "\n")
		}
		if out.Pin != "" {
			b.WriteString("pin: " + out.Pin + "\n")
		}
		return printf(c, "%s", b.String())
	})
}

func (s *state) agentCommand() *ucli.Command {
	return group("agent", "manage the agents (agent_id) allowed to call the enrollment API",
		leaf("add", "add an agent", "",
			[]ucli.Flag{
				dbFlag(), orgFlag(),
				stringFlag("id", "agent `ID` (required)"),
				stringFlag("password", "`PASSWORD` the agent must send as agent_password (default: none required)"),
				&ucli.StringSliceFlag{Name: "action", Usage: "permit only `ACTION` (" + strings.Join(enrollment.Actions, ", ") + "); repeat for several (default: every action)"},
				jsonFlag(),
			},
			s.agentAdd),
		leaf("list", "list the agents of an organisation (never a password)", "",
			[]ucli.Flag{dbFlag(), orgFlag(), jsonFlag()},
			s.agentList),
	)
}

func (s *state) agentAdd(c *ucli.Context) error {
	if _, err := args(c); err != nil {
		return err
	}
	v, err := required(c, "org", "id")
	if err != nil {
		return err
	}
	var actions []string
	for _, a := range c.StringSlice("action") {
		x, err := enrollment.ParseAction(a)
		if err != nil {
			return usagef(c, "%s", messageOf(err))
		}
		if !slices.Contains(actions, x) {
			actions = append(actions, x)
		}
	}
	password := s.secret(c.String("password"))
	return s.withEnrollment(c, v[0], func(ctx context.Context, svc ports.EnrollmentService, org tenant.Organisation) error {
		a, err := svc.AddAgent(ctx, org.ID, v[1], password, actions)
		if err != nil {
			return err
		}
		if c.Bool("json") {
			return writeJSON(c.App.Writer, toAgentJSON(a))
		}
		pw := "no password"
		if a.NeedsPassword() {
			pw = "password required"
		}
		return printf(c, "added agent %s (%s, actions: %s)\n", a.ID, pw, agentActions(a))
	})
}

func (s *state) agentList(c *ucli.Context) error {
	code, err := orgOnly(c)
	if err != nil {
		return err
	}
	return s.withEnrollment(c, code, func(ctx context.Context, svc ports.EnrollmentService, org tenant.Organisation) error {
		agents, err := svc.ListAgents(ctx, org.ID)
		if err != nil {
			return err
		}
		return printList(c, agents, toAgentJSON, []string{"ID", "PASSWORD-REQUIRED", "ACTIONS", "CREATED"}, func(t *table, a enrollment.Agent) {
			t.row(a.ID, yesNo(a.NeedsPassword()), agentActions(a), timestamp(a.CreatedAt))
		})
	})
}

func (s *state) zipCommand() *ucli.Command {
	return group("zip", "manage the service area (zip codes) of an organisation",
		leaf("add", "add a zip to the service area", "",
			[]ucli.Flag{
				dbFlag(), orgFlag(),
				stringFlag("zip", "5-digit `ZIP` (required)"),
				stringFlag("city", "`CITY` (required)"),
				stringFlag("state", "two-letter US `STATE` (required)"),
				stringFlag("area-code", "3-digit `NPA` whose MDNs the zip's lines take first from the MDN stock"),
				jsonFlag(),
			},
			s.zipAdd),
		leaf("import", "add every zip of a CSV file with the header zip,city,state (all or none)", "FILE.csv",
			[]ucli.Flag{dbFlag(), orgFlag(), jsonFlag()},
			s.zipImport),
	)
}

func (s *state) zipAdd(c *ucli.Context) error {
	if _, err := args(c); err != nil {
		return err
	}
	v, err := required(c, "org", "zip", "city", "state")
	if err != nil {
		return err
	}
	z, err := enrollment.NewServiceZip(v[1], v[2], v[3])
	if err != nil {
		return err
	}
	if z, err = z.WithAreaCode(c.String("area-code")); err != nil {
		return err
	}
	return s.withEnrollment(c, v[0], func(ctx context.Context, svc ports.EnrollmentService, org tenant.Organisation) error {
		if err := svc.AddZips(ctx, org.ID, []enrollment.ServiceZip{z}); err != nil {
			return err
		}
		if c.Bool("json") {
			return writeJSON(c.App.Writer, zipJSON(z))
		}
		return printf(c, "added zip %s (%s, %s)\n", z.Zip, z.City, z.State)
	})
}

// importJSON is what `zip import --json` prints.
type importJSON struct {
	Imported int `json:"imported"`
}

func (s *state) zipImport(c *ucli.Context) error {
	a, err := args(c, "FILE.csv")
	if err != nil {
		return err
	}
	code, err := orgCode(c)
	if err != nil {
		return err
	}
	// The whole file is checked before the database is opened: one bad row
	// and nothing is imported.
	zips, err := readZipFile(a[0])
	if err != nil {
		return err
	}
	return s.withEnrollment(c, code, func(ctx context.Context, svc ports.EnrollmentService, org tenant.Organisation) error {
		if err := svc.AddZips(ctx, org.ID, zips); err != nil {
			return err
		}
		if c.Bool("json") {
			return writeJSON(c.App.Writer, importJSON{Imported: len(zips)})
		}
		noun := "zips"
		if len(zips) == 1 {
			noun = "zip"
		}
		return printf(c, "imported %d %s\n", len(zips), noun)
	})
}

func (s *state) sourceCommand() *ucli.Command {
	return group("source", "manage the order sources an organisation accepts",
		leaf("allow", "allow sources ("+strings.Join(enrollment.Sources, ", ")+") and print every allowed one", "SOURCE [SOURCE...]",
			[]ucli.Flag{dbFlag(), orgFlag(), jsonFlag()},
			s.sourceAllow),
	)
}

func (s *state) sourceAllow(c *ucli.Context) error {
	a, err := atLeastOneArg(c, "SOURCE")
	if err != nil {
		return err
	}
	var sources []string
	for _, x := range a {
		src, err := enrollment.ParseSource(x)
		if err != nil {
			return usagef(c, "%s", messageOf(err))
		}
		if !slices.Contains(sources, src) {
			sources = append(sources, src)
		}
	}
	code, err := orgCode(c)
	if err != nil {
		return err
	}
	return s.withEnrollment(c, code, func(ctx context.Context, svc ports.EnrollmentService, org tenant.Organisation) error {
		allowed, err := svc.AllowSources(ctx, org.ID, sources)
		if err != nil {
			return err
		}
		if c.Bool("json") {
			return writeJSON(c.App.Writer, append([]string{}, allowed...))
		}
		return printf(c, "allowed sources: %s\n", strings.Join(allowed, ", "))
	})
}

func (s *state) enrollmentCommand() *ucli.Command {
	flags := append([]ucli.Flag{dbFlag(), orgFlag()}, pageFlags()...)
	flags = append(flags, jsonFlag())
	return group("enrollment", "inspect prepaid enrollments",
		leaf("list", "list accounts, newest first, one row per line with its status (never a secret)", "",
			flags, s.enrollmentList),
	)
}

func (s *state) enrollmentList(c *ucli.Context) error {
	code, err := orgOnly(c)
	if err != nil {
		return err
	}
	q, err := pageQuery(c)
	if err != nil {
		return err
	}
	return s.withEnrollment(c, code, func(ctx context.Context, svc ports.EnrollmentService, org tenant.Organisation) error {
		fetch := func(q ports.Query) ([]enrollment.Account, int, error) {
			accounts, err := svc.Accounts(ctx, org.ID, q)
			return accounts, -1, err
		}
		return listPages(c, q, "accounts", fetch, toAccountJSON, accountHeader, accountRows)
	})
}

// messageOf returns the message of a fault, or the error's text.
func messageOf(err error) string {
	if fe, ok := fault.As(err); ok {
		return fe.Message
	}
	return err.Error()
}
