package cli

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/user"
	"strconv"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// numberCommands are the number-level subcommands of `allot series`.
func (s *state) numberCommands() []*ucli.Command {
	markFlags := func(verb string) []ucli.Flag {
		return []ucli.Flag{
			dbFlag(), orgFlag(),
			stringFlag("client", verb+" numbers of customer `CODE`"),
			stringFlag("hub", verb+" numbers of hub `CODE`"),
			globalFlag(verb + " numbers of the organisation's global pool"),
			stringFlag("start", "first `NUMBER` of a range, instead of NUMBER arguments"),
			stringFlag("end", "last `NUMBER` of the range"),
			stringFlag("reference", "`TEXT` recorded with the change (booking, line, reason)"),
			jsonFlag(),
		}
	}
	return []*ucli.Command{
		leaf("consume", "mark numbers used, all or none (physical labels scanned, SIMs taken)", "[NUMBER...]",
			markFlags("consume"), s.markAction(series.Consume)),
		leaf("void", "mark numbers void (damaged or lost): never handed out again, all or none", "[NUMBER...]",
			markFlags("void"), s.markAction(series.VoidOp)),
		leaf("release", "return used numbers to stock, all or none", "[NUMBER...]",
			markFlags("release"), s.markAction(series.Release)),
		leaf("state", "show a number's state (available, used, void), reference and series", "NUMBER",
			[]ucli.Flag{dbFlag(), orgFlag(), jsonFlag()}, s.numberState),
		leaf("history", "list the recorded changes to series and numbers, oldest first", "", historyFlags(), s.numberHistory),
		s.importCommand(),
	}
}

// stockCommand is `allot stock`: low-stock thresholds and the stock report.
func (s *state) stockCommand() *ucli.Command {
	return group("stock", "low-stock thresholds and the stock report",
		leaf("threshold", "set the low-stock threshold of an owner and item code", "",
			[]ucli.Flag{
				dbFlag(), orgFlag(),
				stringFlag("client", "threshold of customer `CODE`"),
				stringFlag("hub", "threshold of hub `CODE`"),
				globalFlag("threshold of the organisation's global pool"),
				stringFlag("item-code", "item `CODE` (required)"),
				&ucli.Int64Flag{Name: "level", Usage: "report low stock at or below `N` available numbers", Required: true},
			}, s.setThreshold),
		leaf("thresholds", "list the low-stock thresholds", "", []ucli.Flag{dbFlag(), orgFlag(), jsonFlag()}, s.listThresholds),
		leaf("report", "per owner and item: available numbers, threshold, days of stock at the last 7 days' rate", "",
			[]ucli.Flag{dbFlag(), orgFlag(), jsonFlag()}, s.stockReport),
	)
}

// stockLineJSON is a stock report line as --json prints it; days_left is
// null when nothing was used in the window.
type stockLineJSON struct {
	OwnerKind string   `json:"owner_kind"`
	OwnerCode string   `json:"owner_code"`
	ItemCode  string   `json:"item_code"`
	Series    uint64   `json:"series"`
	Available uint64   `json:"available"`
	Threshold *uint64  `json:"threshold"`
	Low       bool     `json:"low_stock"`
	DaysLeft  *float64 `json:"days_left"`
}

func toStockLineJSON(l series.StockLine) stockLineJSON {
	j := stockLineJSON{OwnerKind: string(l.Owner.Kind), OwnerCode: l.Owner.Code, ItemCode: l.ItemCode, Series: l.Series,
		Available: l.Available, Threshold: l.Threshold, Low: l.Low}
	if !math.IsInf(l.DaysLeft, 1) {
		d := math.Round(l.DaysLeft*10) / 10
		j.DaysLeft = &d
	}
	return j
}

var stockHeader = []string{"OWNER", "ITEM", "SERIES", "AVAILABLE", "THRESHOLD", "LOW", "DAYS-LEFT"}

func stockRow(t *table, l series.StockLine) {
	th, low, days := "-", "", "-"
	if l.Threshold != nil {
		th = fmt.Sprint(*l.Threshold)
	}
	if l.Low {
		low = "LOW"
	}
	if !math.IsInf(l.DaysLeft, 1) {
		days = strconv.FormatFloat(l.DaysLeft, 'f', 1, 64)
	}
	t.row(string(l.Owner.Kind)+":"+l.Owner.Code, l.ItemCode, fmt.Sprint(l.Series), fmt.Sprint(l.Available), th, low, days)
}

