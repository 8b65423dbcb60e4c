package cli

import (
	"context"

	ucli "github.com/urfave/cli/v2"

	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

func (s *state) orgCommand() *ucli.Command {
	return group("org", "manage organisations (tenants)",
		leaf("create", "create an organisation", "CODE",
			[]ucli.Flag{dbFlag(), stringFlag("name", "display `NAME` (default: the code)"), jsonFlag()},
			s.orgCreate),
		leaf("list", "list organisations", "",
			[]ucli.Flag{dbFlag(), jsonFlag()},
			s.orgList),
		leaf("set", "change an organisation's compatibility settings", "CODE",
			append([]ucli.Flag{dbFlag(), jsonFlag()}, settingFlags()...),
			s.orgSet),
		s.orgDisableCommand(),
		s.orgEnableCommand(),
	)
}

// settingFlags are one flag per organisation setting, from the domain's
// table, so that a new setting needs no change here.
func settingFlags() []ucli.Flag {
	specs := tenant.SettingSpecs()
	out := make([]ucli.Flag, len(specs))
	for i, sp := range specs {
		out[i] = stringFlag(sp.Name, sp.Usage)
	}
	return out
}

func (s *state) orgSet(c *ucli.Context) error {
	a, err := args(c, "CODE")
	if err != nil {
		return err
	}
	var changes []ports.SettingChange
	for _, sp := range tenant.SettingSpecs() {
		if c.IsSet(sp.Name) {
			changes = append(changes, ports.SettingChange{Name: sp.Name, Value: c.String(sp.Name)})
		}
	}
	return s.withBackend(c, func(ctx context.Context, b *Backend) error {
		o, err := b.Services.Orgs.Configure(ctx, a[0], changes)
		if err != nil {
			return err
		}
		if c.Bool("json") {
			return writeJSON(c.App.Writer, toOrgJSON(o))
		}
		return printf(c, "organisation %s: %s\n", o.Code, settingsText(o.Settings))
	})
}

func (s *state) orgCreate(c *ucli.Context) error {
	a, err := args(c, "CODE")
	if err != nil {
		return err
	}
	name := c.String("name")
	if name == "" {
		name = a[0]
	}
	return s.withBackend(c, func(ctx context.Context, b *Backend) error {
		o, err := b.Services.Orgs.Create(ctx, a[0], name)
		if err != nil {
			return err
		}
		if c.Bool("json") {
			return writeJSON(c.App.Writer, toOrgJSON(o))
		}
		return printf(c, "created organisation %s (%s)\n", o.Code, o.Name)
	})
}

func (s *state) orgList(c *ucli.Context) error {
	if _, err := args(c); err != nil {
		return err
	}
	return s.withBackend(c, func(ctx context.Context, b *Backend) error {
		orgs, err := b.Services.Orgs.List(ctx)
		if err != nil {
			return err
		}
		return printList(c, orgs, toOrgJSON, []string{"CODE", "NAME", "STATUS", "CREATED", "SETTINGS"}, func(t *table, o tenant.Organisation) {
			t.row(o.Code, o.Name, orgStatus(o), timestamp(o.CreatedAt), settingsText(o.Settings))
		})
	})
}

func (s *state) apikeyCommand() *ucli.Command {
	return group("apikey", "manage the API keys of an organisation",
		leaf("create", "issue a key and print it (only this once; only its hash is kept)", "",
			[]ucli.Flag{dbFlag(), orgFlag()},
			s.apikeyCreate),
		leaf("list", "list keys by prefix (never a secret)", "",
			[]ucli.Flag{dbFlag(), orgFlag(), jsonFlag()},
			s.apikeyList),
		leaf("revoke", "revoke the key with a prefix", "PREFIX",
			[]ucli.Flag{dbFlag(), orgFlag()},
			s.apikeyRevoke),
	)
}

func (s *state) apikeyCreate(c *ucli.Context) error {
	code, err := orgOnly(c)
	if err != nil {
		return err
	}
	return s.withOrg(c, code, func(ctx context.Context, svc ports.Services, org tenant.Organisation) error {
		key, _, err := svc.APIKeys.Create(ctx, org.ID)
		if err != nil {
			return err
		}
		// Only the key, so that KEY=$(allot apikey create --org ACME) works.
		return printf(c, "%s\n", key)
	})
}

func (s *state) apikeyList(c *ucli.Context) error {
	code, err := orgOnly(c)
	if err != nil {
		return err
	}
	return s.withOrg(c, code, func(ctx context.Context, svc ports.Services, org tenant.Organisation) error {
		keys, err := svc.APIKeys.List(ctx, org.ID)
		if err != nil {
			return err
		}
		return printList(c, keys, toAPIKeyJSON, []string{"PREFIX", "CREATED", "REVOKED"}, func(t *table, k tenant.APIKey) {
			t.row(k.Prefix, timestamp(k.CreatedAt), revokedAt(k))
		})
	})
}

func (s *state) apikeyRevoke(c *ucli.Context) error {
	a, err := args(c, "PREFIX")
	if err != nil {
		return err
	}
	code, err := orgCode(c)
	if err != nil {
		return err
	}
	return s.withOrg(c, code, func(ctx context.Context, svc ports.Services, org tenant.Organisation) error {
		if err := svc.APIKeys.Revoke(ctx, org.ID, a[0]); err != nil {
			return err
		}
		return printf(c, "revoked key %s\n", a[0])
	})
}

// entryKind describes one of the catalogues that share the add and list
// commands (customers, hubs, service types), which differ only in their
// service and wording.
type entryKind struct {
	noun     string // "customer"
	nameReq  bool   // whether --name is required
	nameHelp string
	add      func(ctx context.Context, svc ports.Services, org tenant.OrgID, code, name string, c *ucli.Context) (entryJSON, error)
	list     func(ctx context.Context, svc ports.Services, org tenant.OrgID, c *ucli.Context, q ports.Query) ([]entryJSON, error)
	extra    []ucli.Flag // extra list flags
	addExtra []ucli.Flag // extra add flags
	more     []*ucli.Command
}

func (s *state) entryCommand(name, usage string, k entryKind) *ucli.Command {
	listFlags := append([]ucli.Flag{dbFlag(), orgFlag()}, k.extra...)
	listFlags = append(listFlags, pageFlags()...)
	listFlags = append(listFlags, jsonFlag())
	addFlags := append([]ucli.Flag{dbFlag(), orgFlag(), stringFlag("code", "`CODE` (required)"), stringFlag("name", k.nameHelp)}, k.addExtra...)
	cmds := []*ucli.Command{
		leaf("add", "add a "+k.noun, "",
			append(addFlags, jsonFlag()),
			func(c *ucli.Context) error { return s.entryAdd(c, k) }),
		leaf("list", "list the "+k.noun+"s of an organisation", "",
			listFlags,
			func(c *ucli.Context) error { return s.entryList(c, k) }),
	}
	return group(name, usage, append(cmds, k.more...)...)
}

func (s *state) entryAdd(c *ucli.Context, k entryKind) error {
	if _, err := args(c); err != nil {
		return err
	}
	names := []string{"org", "code"}
	if k.nameReq {
		names = append(names, "name")
	}
	v, err := required(c, names...)
	if err != nil {
		return err
	}
	return s.withOrg(c, v[0], func(ctx context.Context, svc ports.Services, org tenant.Organisation) error {
		e, err := k.add(ctx, svc, org.ID, v[1], c.String("name"), c)
		if err != nil {
			return err
		}
		if c.Bool("json") {
			return writeJSON(c.App.Writer, e)
		}
		return printf(c, "added %s %s (%s)\n", k.noun, e.Code, e.Name)
	})
}

func (s *state) entryList(c *ucli.Context, k entryKind) error {
	code, err := orgOnly(c)
	if err != nil {
		return err
	}
	q, err := pageQuery(c)
	if err != nil {
		return err
	}
	return s.withOrg(c, code, func(ctx context.Context, svc ports.Services, org tenant.Organisation) error {
		fetch := func(q ports.Query) ([]entryJSON, int, error) {
			es, err := k.list(ctx, svc, org.ID, c, q)
			return es, -1, err
		}
		same := func(e entryJSON) entryJSON { return e }
		return listPages(c, q, k.noun+"s", fetch, same, []string{"CODE", "NAME", "CREATED"}, func(t *table, e entryJSON) {
			t.row(e.Code, e.Name, e.CreatedAt)
		})
	})
}

func (s *state) customerCommand() *ucli.Command {
	return s.entryCommand("customer", "manage the customers (clients) of an organisation", entryKind{
		noun:     "customer",
		nameReq:  true,
		nameHelp: "display `NAME` (required)",
		extra:    []ucli.Flag{stringFlag("search", "only customers whose code or name contains `TEXT` (case-insensitive)")},
		addExtra: []ucli.Flag{useGlobalFlag()},
		add: func(ctx context.Context, svc ports.Services, org tenant.OrgID, code, name string, c *ucli.Context) (entryJSON, error) {
			x, err := svc.Customers.Create(ctx, org, tenant.Customer{Code: code, Name: name, UseGlobal: c.Bool("use-global")})
			return customerEntry(x), err
		},
		more: []*ucli.Command{leaf("set", "change a customer's settings", "",
			[]ucli.Flag{dbFlag(), orgFlag(), stringFlag("code", "`CODE` (required)"), useGlobalFlag(), jsonFlag()},
			s.customerSet)},
		list: func(ctx context.Context, svc ports.Services, org tenant.OrgID, c *ucli.Context, q ports.Query) ([]entryJSON, error) {
			xs, err := svc.Customers.List(ctx, org, ports.CustomerQuery{Query: q, Search: c.String("search")})
			return mapped(xs, customerEntry), err
		},
	})
}

func customerEntry(x tenant.Customer) entryJSON {
	e := entryJSON{Code: x.Code, Name: x.Name, CreatedAt: timestamp(x.CreatedAt)}
	if x.UseGlobal {
		e.UseGlobal = &x.UseGlobal
	}
	return e
}

// useGlobalFlag is --use-global of the customer commands.
func useGlobalFlag() ucli.Flag {
	return &ucli.BoolFlag{Name: "use-global", Usage: "draw from the organisation's global pool once the customer's own stock of an item is exhausted (--use-global=false to stop)"}
}

// customerSet is `allot customer set`: it changes only the settings given.
func (s *state) customerSet(c *ucli.Context) error {
	if _, err := args(c); err != nil {
		return err
	}
	v, err := required(c, "org", "code")
	if err != nil {
		return err
	}
	if !c.IsSet("use-global") {
		return usagef(c, "give a setting to change: --use-global or --use-global=false")
	}
	return s.withOrg(c, v[0], func(ctx context.Context, svc ports.Services, org tenant.Organisation) error {
		x, err := svc.Customers.SetUseGlobal(ctx, org.ID, v[1], c.Bool("use-global"))
		if err != nil {
			return err
		}
		if c.Bool("json") {
			return writeJSON(c.App.Writer, customerEntry(x))
		}
		return printf(c, "customer %s: use-global %t\n", x.Code, x.UseGlobal)
	})
}

func (s *state) hubCommand() *ucli.Command {
	return s.entryCommand("hub", "manage the hubs of an organisation", entryKind{
		noun:     "hub",
		nameReq:  true,
		nameHelp: "display `NAME` (required)",
		add: func(ctx context.Context, svc ports.Services, org tenant.OrgID, code, name string, _ *ucli.Context) (entryJSON, error) {
			x, err := svc.Hubs.Add(ctx, org, code, name)
			return entryJSON{Code: x.Code, Name: x.Name, CreatedAt: timestamp(x.CreatedAt)}, err
		},
		list: func(ctx context.Context, svc ports.Services, org tenant.OrgID, _ *ucli.Context, q ports.Query) ([]entryJSON, error) {
			xs, err := svc.Hubs.List(ctx, org, q)
			return mapped(xs, func(x tenant.Hub) entryJSON {
				return entryJSON{Code: x.Code, Name: x.Name, CreatedAt: timestamp(x.CreatedAt)}
			}), err
		},
	})
}

func (s *state) serviceTypeCommand() *ucli.Command {
	return s.entryCommand("servicetype", "manage the service-type catalogue of an organisation", entryKind{
		noun:     "service type",
		nameHelp: "display `NAME` (default: the code)",
		add: func(ctx context.Context, svc ports.Services, org tenant.OrgID, code, name string, _ *ucli.Context) (entryJSON, error) {
			x, err := svc.ServiceTypes.Add(ctx, org, code, name)
			return entryJSON{Code: x.Code, Name: x.Name, CreatedAt: timestamp(x.CreatedAt)}, err
		},
		list: func(ctx context.Context, svc ports.Services, org tenant.OrgID, _ *ucli.Context, q ports.Query) ([]entryJSON, error) {
			xs, err := svc.ServiceTypes.List(ctx, org, q)
			return mapped(xs, func(x tenant.ServiceType) entryJSON {
				return entryJSON{Code: x.Code, Name: x.Name, CreatedAt: timestamp(x.CreatedAt)}
			}), err
		},
	})
}
