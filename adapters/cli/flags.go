package cli

import (
	"context"
	"fmt"
	"github.com/allot-io/allot/domain/page"
	"net/url"
	"slices"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// Flag constructors return a new flag each time: urfave/cli flags keep
// parsed values, so no two commands or Apps may share one.

// globalDBFlag is --db before any command: it carries ALLOT_DB and the
// default, so that a --db given first beats the environment.
func globalDBFlag() ucli.Flag {
	return &ucli.StringFlag{
		Name:    "db",
		Usage:   "database `DSN`: postgres://USER:PASSWORD@HOST:PORT/DB or sqlite:PATH",
		Value:   DefaultDSN,
		EnvVars: []string{envDB},
	}
}

// dbFlag is --db on a command; it wins over one given before the command.
func dbFlag() ucli.Flag {
	return &ucli.StringFlag{
		Name:        "db",
		Usage:       "database `DSN`: postgres://USER:PASSWORD@HOST:PORT/DB or sqlite:PATH (default: --db before the command, else $" + envDB + ", else " + DefaultDSN + ")",
		DefaultText: DefaultDSN,
	}
}

func orgFlag() ucli.Flag {
	return &ucli.StringFlag{Name: "org", Usage: "organisation `CODE` (required)"}
}

func jsonFlag() ucli.Flag {
	return &ucli.BoolFlag{Name: "json", Usage: "print JSON instead of text", DisableDefaultText: true}
}

func stringFlag(name, usage string) ucli.Flag {
	return &ucli.StringFlag{Name: name, Usage: usage}
}

func pageFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.IntFlag{Name: "limit", Usage: "list at most `N` rows (0: the default, 50; at most 1000)"},
		&ucli.IntFlag{Name: "offset", Usage: "skip the first `N` rows"},
		&ucli.BoolFlag{Name: "all", Usage: "list every row, page after page (not with --limit)", DisableDefaultText: true},
	}
}

// Paging of the list commands: a page is --limit rows (default
// defaultPage); --all reads pages of maxPage rows until the last.
const (
	defaultPage = page.Default
	maxPage     = page.Max
)

// leaf returns a command that runs action; leaves have no "help" subcommand
// so that an argument such as an organisation named "help" stays an
// argument, and their usage mistakes become short usage errors.
func leaf(name, usage, argsUsage string, flags []ucli.Flag, action ucli.ActionFunc) *ucli.Command {
	return &ucli.Command{
		Name:            name,
		Usage:           usage,
		ArgsUsage:       argsUsage,
		Flags:           flags,
		Action:          action,
		HideHelpCommand: true,
		OnUsageError:    onUsageError,
	}
}

// groupHelp lists a group's commands without urfave/cli's categories,
// which are only filled in when the group itself runs: with the default
// template `allot help series` would print no commands at all.
const groupHelp = `NAME:
   {{template "helpNameTemplate" .}}

USAGE:
   {{.HelpName}} command [command options]

COMMANDS:{{template "visibleCommandTemplate" .}}

OPTIONS:{{template "visibleFlagTemplate" .}}
`

// group returns a command that only holds subcommands.
func group(name, usage string, subs ...*ucli.Command) *ucli.Command {
	return &ucli.Command{
		Name:               name,
		Usage:              usage,
		Subcommands:        subs,
		Action:             groupAction,
		OnUsageError:       onUsageError,
		CustomHelpTemplate: groupHelp,
	}
}

// groupAction runs when a group (or the app) gets no known subcommand;
// urfave/cli would otherwise print help and exit 0 or 3.
func groupAction(c *ucli.Context) error {
	if c.Args().Present() {
		return usagef(c, "unknown command %q", c.Args().First())
	}
	return usagef(c, "missing command")
}