func (s *state) stockReport(c *ucli.Context) error {
	code, err := orgOnly(c)
	if err != nil {
		return err
	}
	return s.withOrg(c, code, func(ctx context.Context, svc ports.Services, org tenant.Organisation) error {
		ns, err := numbers(svc)
		if err != nil {
			return err
		}
		lines, err := ns.StockReport(ctx, org.ID)
		if err != nil {
			return err
		}
		return printList(c, lines, toStockLineJSON, stockHeader, stockRow)
	})
}

// historyFlags are the flags of `series history` and `audit list`.
func historyFlags() []ucli.Flag {
	fs := []ucli.Flag{
		dbFlag(), orgFlag(),
		&ucli.Int64Flag{Name: "series", Usage: "only the history of series `ID`"},
		stringFlag("since", "only changes at or after `TIME` (RFC 3339, e.g. 2026-04-05T00:00:00Z)"),
	}
	fs = append(fs, pageFlags()...)
	return append(fs, jsonFlag())
}

// auditCommand is `allot audit list`, the issue's name for `series
// history`: the same listing of the append-only history.
func (s *state) auditCommand() *ucli.Command {
	return group("audit", "read the append-only history of series and their numbers",
		leaf("list", "list the recorded changes (create, consume, void, release, draw, delete, import), oldest first", "",
			historyFlags(), s.numberHistory))
}

// cliActor names the operating-system user running the CLI in history.
func cliActor() series.Actor {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return series.CLIActor(u.Username)
	}
	return series.CLIActor(os.Getenv("USER"))
}

// numbers returns the services' number operations, or an Unavailable error
// when the backend has none.
func numbers(svc ports.Services) (ports.NumberService, error) {
	if svc.Numbers == nil {
		return nil, fault.New(fault.Unavailable, "UNAVAILABLE", "this backend keeps no number-level inventory")
	}
	return svc.Numbers, nil
}

// changeJSON is a recorded change as --json prints it.
type changeJSON struct {
	ID        int64  `json:"id,omitempty"`
	SeriesID  int64  `json:"series_id"`
	Action    string `json:"action"`
	Start     string `json:"start"`
	End       string `json:"end"`
	Count     uint64 `json:"count"`
	Before    string `json:"before"`
	After     string `json:"after"`
	Reference string `json:"reference"`
	Actor     string `json:"actor"`
	At        string `json:"at"`
}

func toChangeJSON(e series.Entry) changeJSON {
	return changeJSON{
		ID: e.ID, SeriesID: e.SeriesID, Action: string(e.Action),
		Start: e.Numbers.First().String(), End: e.Numbers.Last().String(), Count: e.Count,
		Before: string(e.Before), After: string(e.After), Reference: e.Reference,
		Actor: string(e.Actor), At: timestamp(e.At),
	}
}

var historyHeader = []string{"ID", "AT", "SERIES", "ACTION", "NUMBERS", "COUNT", "BEFORE", "AFTER", "REFERENCE", "BY"}

func historyRow(t *table, e series.Entry) {
	t.row(fmt.Sprint(e.ID), timestamp(e.At), fmt.Sprint(e.SeriesID), string(e.Action), e.Numbers.String(),
		fmt.Sprint(e.Count), string(e.Before), string(e.After), e.Reference, string(e.Actor))
}

func (s *state) markAction(op series.Op) ucli.ActionFunc {
	return func(c *ucli.Context) error {
		nums := c.Args().Slice()
		if err := noFlagsAfterArgs(c, nums); err != nil {
			return err
		}
		client, hub, global, err := poolOwner(c)
		if err != nil {
			return err
		}
		code, err := orgCode(c)
		if err != nil {
			return err
		}
		spec := series.MarkSpec{
			Op:         op,
			Numbers:    nums,
			Start:      c.String("start"),
			End:        c.String("end"),
			ClientCode: client,
			HubCode:    hub,
			Global:     global,
			Reference:  c.String("reference"),
		}
		return s.withOrg(c, code, func(ctx context.Context, svc ports.Services, org tenant.Organisation) error {
			ns, err := numbers(svc)
			if err != nil {
				return err
			}
			entries, err := ns.Mark(ctx, org.ID, spec, cliActor())
			if err != nil {
				return err
			}
			if c.Bool("json") {
				return writeJSON(c.App.Writer, mapped(entries, toChangeJSON))
			}
			var n uint64
			for _, e := range entries {
				n += e.Count
			}
			past := map[series.Op]string{series.Consume: "consumed", series.VoidOp: "voided", series.Release: "released"}[op]
			if err := printf(c, "%s %d number(s)\n", past, n); err != nil {
				return err
			}
			for _, e := range entries {
				if err := printf(c, "  series %d %s: %s -> %s\n", e.SeriesID, e.Numbers, e.Before, e.After); err != nil {
					return err
				}
			}
			return nil
		})
	}
}

