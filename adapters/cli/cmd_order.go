package cli

import (
	"context"
	"strconv"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/allot-io/allot/domain/order"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// withOrders is withOrg for the commands of the order and payment API.
func (s *state) withOrders(c *ucli.Context, code string, fn func(ctx context.Context, svc ports.OrderService, org tenant.Organisation) error) error {
	return withService(s, c, code, func(v ports.Services) ports.OrderService { return v.Orders },
		"this store keeps no orders", fn)
}

func (s *state) shippingCommand() *ucli.Command {
	return group("shipping", "manage the shipping methods of an organisation (get_shipping_methods)",
		leaf("add", "add a shipping method; its shipping_id is printed", "",
			[]ucli.Flag{
				dbFlag(), orgFlag(),
				stringFlag("name", "method `NAME`, e.g. \"USPS Priority\" (required)"),
				stringFlag("amount", "`AMOUNT` charged once per order, at most two decimals, e.g. 5.00 (required)"),
				&ucli.BoolFlag{Name: "overnight", Usage: "the method ships overnight (overnight_shipping_amount)", DisableDefaultText: true},
				jsonFlag(),
			},
			s.shippingAdd),
		leaf("list", "list the shipping methods", "",
			[]ucli.Flag{dbFlag(), orgFlag(), jsonFlag()},
			s.shippingList),
	)
}

type shippingMethodJSON struct {
	ShippingID int64  `json:"shipping_id"`
	Name       string `json:"name"`
	Amount     string `json:"amount"`
	Overnight  bool   `json:"overnight"`
	CreatedAt  string `json:"created_at"`
}

func toShippingJSON(m order.ShippingMethod) shippingMethodJSON {
	return shippingMethodJSON{ShippingID: m.ID, Name: m.Name, Amount: m.Amount.String(), Overnight: m.Overnight, CreatedAt: timestamp(m.CreatedAt)}
}

func (s *state) shippingAdd(c *ucli.Context) error {
	if _, err := args(c); err != nil {
		return err
	}
	v, err := required(c, "org", "name", "amount")
	if err != nil {
		return err
	}
	return s.withOrders(c, v[0], func(ctx context.Context, svc ports.OrderService, org tenant.Organisation) error {
		m, err := svc.AddShippingMethod(ctx, org.ID, v[1], v[2], c.Bool("overnight"))
		if err != nil {
			return err
		}
		if c.Bool("json") {
			return writeJSON(c.App.Writer, toShippingJSON(m))
		}
		kind := "ground"
		if m.Overnight {
			kind = "overnight"
		}
		return printf(c, "added shipping method %d (%s, %s, %s)\n", m.ID, m.Name, m.Amount, kind)
	})
}

func (s *state) shippingList(c *ucli.Context) error {
	code, err := orgOnly(c)
	if err != nil {
		return err
	}
	return s.withOrders(c, code, func(ctx context.Context, svc ports.OrderService, org tenant.Organisation) error {
		ms, err := svc.ListShippingMethods(ctx, org.ID)
		if err != nil {
			return err
		}
		return printList(c, ms, toShippingJSON, []string{"SHIPPING-ID", "NAME", "AMOUNT", "OVERNIGHT", "CREATED"}, func(t *table, m order.ShippingMethod) {
			t.row(strconv.FormatInt(m.ID, 10), m.Name, m.Amount.String(), yesNo(m.Overnight), timestamp(m.CreatedAt))
		})
	})
}

func (s *state) feesCommand() *ucli.Command {
	return group("fees", "configure what an order costs besides its plans, and its invoice numbers",
		leaf("set", "change the organisation's fees and invoice counter; flags not given keep their value", "",
			[]ucli.Flag{
				dbFlag(), orgFlag(),
				stringFlag("activation-fee", "`AMOUNT` charged per line (plan_activation_fee), e.g. 10.00"),
				stringFlag("processing-fee", "`AMOUNT` charged once per order (processingFee), e.g. 1.50"),
				stringFlag("invoice-counter", "`COUNTER`: monthly (numbers start again every month) or continuous"),
				&ucli.Int64Flag{Name: "invoice-start", Usage: "first `NUMBER` of the invoice counter (of each month, when monthly)"},
				jsonFlag(),
			},
			s.feesSet),
		leaf("state", "set a state's tax and regulatory fee, percentages of the plans after discount", "",
			[]ucli.Flag{
				dbFlag(), orgFlag(),
				stringFlag("state", "two-letter US `STATE` (required)"),
				stringFlag("tax-rate", "tax `PERCENT` (plan_tax), e.g. 6.5 (required)"),
				stringFlag("regulatory-rate", "regulatory fee `PERCENT`, e.g. 2.25 (default 0)"),
				jsonFlag(),
			},
			s.feesState),
		leaf("list", "show the fees, the invoice counter and every state's rates", "",
			[]ucli.Flag{dbFlag(), orgFlag(), jsonFlag()},
			s.feesList),
	)
}

type settingsJSON struct {
	ActivationFee  string          `json:"activation_fee"`
	ProcessingFee  string          `json:"processing_fee"`
	InvoiceCounter string          `json:"invoice_counter"`
	InvoiceStart   int64           `json:"invoice_start"`
	States         []stateFeesJSON `json:"states,omitempty"`
}

type stateFeesJSON struct {
	State          string `json:"state"`
	TaxRate        string `json:"tax_rate"`
	RegulatoryRate string `json:"regulatory_rate"`
}

func toSettingsJSON(st order.Settings) settingsJSON {
	return settingsJSON{ActivationFee: st.ActivationFee.String(), ProcessingFee: st.ProcessingFee.String(), InvoiceCounter: string(st.Counter), InvoiceStart: st.InvoiceStart}
}

func toStateFeesJSON(f order.StateFees) stateFeesJSON {
	return stateFeesJSON{State: f.State, TaxRate: f.TaxRate.String(), RegulatoryRate: f.RegulatoryRate.String()}
}

func printSettings(c *ucli.Context, st order.Settings) error {
	return printf(c, "activation fee %s per line, processing fee %s per order, invoice counter %s from %d\n",
		st.ActivationFee, st.ProcessingFee, st.Counter, st.InvoiceStart)
}

func (s *state) feesSet(c *ucli.Context) error {
	code, err := orgOnly(c)
	if err != nil {
		return err
	}
	var ch order.SettingsChange
	text := func(name string) *string {
		if !c.IsSet(name) {
			return nil
		}
		v := c.String(name)
		return &v
	}
	ch.ActivationFee, ch.ProcessingFee, ch.Counter = text("activation-fee"), text("processing-fee"), text("invoice-counter")
	if c.IsSet("invoice-start") {
		n := c.Int64("invoice-start")
		ch.InvoiceStart = &n
	}
	if ch == (order.SettingsChange{}) {
		return usagef(c, "give at least one of --activation-fee, --processing-fee, --invoice-counter, --invoice-start")
	}
	return s.withOrders(c, code, func(ctx context.Context, svc ports.OrderService, org tenant.Organisation) error {
		st, err := svc.ChangeSettings(ctx, org.ID, ch)
		if err != nil {
			return err
		}
		if c.Bool("json") {
			return writeJSON(c.App.Writer, toSettingsJSON(st))
		}
		return printSettings(c, st)
	})
}

func (s *state) feesState(c *ucli.Context) error {
	if _, err := args(c); err != nil {
		return err
	}
	v, err := required(c, "org", "state", "tax-rate")
	if err != nil {
		return err
	}
	reg := c.String("regulatory-rate")
	if strings.TrimSpace(reg) == "" {
		reg = "0"
	}
	return s.withOrders(c, v[0], func(ctx context.Context, svc ports.OrderService, org tenant.Organisation) error {
		f, err := svc.SetStateFees(ctx, org.ID, v[1], v[2], reg)
		if err != nil {
			return err
		}
		if c.Bool("json") {
			return writeJSON(c.App.Writer, toStateFeesJSON(f))
		}
		return printf(c, "state %s: tax %s%%, regulatory fee %s%%\n", f.State, f.TaxRate, f.RegulatoryRate)
	})
}

func (s *state) feesList(c *ucli.Context) error {
	code, err := orgOnly(c)
	if err != nil {
		return err
	}
	return s.withOrders(c, code, func(ctx context.Context, svc ports.OrderService, org tenant.Organisation) error {
		st, err := svc.Settings(ctx, org.ID)
		if err != nil {
			return err
		}
		fees, err := svc.ListStateFees(ctx, org.ID)
		if err != nil {
			return err
		}
		if c.Bool("json") {
			out := toSettingsJSON(st)
			out.States = mapped(fees, toStateFeesJSON)
			return writeJSON(c.App.Writer, out)
		}
		if err := printSettings(c, st); err != nil {
			return err
		}
		t := newTable(c.App.Writer, "STATE", "TAX-RATE", "REGULATORY-RATE")
		for _, f := range fees {
			t.row(f.State, f.TaxRate.String()+"%", f.RegulatoryRate.String()+"%")
		}
		return t.flush()
	})
}

func (s *state) couponCommand() *ucli.Command {
	return group("coupon", "manage the coupons clients send as coupon_code",
		leaf("add", "add a coupon: a percentage or an amount off the plans", "",
			[]ucli.Flag{
				dbFlag(), orgFlag(),
				stringFlag("code", "coupon `CODE`, letters, digits, '-', '_', '.' (required; compared in any case)"),
				stringFlag("percent", "`PERCENT` off the plans, e.g. 10"),
				stringFlag("amount", "`AMOUNT` off the plans, e.g. 5.00"),
				&ucli.Int64Flag{Name: "max-uses", Usage: "at most `N` orders may use it (default 0: no limit)"},
				stringFlag("expires", "last `DAY` it is accepted (YYYY-MM-DD, UTC), or the RFC 3339 instant it ends"),
				jsonFlag(),
			},
			s.couponAdd),
		leaf("list", "list the coupons with their uses", "",
			[]ucli.Flag{dbFlag(), orgFlag(), jsonFlag()},
			s.couponList),
	)
}

type couponJSON struct {
	Code      string `json:"code"`
	Kind      string `json:"kind"`
	Discount  string `json:"discount"`
	MaxUses   int64  `json:"max_uses"`
	Uses      int64  `json:"uses"`
	ExpiresAt string `json:"expires_at,omitempty"`
	CreatedAt string `json:"created_at"`
}

func toCouponJSON(cp order.Coupon) couponJSON {
	d := cp.Amount.String()
	if cp.Kind == order.PercentOff {
		d = cp.Percent.String()
	}
	return couponJSON{Code: cp.Code, Kind: string(cp.Kind), Discount: d, MaxUses: cp.MaxUses, Uses: cp.Uses, ExpiresAt: timestamp(cp.ExpiresAt), CreatedAt: timestamp(cp.CreatedAt)}
}

// parseExpiry reads --expires: a day means through the end of that day
// (UTC), an RFC 3339 time the instant itself.
func parseExpiry(c *ucli.Context) (time.Time, error) {
	v := strings.TrimSpace(c.String("expires"))
	if v == "" {
		return time.Time{}, nil
	}
	if d, err := time.Parse(time.DateOnly, v); err == nil {
		return d.AddDate(0, 0, 1), nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, usagef(c, "--expires must be a day (2026-12-31) or an RFC 3339 time (2026-12-31T18:00:00Z)")
}

func (s *state) couponAdd(c *ucli.Context) error {
	if _, err := args(c); err != nil {
		return err
	}
	v, err := required(c, "org", "code")
	if err != nil {
		return err
	}
	expires, err := parseExpiry(c)
	if err != nil {
		return err
	}
	spec := ports.CouponSpec{Code: v[1], Percent: c.String("percent"), Amount: c.String("amount"), MaxUses: c.Int64("max-uses"), ExpiresAt: expires}
	return s.withOrders(c, v[0], func(ctx context.Context, svc ports.OrderService, org tenant.Organisation) error {
		cp, err := svc.AddCoupon(ctx, org.ID, spec)
		if err != nil {
			return err
		}
		if c.Bool("json") {
			return writeJSON(c.App.Writer, toCouponJSON(cp))
		}
		return printf(c, "added coupon %s (%s off, max uses %s)\n", cp.Code, cp.Describe(), cp.MaxUsesText())
	})
}

func (s *state) couponList(c *ucli.Context) error {
	code, err := orgOnly(c)
	if err != nil {
		return err
	}
	return s.withOrders(c, code, func(ctx context.Context, svc ports.OrderService, org tenant.Organisation) error {
		cs, err := svc.ListCoupons(ctx, org.ID)
		if err != nil {
			return err
		}
		return printList(c, cs, toCouponJSON, []string{"CODE", "DISCOUNT", "USES", "MAX-USES", "EXPIRES"}, func(t *table, cp order.Coupon) {
			t.row(cp.Code, cp.Describe(), strconv.FormatInt(cp.Uses, 10), cp.MaxUsesText(), timestamp(cp.ExpiresAt))
		})
	})
}

func (s *state) orderCommand() *ucli.Command {
	flags := append([]ucli.Flag{dbFlag(), orgFlag()}, pageFlags()...)
	flags = append(flags, jsonFlag())
	return group("order", "inspect the orders make_payment recorded",
		leaf("list", "list orders, newest first, with their invoice numbers and amounts (never card data)", "",
			flags, s.orderList),
	)
}

type orderPlanJSON struct {
	PlanID     string `json:"plan_id"`
	NoOfMonths int64  `json:"no_of_months"`
	PlanPrice  string `json:"plan_price"`
}

type orderJSON struct {
	OrderID               int64           `json:"order_id"`
	EnrollmentID          string          `json:"enrollment_id"`
	InvoiceNumber         string          `json:"invoice_number"`
	Status                string          `json:"status"`
	PaymentMethod         string          `json:"payment_method"`
	PaymentMethodOption   string          `json:"payment_method_option,omitempty"`
	TransactionNo         string          `json:"transaction_no"`
	Plans                 []orderPlanJSON `json:"plans"`
	NoOfLines             int64           `json:"no_of_lines"`
	State                 string          `json:"state"`
	PlanAmount            string          `json:"plan_amount"`
	CouponCode            string          `json:"coupon_code,omitempty"`
	CouponDiscount        string          `json:"coupon_discount"`
	ActivationFee         string          `json:"plan_activation_fee"`
	Tax                   string          `json:"plan_tax"`
	RegulatoryFee         string          `json:"regulatory_fee"`
	ShippingID            int64           `json:"shipping_id,omitempty"`
	Shipping              string          `json:"total_shipping_amount"`
	ProcessingFee         string          `json:"processing_fee"`
	Total                 string          `json:"total_amount"`
	CardBrand             string          `json:"card_brand,omitempty"`
	CardLast4             string          `json:"card_last4,omitempty"`
	ExternalTransactionID string          `json:"external_transaction_id,omitempty"`
	CreatedAt             string          `json:"created_at"`
	// Customers are the lines created with the order.
	Customers []orderCustomerJSON `json:"customers"`
}

// orderCustomerJSON is a customer line created with an order.
type orderCustomerJSON struct {
	CustomerID   int64  `json:"customer_id"`
	EnrollmentID string `json:"enrollment_id"`
}

func toOrderJSON(o order.Order) orderJSON {
	q := o.Quote
	out := orderJSON{
		OrderID: o.ID, EnrollmentID: o.EnrollmentID, InvoiceNumber: o.InvoiceNumber, Status: string(o.Status),
		PaymentMethod: string(o.Method), PaymentMethodOption: o.MethodOption, TransactionNo: o.TransactionNo(),
		Plans: []orderPlanJSON{}, NoOfLines: q.Lines, State: q.State, PlanAmount: q.PlanAmount.String(), CouponCode: q.CouponCode,
		CouponDiscount: q.Discount.String(), ActivationFee: q.ActivationFee.String(), Tax: q.Tax.String(),
		RegulatoryFee: q.RegulatoryFee.String(), ShippingID: q.ShippingID, Shipping: q.Shipping.String(),
		ProcessingFee: q.ProcessingFee.String(), Total: q.Total.String(), CardBrand: o.CardBrand, CardLast4: o.CardLast4,
		ExternalTransactionID: o.ExternalTransactionID, CreatedAt: timestamp(o.CreatedAt),
	}
	for _, p := range q.Plans {
		out.Plans = append(out.Plans, orderPlanJSON{PlanID: p.ID, NoOfMonths: p.Months, PlanPrice: p.Price.String()})
	}
	return out
}

func (s *state) orderList(c *ucli.Context) error {
	code, err := orgOnly(c)
	if err != nil {
		return err
	}
	q, err := pageQuery(c)
	if err != nil {
		return err
	}
	return s.withOrders(c, code, func(ctx context.Context, svc ports.OrderService, org tenant.Organisation) error {
		list, err := svc.Orders(ctx, org.ID, q)
		if err != nil {
			return err
		}
		ids := make([]int64, len(list))
		for i, o := range list {
			ids[i] = o.ID
		}
		lines, err := svc.OrderLines(ctx, org.ID, ids)
		if err != nil {
			return err
		}
		toJSON := func(o order.Order) orderJSON {
			j := toOrderJSON(o)
			j.Customers = make([]orderCustomerJSON, 0, len(lines[o.ID]))
			for _, l := range lines[o.ID] {
				j.Customers = append(j.Customers, orderCustomerJSON{CustomerID: l.CustomerID, EnrollmentID: l.EnrollmentID})
			}
			return j
		}
		return printList(c, list, toJSON, []string{"ORDER-ID", "ENROLLMENT-ID", "INVOICE", "STATUS", "METHOD", "LINES", "PLANS", "TOTAL", "CREATED", "CUSTOMERS"},
			func(t *table, o order.Order) {
				var plans []string
				for _, p := range o.Quote.Plans {
					plans = append(plans, p.ID+"x"+strconv.FormatInt(p.Months, 10))
				}
				customers := make([]string, len(lines[o.ID]))
				for i, l := range lines[o.ID] {
					customers[i] = strconv.FormatInt(l.CustomerID, 10)
				}
				t.row(strconv.FormatInt(o.ID, 10), o.EnrollmentID, o.InvoiceNumber, string(o.Status), string(o.Method),
					strconv.FormatInt(o.Quote.Lines, 10), strings.Join(plans, ","), o.Quote.Total.String(), timestamp(o.CreatedAt),
					strings.Join(customers, ","))
			})
	})
}
