package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// WorkConfig is what `allot work` passes to the composition root.
type WorkConfig struct {
	DSN string
	// Workers is how many provisioning jobs run at once.
	Workers int
	// Poll is how often the database is asked for jobs.
	Poll time.Duration
	// RescueAfter is how long a job may run before it counts as stuck
	// (its worker died) and is retried; 0 means the store's default.
	RescueAfter time.Duration
}

// workCommand is `allot work`: the provisioning worker alone, for scaling
// it apart from the API servers.
func (s *state) workCommand() *ucli.Command {
	return leaf("work", "run the line provisioning worker (River jobs: QUEUED → SUBMITTED → ACTIVE) until SIGINT or SIGTERM", "",
		[]ucli.Flag{
			dbFlag(),
			&ucli.IntFlag{Name: "workers", Usage: "run at most `N` provisioning jobs at once", Value: 4, EnvVars: []string{"ALLOT_WORKERS"}},
			&ucli.DurationFlag{Name: "poll", Usage: "ask the database for jobs every `DURATION`", Value: time.Second, EnvVars: []string{"ALLOT_WORK_POLL"}},
			&ucli.DurationFlag{Name: "rescue-after", Usage: "retry a job still running after `DURATION` (its worker died), default 2m",
				EnvVars: []string{"ALLOT_RESCUE_AFTER"}},
		},
		func(c *ucli.Context) error {
			if _, err := args(c); err != nil {
				return err
			}
			dsn, err := s.dsn(c)
			if err != nil {
				return err
			}
			if c.Int("workers") < 1 {
				return usagef(c, "--workers must be at least 1")
			}
			if c.Duration("poll") < 10*time.Millisecond {
				return usagef(c, "--poll must be at least 10ms")
			}
			if r := c.Duration("rescue-after"); c.IsSet("rescue-after") && r < time.Second {
				return usagef(c, "--rescue-after must be at least 1s")
			}
			if s.deps.Work == nil {
				return fault.New(fault.Internal, "INTERNAL", "no worker is configured in this build")
			}
			fmt.Fprintln(c.App.ErrWriter, "allot: provisioning worker running")
			err = s.deps.Work(c.Context, WorkConfig{DSN: dsn, Workers: c.Int("workers"), Poll: c.Duration("poll"), RescueAfter: c.Duration("rescue-after")})
			if err != nil && c.Context.Err() != nil && errors.Is(err, context.Canceled) {
				return nil
			}
			return err
		})
}

// lineCommand is `allot line list|show|retry|cancel`.
func (s *state) lineCommand() *ucli.Command {
	one := []ucli.Flag{dbFlag(), orgFlag(), jsonFlag()}
	list := append([]ucli.Flag{dbFlag(), orgFlag(), stringFlag("status", "only lines in `STATUS` ("+statusNames()+")"),
		stringFlag("search", "only lines whose enrollment id or MDN is `TEXT`, or whose name contains it")}, pageFlags()...)
	list = append(list, jsonFlag())
	return group("line", "inspect and operate lines' lifecycle (carrier provisioning)",
		leaf("list", "list the organisation's lines with status and MDN", "", list, s.lineList),
		leaf("show", "show a line with its history", "CUSTOMER-ID", one, func(c *ucli.Context) error {
			return s.lineOne(c, func(ctx context.Context, svc ports.LineService, org tenant.OrgID, id int64) error {
				st, h, err := svc.Line(ctx, org, id)
				if err != nil {
					return err
				}
				if c.Bool("json") {
					j := toLineStateJSON(st)
					for _, e := range h {
						j.History = append(j.History, lineHistoryJSON{Event: string(e.Event), From: string(e.From), To: string(e.To), Message: e.Message, At: timestamp(e.At)})
					}
					return writeJSON(c.App.Writer, j)
				}
				t := newTable(c.App.Writer, lineStateHeader...)
				lineStateRow(t, st)
				if err := t.flush(); err != nil {
					return err
				}
				t = newTable(c.App.Writer, "AT", "EVENT", "FROM", "TO", "MESSAGE")
				for _, e := range h {
					t.row(timestamp(e.At), string(e.Event), string(e.From), string(e.To), e.Message)
				}
				return t.flush()
			})
		}),
		leaf("retry", "queue a FAILED line, or a port-in requiring resolution, for the carrier again", "CUSTOMER-ID", one,
			s.lineAction(func(ctx context.Context, svc ports.LineService, org tenant.OrgID, id int64) (ports.LineState, error) {
				return svc.Retry(ctx, org, id)
			})),
		leaf("cancel", "give a line up (ATTACHED, FAILED, or a port-in requiring resolution)", "CUSTOMER-ID", one,
			s.lineAction(func(ctx context.Context, svc ports.LineService, org tenant.OrgID, id int64) (ports.LineState, error) {
				return svc.Cancel(ctx, org, id)
			})),
	)
}