// stateJSON is the answer of `series state --json`.
type stateJSON struct {
	Number    string     `json:"number"`
	State     string     `json:"state"`
	Reference string     `json:"reference"`
	UpdatedAt *string    `json:"updated_at"`
	Series    seriesJSON `json:"series"`
}

func (s *state) numberState(c *ucli.Context) error {
	a, err := args(c, "NUMBER")
	if err != nil {
		return err
	}
	code, err := orgCode(c)
	if err != nil {
		return err
	}
	return s.withOrg(c, code, func(ctx context.Context, svc ports.Services, org tenant.Organisation) error {
		ns, err := numbers(svc)
		if err != nil {
			return err
		}
		info, err := ns.State(ctx, org.ID, a[0])
		if err != nil {
			return err
		}
		if c.Bool("json") {
			out := stateJSON{Number: info.Number.String(), State: string(info.State), Reference: info.Reference, Series: toSeriesJSON(info.Series)}
			if !info.UpdatedAt.IsZero() {
				at := timestamp(info.UpdatedAt)
				out.UpdatedAt = &at
			}
			return writeJSON(c.App.Writer, out)
		}
		ref := ""
		if info.Reference != "" {
			ref = fmt.Sprintf(" (reference %s)", info.Reference)
		}
		return printf(c, "%s is %s%s, in %s\n", info.Number, info.State, ref, describeSeries(info.Series))
	})
}

func (s *state) numberHistory(c *ucli.Context) error {
	code, err := orgOnly(c)
	if err != nil {
		return err
	}
	p, err := pageQuery(c)
	if err != nil {
		return err
	}
	q := ports.HistoryQuery{Query: p, SeriesID: c.Int64("series")}
	if raw := strings.TrimSpace(c.String("since")); raw != "" {
		t, err := time.Parse(time.RFC3339, raw)
		if err != nil {
			return usagef(c, "--since %q must be an RFC 3339 time, for example 2026-04-05T00:00:00Z", raw)
		}
		q.Since = t
	}
	return s.withOrg(c, code, func(ctx context.Context, svc ports.Services, org tenant.Organisation) error {
		ns, err := numbers(svc)
		if err != nil {
			return err
		}
		pg, err := ns.History(ctx, org.ID, q)
		if err != nil {
			return err
		}
		if err := printList(c, pg.Items, toChangeJSON, historyHeader, historyRow); err != nil || c.Bool("json") {
			return err
		}
		if pg.Total > p.Offset+len(pg.Items) {
			fmt.Fprintf(c.App.ErrWriter, "allot: showing %d-%d of %d changes; use --offset for more\n",
				p.Offset+1, p.Offset+len(pg.Items), pg.Total)
		}
		return nil
	})
}

func (s *state) setThreshold(c *ucli.Context) error {
	if _, err := args(c); err != nil {
		return err
	}
	client, hub, global, err := poolOwner(c)
	if err != nil {
		return err
	}
	v, err := required(c, "org", "item-code")
	if err != nil {
		return err
	}
	r := ports.ThresholdRequest{ClientCode: client, HubCode: hub, Global: global, ItemCode: v[1], Level: c.Int64("level")}
	return s.withOrg(c, v[0], func(ctx context.Context, svc ports.Services, org tenant.Organisation) error {
		ns, err := numbers(svc)
		if err != nil {
			return err
		}
		th, err := ns.SetThreshold(ctx, org.ID, r)
		if err != nil {
			return err
		}
		return printf(c, "low stock for %s, item %s, at or below %d available numbers\n", th.Owner, th.ItemCode, th.Level)
	})
}

type thresholdJSON struct {
	OwnerKind string `json:"owner_kind"`
	OwnerCode string `json:"owner_code"`
	ItemCode  string `json:"item_code"`
	Level     uint64 `json:"level"`
}

func (s *state) listThresholds(c *ucli.Context) error {
	code, err := orgOnly(c)
	if err != nil {
		return err
	}
	return s.withOrg(c, code, func(ctx context.Context, svc ports.Services, org tenant.Organisation) error {
		ns, err := numbers(svc)
		if err != nil {
			return err
		}
		ths, err := ns.Thresholds(ctx, org.ID)
		if err != nil {
			return err
		}
		toJSON := func(t series.Threshold) thresholdJSON {
			return thresholdJSON{OwnerKind: string(t.Owner.Kind), OwnerCode: t.Owner.Code, ItemCode: t.ItemCode, Level: t.Level}
		}
		row := func(t *table, th series.Threshold) {
			t.row(string(th.Owner.Kind)+":"+th.Owner.Code, th.ItemCode, fmt.Sprint(th.Level))
		}
		return printList(c, ths, toJSON, []string{"OWNER", "ITEM", "LEVEL"}, row)
	})
}