// args checks that c has exactly the positional arguments named and
// returns them. urfave/cli stops parsing flags at the first argument, so a
// flag after an argument would silently become an argument: it is refused.
func args(c *ucli.Context, names ...string) ([]string, error) {
	got := c.Args().Slice()
	if err := noFlagsAfterArgs(c, got); err != nil {
		return nil, err
	}
	if len(got) < len(names) {
		return nil, usagef(c, "missing argument %s", names[len(got)])
	}
	if len(got) > len(names) {
		return nil, usagef(c, "unexpected argument %q", got[len(names)])
	}
	return got, nil
}

// atLeastOneArg returns the positional arguments of c, of which there must
// be at least one, named name.
func atLeastOneArg(c *ucli.Context, name string) ([]string, error) {
	got := c.Args().Slice()
	if err := noFlagsAfterArgs(c, got); err != nil {
		return nil, err
	}
	if len(got) == 0 {
		return nil, usagef(c, "missing argument %s", name)
	}
	return got, nil
}

func noFlagsAfterArgs(c *ucli.Context, got []string) error {
	for _, a := range got {
		if len(a) > 1 && a[0] == '-' {
			return usagef(c, "flag %s must come before the arguments", a)
		}
	}
	return nil
}

// required returns the trimmed value of each named string flag, or a usage
// error naming the first one missing.
func required(c *ucli.Context, names ...string) ([]string, error) {
	vals := make([]string, len(names))
	for i, n := range names {
		vals[i] = strings.TrimSpace(c.String(n))
		if vals[i] == "" {
			return nil, usagef(c, "missing required flag --%s", n)
		}
	}
	return vals, nil
}

// pageQuery reads --limit, --offset and --all; the Limit it returns is never 0.
func pageQuery(c *ucli.Context) (ports.Query, error) {
	q := ports.Query{Limit: c.Int("limit"), Offset: c.Int("offset")}
	if q.Limit < 0 {
		return q, usagef(c, "--limit must not be negative")
	}
	if q.Limit > maxPage {
		return q, usagef(c, "--limit must be at most %d; use --all to list everything", maxPage)
	}
	if q.Offset < 0 {
		return q, usagef(c, "--offset must not be negative")
	}
	if c.Bool("all") && c.IsSet("limit") {
		return q, usagef(c, "--all lists every row; it does not go with --limit")
	}
	if q.Limit == 0 {
		q.Limit = defaultPage
	}
	return q, nil
}

// dbOf returns --db as the user gave it: on the command itself, else
// before it (`allot --db X migrate`, as people type global flags first),
// else ALLOT_DB, else the default.
func (s *state) dbOf(c *ucli.Context) string {
	for _, ctx := range c.Lineage() {
		if ctx.Command != nil && ctx.Command.Name != "" && slices.Contains(ctx.LocalFlagNames(), "db") {
			return ctx.String("db")
		}
	}
	return s.globalDB
}

// dsn reads --db (or ALLOT_DB), checks that it names a store Allot
// supports, and remembers its password so that no error shows it.
func (s *state) dsn(c *ucli.Context) (string, error) {
	d := strings.TrimSpace(s.dbOf(c))
	if d == "" {
		return "", usagef(c, "--db (or %s) is empty; use postgres://... or sqlite:PATH", envDB)
	}
	if isSQLite(d) {
		return d, nil
	}
	u, err := url.Parse(d)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		// The DSN itself is not echoed: it may hold a password.
		return "", usagef(c, "--db must be postgres://USER:PASSWORD@HOST:PORT/DB or sqlite:PATH")
	}
	if pw, ok := u.User.Password(); ok {
		s.secrets = append(s.secrets, pw, url.QueryEscape(pw), url.PathEscape(pw))
	}
	if pw := u.Query().Get("password"); pw != "" {
		s.secrets = append(s.secrets, pw, url.QueryEscape(pw))
	}
	return d, nil
}

func isSQLite(dsn string) bool { return strings.HasPrefix(dsn, "sqlite:") }