func statusNames() string {
	names := make([]string, len(enrollment.Statuses))
	for i, st := range enrollment.Statuses {
		names[i] = string(st)
	}
	return strings.Join(names, ", ")
}

func (s *state) withLines(c *ucli.Context, fn func(ctx context.Context, svc ports.LineService, org tenant.OrgID) error) error {
	code, err := orgCode(c)
	if err != nil {
		return err
	}
	return withService(s, c, code, func(v ports.Services) ports.LineService { return v.Lines }, "this build has no line lifecycle service",
		func(ctx context.Context, svc ports.LineService, org tenant.Organisation) error {
			return fn(ctx, svc, org.ID)
		})
}

func (s *state) lineOne(c *ucli.Context, fn func(ctx context.Context, svc ports.LineService, org tenant.OrgID, id int64) error) error {
	a, err := args(c, "CUSTOMER-ID")
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(a[0], 10, 64)
	if err != nil || id <= 0 {
		return usagef(c, "CUSTOMER-ID %q is not a positive integer", a[0])
	}
	return s.withLines(c, func(ctx context.Context, svc ports.LineService, org tenant.OrgID) error {
		return fn(ctx, svc, org, id)
	})
}

func (s *state) lineAction(do func(ctx context.Context, svc ports.LineService, org tenant.OrgID, id int64) (ports.LineState, error)) ucli.ActionFunc {
	return func(c *ucli.Context) error {
		return s.lineOne(c, func(ctx context.Context, svc ports.LineService, org tenant.OrgID, id int64) error {
			st, err := do(ctx, svc, org, id)
			if err != nil {
				return err
			}
			if c.Bool("json") {
				return writeJSON(c.App.Writer, toLineStateJSON(st))
			}
			return printf(c, "line %d is %s\n", st.CustomerID, st.Status)
		})
	}
}

func (s *state) lineList(c *ucli.Context) error {
	if _, err := args(c); err != nil {
		return err
	}
	q, err := pageQuery(c)
	if err != nil {
		return err
	}
	lq := ports.LineQuery{Query: q, Search: strings.TrimSpace(c.String("search"))}
	if v := strings.TrimSpace(c.String("status")); v != "" {
		if lq.Status, err = enrollment.ParseLineStatus(strings.ToUpper(v)); err != nil {
			return err
		}
	}
	return s.withLines(c, func(ctx context.Context, svc ports.LineService, org tenant.OrgID) error {
		fetch := func(q ports.Query) ([]ports.LineState, int, error) {
			lq.Query = q
			l, err := svc.ListLines(ctx, org, lq)
			return l, -1, err
		}
		return listPages(c, q, "lines", fetch, toLineStateJSON, lineStateHeader, lineStateRow)
	})
}

var lineStateHeader = []string{"CUSTOMER-ID", "ENROLLMENT-ID", "ACTIVATION-TYPE", "STATUS", "CARRIER", "MDN", "MSID", "SIM", "UPDATED"}

func lineStateRow(t *table, l ports.LineState) {
	t.row(fmt.Sprint(l.CustomerID), l.EnrollmentID, string(l.ActivationType), string(l.Status), l.Carrier, l.MDN, l.MSID, l.SIM, timestamp(l.UpdatedAt))
}

type lineStateJSON struct {
	CustomerID     int64             `json:"customer_id"`
	EnrollmentID   string            `json:"enrollment_id"`
	ActivationType string            `json:"activation_type"`
	Status         string            `json:"status"`
	Carrier        string            `json:"carrier,omitempty"`
	MDN            string            `json:"mdn,omitempty"`
	MSID           string            `json:"msid,omitempty"`
	SIM            string            `json:"sim,omitempty"`
	UpdatedAt      string            `json:"updated_at"`
	History        []lineHistoryJSON `json:"history,omitempty"`
}

type lineHistoryJSON struct {
	Event   string `json:"event"`
	From    string `json:"from"`
	To      string `json:"to"`
	Message string `json:"message"`
	At      string `json:"at"`
}

func toLineStateJSON(l ports.LineState) lineStateJSON {
	return lineStateJSON{CustomerID: l.CustomerID, EnrollmentID: l.EnrollmentID, ActivationType: string(l.ActivationType),
		Status: string(l.Status), Carrier: l.Carrier, MDN: l.MDN, MSID: l.MSID, SIM: l.SIM, UpdatedAt: timestamp(l.UpdatedAt)}
}
