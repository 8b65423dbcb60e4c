package cli

import (
	"bufio"
	"context"
	"strconv"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

func (s *state) seriesCommand() *ucli.Command {
	listFlags := []ucli.Flag{
		dbFlag(), orgFlag(),
		stringFlag("client", "only series of customer `CODE`"),
		stringFlag("hub", "only series of hub `CODE`"),
		globalFlag("only series of the organisation's global pool"),
		stringFlag("item-code", "only series of item `CODE`"),
		stringFlag("type", "only series of `TYPE` physical or virtual"),
	}
	listFlags = append(listFlags, pageFlags()...)
	listFlags = append(listFlags, jsonFlag())
	cmd := group("series", "allot number series, look numbers up and draw them",
		leaf("create", "allot a series to a customer, a hub or the global pool", "",
			[]ucli.Flag{
				dbFlag(), orgFlag(),
				stringFlag("client", "allot to customer `CODE`"),
				stringFlag("hub", "allot to hub `CODE`"),
				globalFlag("allot to the organisation's global pool, which customers flagged --use-global draw from once their own stock is exhausted"),
				stringFlag("start", "first `NUMBER`, e.g. V10000051 (required)"),
				stringFlag("end", "last `NUMBER`, same prefix and digit count as --start (required)"),
				stringFlag("item-code", "item `CODE` (required)"),
				stringFlag("type", "`TYPE` physical or virtual (default: virtual)"),
				stringFlag("creator-hub", "hub `CODE` recorded as the series' creator"),
				&ucli.StringSliceFlag{Name: "service-type", Usage: "service type `CODE` from the catalogue; repeat for several"},
				stringFlag("check-digit", "check-digit `SCHEME` none, mod7 (air waybills) or luhn (ICCIDs, IMEIs); numbers are given without it"),
				jsonFlag(),
			},
			s.seriesCreate),
		leaf("list", "list series, oldest first", "", listFlags, s.seriesList),
		leaf("lookup", "show the series (and owner) holding a number", "NUMBER",
			[]ucli.Flag{dbFlag(), orgFlag(), jsonFlag()},
			s.seriesLookup),
		leaf("next", "draw the next numbers of an owner and item code, one per line", "",
			[]ucli.Flag{
				dbFlag(), orgFlag(),
				stringFlag("client", "draw from customer `CODE`"),
				stringFlag("hub", "draw from hub `CODE`"),
				stringFlag("item-code", "item `CODE` (required)"),
				stringFlag("service-type", "only series offering service type `CODE`"),
				&ucli.Int64Flag{Name: "count", Usage: "draw `N` numbers", Value: 1},
				jsonFlag(),
			},
			s.seriesNext),
		leaf("delete", "delete series that have had no number drawn (all or none)", "ID [ID...]",
			[]ucli.Flag{dbFlag(), orgFlag()},
			s.seriesDelete),
	)
	cmd.Subcommands = append(cmd.Subcommands, s.numberCommands()...)
	return cmd
}

func (s *state) seriesCreate(c *ucli.Context) error {
	if _, err := args(c); err != nil {
		return err
	}
	client, hub, global, err := poolOwner(c)
	if err != nil {
		return err
	}
	v, err := required(c, "org", "start", "end", "item-code")
	if err != nil {
		return err
	}
	spec := series.Spec{
		Start:        v[1],
		End:          v[2],
		ClientCode:   client,
		HubCode:      hub,
		Type:         c.String("type"),
		ItemCode:     v[3],
		CreatorHub:   c.String("creator-hub"),
		ServiceTypes: c.StringSlice("service-type"),
		CheckDigit:   c.String("check-digit"),
		Global:       global,
	}
	return s.withOrg(c, v[0], func(ctx context.Context, svc ports.Services, org tenant.Organisation) error {
		created, err := svc.Series.Create(ctx, org.ID, spec)
		if err != nil {
			return err
		}
		if c.Bool("json") {
			return writeJSON(c.App.Writer, toSeriesJSON(created))
		}
		return printf(c, "created %s, %d numbers\n", describeSeries(created), created.Size())
	})
}

func (s *state) seriesList(c *ucli.Context) error {
	code, err := orgOnly(c)
	if err != nil {
		return err
	}
	p, err := pageQuery(c)
	if err != nil {
		return err
	}
	typ, err := series.ParseTypeFilter(c.String("type"))
	if err != nil {
		return err
	}
	q := ports.SeriesQuery{
		Query:      p,
		ClientCode: strings.TrimSpace(c.String("client")),
		HubCode:    strings.TrimSpace(c.String("hub")),
		ItemCode:   strings.TrimSpace(c.String("item-code")),
		Global:     c.Bool("global"),
		Type:       typ,
	}
	return s.withOrg(c, code, func(ctx context.Context, svc ports.Services, org tenant.Organisation) error {
		fetch := func(pq ports.Query) ([]series.Series, int, error) {
			q.Query = pq
			pg, err := svc.Series.List(ctx, org.ID, q)
			return pg.Items, pg.Total, err
		}
		return listPages(c, p, "series", fetch, toSeriesJSON, seriesHeader, seriesRow)
	})
}

// lookupJSON is the answer of `series lookup --json`.
type lookupJSON struct {
	Number string     `json:"number"`
	Series seriesJSON `json:"series"`
}

func (s *state) seriesLookup(c *ucli.Context) error {
	a, err := args(c, "NUMBER")
	if err != nil {
		return err
	}
	code, err := orgCode(c)
	if err != nil {
		return err
	}
	number := a[0]
	if n, err := series.ParseNumber(number); err == nil {
		number = n.String()
	}
	return s.withOrg(c, code, func(ctx context.Context, svc ports.Services, org tenant.Organisation) error {
		x, err := svc.Series.Lookup(ctx, org.ID, number)
		if err != nil {
			if fault.CodeOf(err) == fault.NotFound {
				return fault.Errorf(fault.NotFound, series.ReasonNumberFree, "%s is not in any series of %s", number, org.Code)
			}
			return err
		}
		if c.Bool("json") {
			return writeJSON(c.App.Writer, lookupJSON{Number: number, Series: toSeriesJSON(x)})
		}
		return printf(c, "%s is in %s\n", number, describeSeries(x))
	})
}

func (s *state) seriesNext(c *ucli.Context) error {
	if _, err := args(c); err != nil {
		return err
	}
	client, hub, err := owner(c)
	if err != nil {
		return err
	}
	v, err := required(c, "org", "item-code")
	if err != nil {
		return err
	}
	r := ports.NextRequest{
		ClientCode:  client,
		HubCode:     hub,
		ItemCode:    v[1],
		ServiceType: strings.TrimSpace(c.String("service-type")),
		Count:       c.Int64("count"),
		Actor:       cliActor(),
	}
	return s.withOrg(c, v[0], func(ctx context.Context, svc ports.Services, org tenant.Organisation) error {
		drawn, err := svc.Series.Next(ctx, org.ID, r)
		if err != nil {
			return err
		}
		numbers, err := expand(drawn)
		if err != nil {
			return err
		}
		if c.Bool("json") {
			return writeJSON(c.App.Writer, numbers)
		}
		w := bufio.NewWriter(c.App.Writer)
		for _, n := range numbers {
			_, _ = w.WriteString(n)
			_ = w.WriteByte('\n')
		}
		return writeErr(w.Flush())
	})
}

// expand lists every number of the drawn runs, in order.
func expand(drawn []series.Drawn) ([]string, error) {
	out := []string{}
	for _, d := range drawn {
		count, ok := d.Range.Count().Uint64()
		if !ok || count > series.MaxDraw {
			return nil, fault.Errorf(fault.Internal, "INTERNAL", "the store drew %s numbers at once", d.Range.Count())
		}
		first := d.Range.First()
		for i := uint64(0); i < count; i++ {
			n, ok := first.Add(i)
			if !ok {
				return nil, fault.Errorf(fault.Internal, "INTERNAL", "drawn range %s is malformed", d.Range)
			}
			out = append(out, d.CheckDigit.Full(n).String())
		}
	}
	return out, nil
}

func (s *state) seriesDelete(c *ucli.Context) error {
	a, err := atLeastOneArg(c, "ID")
	if err != nil {
		return err
	}
	ids := make([]int64, 0, len(a))
	for _, x := range a {
		id, err := strconv.ParseInt(x, 10, 64)
		if err != nil || id <= 0 {
			return usagef(c, "series id %q is not a positive whole number", x)
		}
		ids = append(ids, id)
	}
	code, err := orgCode(c)
	if err != nil {
		return err
	}
	return s.withOrg(c, code, func(ctx context.Context, svc ports.Services, org tenant.Organisation) error {
		if err := svc.Series.Delete(ctx, org.ID, ids); err != nil {
			return err
		}
		return printf(c, "deleted %d series\n", len(ids))
	})
}