// withBackend opens the store named by --db, runs fn with its services and
// closes it whatever happens.
func (s *state) withBackend(c *ucli.Context, fn func(ctx context.Context, b *Backend) error) (err error) {
	d, err := s.dsn(c)
	if err != nil {
		return err
	}
	if s.deps.Open == nil {
		return fault.New(fault.Internal, "INTERNAL", "no store is configured in this build")
	}
	b, err := s.deps.Open(c.Context, d)
	if err != nil {
		return err
	}
	if b == nil {
		return fault.New(fault.Internal, "INTERNAL", "the store opened nothing")
	}
	if b.Close != nil {
		defer func() {
			if cerr := b.Close(); cerr != nil && err == nil {
				err = fault.Wrap(cerr, "close the database")
			}
		}()
	}
	// Every change the command makes is recorded as the operating-system
	// user's.
	return fn(ports.WithActor(c.Context, cliActor()), b)
}

// withOrg opens the store, resolves --org and runs fn for that
// organisation. Call it after every other check of the command line, so
// that a usage mistake never opens the database.
func (s *state) withOrg(c *ucli.Context, code string, fn func(ctx context.Context, svc ports.Services, org tenant.Organisation) error) error {
	return s.withBackend(c, func(ctx context.Context, b *Backend) error {
		org, err := b.Services.Orgs.ByCode(ctx, code)
		if err != nil {
			if fault.CodeOf(err) == fault.NotFound {
				return fault.Errorf(fault.NotFound, tenant.ReasonOrgNotFound, "organisation %s does not exist", code)
			}
			return err
		}
		return fn(ctx, b.Services, org)
	})
}

// withService is withOrg for the commands of one service: pick takes it
// from the services, and a build without it is an Internal error saying
// missing. Each service's with… helper is this, named.
func withService[S any](s *state, c *ucli.Context, code string, pick func(ports.Services) S, missing string,
	fn func(ctx context.Context, svc S, org tenant.Organisation) error) error {
	return s.withOrg(c, code, func(ctx context.Context, svc ports.Services, org tenant.Organisation) error {
		got := pick(svc)
		if any(got) == nil {
			return fault.New(fault.Internal, "INTERNAL", missing)
		}
		return fn(ctx, got, org)
	})
}

// orgOnly reads the --org of a command that takes no arguments.
func orgOnly(c *ucli.Context) (string, error) {
	if _, err := args(c); err != nil {
		return "", err
	}
	return orgCode(c)
}

// orgCode reads the required --org flag.
func orgCode(c *ucli.Context) (string, error) {
	v, err := required(c, "org")
	if err != nil {
		return "", err
	}
	return v[0], nil
}

// owner reads the exclusive --client and --hub flags of a command that
// needs exactly one owner.
func owner(c *ucli.Context) (client, hub string, err error) {
	client, hub = strings.TrimSpace(c.String("client")), strings.TrimSpace(c.String("hub"))
	switch {
	case client == "" && hub == "":
		return "", "", usagef(c, "one of --client or --hub is required")
	case client != "" && hub != "":
		return "", "", usagef(c, "give either --client or --hub, not both")
	}
	return client, hub, nil
}

// globalFlag is --global of the commands that act for an owner.
func globalFlag(usage string) ucli.Flag {
	return &ucli.BoolFlag{Name: "global", Usage: usage}
}

// poolOwner is owner, or the organisation's global pool with --global
// (then neither --client nor --hub).
func poolOwner(c *ucli.Context) (client, hub string, global bool, err error) {
	if !c.Bool("global") {
		client, hub, err = owner(c)
		return client, hub, false, err
	}
	if strings.TrimSpace(c.String("client")) != "" || strings.TrimSpace(c.String("hub")) != "" {
		return "", "", false, usagef(c, "give --global, or --client or --hub, not both")
	}
	return "", "", true, nil
}

// writeErr turns a failure to write output (a closed pipe, a full disk)
// into an Internal fault.
func writeErr(err error) error {
	if err == nil {
		return nil
	}
	return fault.Wrap(err, "write output")
}

// printf writes a line of output to the App's writer.
func printf(c *ucli.Context, format string, a ...any) error {
	_, err := fmt.Fprintf(c.App.Writer, format, a...)
	return writeErr(err)
}
