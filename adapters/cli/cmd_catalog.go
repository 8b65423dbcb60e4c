package cli

import (
	"context"
	"strconv"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// planFlag is a `plan add` flag and the vendor's plan field it sets.
type planFlag struct {
	flag, field, usage string
	// yes is set for a boolean flag: present means the field is Y.
	yes bool
}

// planAddFlags are the common plan fields `plan add` takes as flags; the
// rest come from `plan import`. --id, --name and --price are required.
var planAddFlags = []planFlag{
	{flag: "id", field: "plan_id", usage: "numeric plan `ID`, e.g. 1828 (required)"},
	{flag: "name", field: "plan_name", usage: "plan `NAME` (required)"},
	{flag: "price", field: "plan_price", usage: "`PRICE` with at most two decimals, e.g. 25.00 (required)"},
	{flag: "total-price", field: "total_plan_price", usage: "`PRICE` the customer pays, taxes and fees included (default: --price)"},
	{flag: "code", field: "plan_code", usage: "plan `CODE`"},
	{flag: "description", field: "plan_description", usage: "plan `TEXT`"},
	{flag: "display-name", field: "display_name", usage: "`NAME` a storefront shows"},
	{flag: "data", field: "data", usage: "data allowance in `MB`"},
	{flag: "talk", field: "talk", usage: "talk allowance in `MINUTES`"},
	{flag: "text", field: "text", usage: "text allowance in `MESSAGES`"},
	{flag: "data-unlimited", field: "data_unlimited", usage: "unlimited data", yes: true},
	{flag: "talk-unlimited", field: "minute_unlimited", usage: "unlimited minutes", yes: true},
	{flag: "text-unlimited", field: "text_unlimited", usage: "unlimited texts", yes: true},
	{flag: "unlimited", field: "is_unlimited_plan", usage: "an unlimited plan", yes: true},
	{flag: "billing", field: "is_prepaid_postpaid", usage: "`BILLING`: PREPAID (default) or POSTPAID"},
	{flag: "enrollment-type", field: "enrollment_type", usage: "`PROGRAM`: NON_LIFELINE (default) or LIFELINE"},
	{flag: "family", field: "is_familyplan", usage: "a family (multi-line) plan", yes: true},
	{flag: "max-lines", field: "max_lines", usage: "most `LINES` on a family plan (0: the organisation's limit)"},
	{flag: "additional-line-price", field: "additional_line_price", usage: "`PRICE` of each family line after the first"},
	{flag: "activation-fee", field: "activation_fee", usage: "`FEE` charged once per line"},
	{flag: "expiry-days", field: "plan_expiry_days", usage: "`DAYS` the plan lasts (default 30)"},
	{flag: "expiry-type", field: "plan_expiry_type", usage: "expiry `TYPE` (default DAYS)"},
	{flag: "tax-included", field: "is_tax_included", usage: "the price includes taxes", yes: true},
	{flag: "regulatory-fee", field: "is_regulatory_fee_applicable", usage: "regulatory fees apply", yes: true},
}

func (s *state) planCommand() *ucli.Command {
	flags := []ucli.Flag{dbFlag(), orgFlag()}
	for _, f := range planAddFlags {
		if f.yes {
			flags = append(flags, &ucli.BoolFlag{Name: f.flag, Usage: f.usage + " (" + f.field + " Y)", DisableDefaultText: true})
			continue
		}
		flags = append(flags, stringFlag(f.flag, f.usage+" ("+f.field+")"))
	}
	flags = append(flags,
		&ucli.StringSliceFlag{Name: "carrier", Usage: "carrier `CODE` the plan runs on; repeat or separate with commas (carrier)"},
		jsonFlag())
	return group("plan", "manage the prepaid plans of an organisation (plan_list)",
		leaf("add", "add an active plan", "", flags, s.planAdd),
		leaf("import", "add or replace every plan of a JSON or CSV file keyed by the vendor's field names (all or none)", "FILE",
			[]ucli.Flag{dbFlag(), orgFlag(), jsonFlag()}, s.planImport),
		leaf("list", "list the plans of an organisation, active or not", "",
			[]ucli.Flag{dbFlag(), orgFlag(), jsonFlag()},
			s.planList),
	)
}

func (s *state) planAdd(c *ucli.Context) error {
	if _, err := args(c); err != nil {
		return err
	}
	v, err := required(c, "org", "id", "name", "price")
	if err != nil {
		return err
	}
	values := map[string]enrollment.PlanValue{}
	for _, f := range planAddFlags {
		switch {
		case !c.IsSet(f.flag):
		case f.yes:
			if c.Bool(f.flag) {
				values[f.field] = enrollment.PlanValue{Text: "Y"}
			}
		default:
			values[f.field] = enrollment.PlanValue{Text: c.String(f.flag)}
		}
	}
	if c.IsSet("carrier") {
		var list []string
		for _, x := range c.StringSlice("carrier") {
			list = append(list, strings.Split(x, ",")...)
		}
		values["carrier"] = enrollment.PlanValue{IsList: true, List: list}
	}
	return s.withEnrollment(c, v[0], func(ctx context.Context, svc ports.EnrollmentService, org tenant.Organisation) error {
		p, err := svc.AddPlan(ctx, org.ID, values)
		if err != nil {
			return err
		}
		if c.Bool("json") {
			return writeJSON(c.App.Writer, toPlanJSON(p))
		}
		return printf(c, "added plan %s (%s, %s)\n", p.ID, p.Name, p.Price)
	})
}

// planImportJSON is what `plan import --json` prints.
type planImportJSON struct {
	Added   int `json:"added"`
	Updated int `json:"updated"`
}

func (s *state) planImport(c *ucli.Context) error {
	a, err := args(c, "FILE")
	if err != nil {
		return err
	}
	code, err := orgCode(c)
	if err != nil {
		return err
	}
	rows, err := readPlanFile(a[0])
	if err != nil {
		return plainViolations(err)
	}
	return s.withEnrollment(c, code, func(ctx context.Context, svc ports.EnrollmentService, org tenant.Organisation) error {
		saved, err := svc.ImportPlans(ctx, org.ID, rows)
		if err != nil {
			return plainViolations(err)
		}
		if c.Bool("json") {
			return writeJSON(c.App.Writer, planImportJSON{Added: saved.Added, Updated: saved.Updated})
		}
		return printf(c, "imported %d %s: %d added, %d updated\n", saved.Added+saved.Updated,
			plural(saved.Added+saved.Updated, "plan", "plans"), saved.Added, saved.Updated)
	})
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (s *state) planList(c *ucli.Context) error {
	code, err := orgOnly(c)
	if err != nil {
		return err
	}
	return s.withEnrollment(c, code, func(ctx context.Context, svc ports.EnrollmentService, org tenant.Organisation) error {
		plans, err := svc.Plans(ctx, org.ID)
		if err != nil {
			return err
		}
		return printList(c, plans, toPlanJSON,
			[]string{"ID", "NAME", "PRICE", "TOTAL", "CARRIERS", "DATA", "TALK", "TEXT", "FAMILY", "EXPIRY", "ACTIVE", "CREATED"},
			func(t *table, p enrollment.Plan) {
				t.row(p.ID, p.Name, p.Price.String(), p.TotalPrice.String(), dash(strings.Join(p.Carriers, ",")),
					allowance(p.Data, "MB"), allowance(p.Talk, "min"), allowance(p.Text, "msg"), yesNo(p.Family),
					planExpiry(p), yesNo(p.Active), timestamp(p.CreatedAt))
			})
	})
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func allowance(a enrollment.Allowance, unit string) string {
	if a.Unlimited {
		return "unlimited"
	}
	return strings.TrimSpace(strconv.FormatInt(a.Amount, 10) + " " + unit)
}

func planExpiry(p enrollment.Plan) string {
	return strconv.FormatInt(p.ExpiryDays, 10) + " " + strings.ToLower(p.ExpiryType)
}

func (s *state) carrierCommand() *ucli.Command {
	return group("carrier", "manage the carrier codes of an organisation (a line's carrier must be one)",
		leaf("add", "add a carrier code (2 to 32 letters and digits)", "CODE",
			[]ucli.Flag{dbFlag(), orgFlag(), stringFlag("name", "carrier `NAME`"), jsonFlag()},
			s.carrierAdd),
		leaf("list", "list the carrier codes of an organisation", "",
			[]ucli.Flag{dbFlag(), orgFlag(), jsonFlag()},
			s.carrierList),
		s.carrierSecretLeaf(),
	)
}

func (s *state) carrierAdd(c *ucli.Context) error {
	a, err := args(c, "CODE")
	if err != nil {
		return err
	}
	code, err := orgCode(c)
	if err != nil {
		return err
	}
	return s.withEnrollment(c, code, func(ctx context.Context, svc ports.EnrollmentService, org tenant.Organisation) error {
		cr, err := svc.AddCarrier(ctx, org.ID, a[0], c.String("name"))
		if err != nil {
			return err
		}
		if c.Bool("json") {
			return writeJSON(c.App.Writer, toCarrierJSON(cr))
		}
		return printf(c, "added carrier %s\n", cr.Code)
	})
}

func (s *state) carrierList(c *ucli.Context) error {
	code, err := orgOnly(c)
	if err != nil {
		return err
	}
	return s.withEnrollment(c, code, func(ctx context.Context, svc ports.EnrollmentService, org tenant.Organisation) error {
		cs, err := svc.Carriers(ctx, org.ID)
		if err != nil {
			return err
		}
		return printList(c, cs, toCarrierJSON, []string{"CODE", "NAME", "CREATED"}, func(t *table, cr enrollment.Carrier) {
			t.row(cr.Code, dash(cr.Name), timestamp(cr.CreatedAt))
		})
	})
}
