package bunstore

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/money"
	"github.com/allot-io/allot/domain/order"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

var _ ports.OrderStore = (*Store)(nil)

// Rows of the orders migration (20260404000001_orders). Money is whole
// cents and rates ten-thousandths of a percent, as domain/money keeps them.

type shippingMethodRow struct {
	ID          int64     `bun:"id"`
	Name        string    `bun:"name"`
	AmountCents int64     `bun:"amount_cents"`
	Overnight   bool      `bun:"overnight"`
	CreatedAt   time.Time `bun:"created_at"`
}

type orderSettingsRow struct {
	ActivationFeeCents int64  `bun:"activation_fee_cents"`
	ProcessingFeeCents int64  `bun:"processing_fee_cents"`
	InvoiceCounter     string `bun:"invoice_counter"`
	InvoiceStart       int64  `bun:"invoice_start"`
}

type stateFeesRow struct {
	State          string `bun:"state"`
	TaxRate        int64  `bun:"tax_rate"`
	RegulatoryRate int64  `bun:"regulatory_rate"`
}

type couponRow struct {
	Code        string     `bun:"code"`
	Kind        string     `bun:"kind"`
	Percent     int64      `bun:"percent"`
	AmountCents int64      `bun:"amount_cents"`
	MaxUses     int64      `bun:"max_uses"`
	Uses        int64      `bun:"uses"`
	ExpiresAt   *time.Time `bun:"expires_at"`
	CreatedAt   time.Time  `bun:"created_at"`
}

type orderRow struct {
	ID                     int64     `bun:"id"`
	EnrollmentID           string    `bun:"enrollment_id"`
	InvoiceNumber          string    `bun:"invoice_number"`
	Status                 string    `bun:"status"`
	PaymentMethod          string    `bun:"payment_method"`
	PaymentMethodOption    string    `bun:"payment_method_option"`
	TransactionID          string    `bun:"transaction_id"`
	ChargeID               string    `bun:"charge_id"`
	GatewayReference       string    `bun:"gateway_reference"`
	NoOfLines              int64     `bun:"no_of_lines"`
	ZipCode                string    `bun:"zip_code"`
	State                  string    `bun:"state"`
	ShippingID             int64     `bun:"shipping_id"`
	CouponCode             string    `bun:"coupon_code"`
	PlanAmountCents        int64     `bun:"plan_amount_cents"`
	DiscountCents          int64     `bun:"discount_cents"`
	ActivationFeeCents     int64     `bun:"activation_fee_cents"`
	TaxCents               int64     `bun:"tax_cents"`
	RegulatoryFeeCents     int64     `bun:"regulatory_fee_cents"`
	ShippingCents          int64     `bun:"shipping_cents"`
	OvernightShippingCents int64     `bun:"overnight_shipping_cents"`
	ProcessingFeeCents     int64     `bun:"processing_fee_cents"`
	TotalCents             int64     `bun:"total_cents"`
	Details                string    `bun:"details"`
	CardBrand              string    `bun:"card_brand"`
	CardLast4              string    `bun:"card_last4"`
	AgentID                string    `bun:"agent_id"`
	Source                 string    `bun:"source"`
	ExternalTransactionID  string    `bun:"external_transaction_id"`
	CreatedAt              time.Time `bun:"created_at"`
}

// orderDetails is an order's details column: what has no column of its
// own. Card data has no place here by construction.
type orderDetails struct {
	Plans   []orderPlanJSON `json:"plans"`
	Billing billingJSON     `json:"billing"`
}

type orderPlanJSON struct {
	ID         string `json:"id"`
	Months     int64  `json:"months"`
	PriceCents int64  `json:"price_cents"`
}

type billingJSON struct {
	One   string `json:"address1,omitempty"`
	Two   string `json:"address2,omitempty"`
	City  string `json:"city,omitempty"`
	State string `json:"state,omitempty"`
	Zip   string `json:"zip,omitempty"`
}

// AddShippingMethod stores m (CreatedAt from the store's clock unless m
// has one) and returns it with its id. Conflict ALREADY_EXISTS when org
// has a method of that name; NotFound ORG_NOT_FOUND when org does not
// exist.
func (s *Store) AddShippingMethod(ctx context.Context, org tenant.OrgID, m order.ShippingMethod) (order.ShippingMethod, error) {
	m.CreatedAt = s.timeOr(m.CreatedAt)
	err := s.db.NewRaw(`INSERT INTO shipping_methods (org_id, name, amount_cents, overnight, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		int64(org), m.Name, m.Amount.Cents(), m.Overnight, m.CreatedAt).Scan(ctx, &m.ID)
	if err != nil {
		return order.ShippingMethod{}, s.insertError(err, "shipping method "+m.Name)
	}
	return m, nil
}

const shippingColumns = "id, name, amount_cents, overnight, created_at"

func shippingFromRow(r shippingMethodRow) order.ShippingMethod {
	return order.ShippingMethod{ID: r.ID, Name: r.Name, Amount: money.FromCents(r.AmountCents), Overnight: r.Overnight, CreatedAt: r.CreatedAt.UTC()}
}

// ShippingMethod returns org's method with id. NotFound NOT_FOUND.
func (s *Store) ShippingMethod(ctx context.Context, org tenant.OrgID, id int64) (order.ShippingMethod, error) {
	var r shippingMethodRow
	err := s.ro.NewRaw("SELECT "+shippingColumns+" FROM shipping_methods WHERE org_id = ? AND id = ?", int64(org), id).Scan(ctx, &r)
	if errNoRows(err) {
		return order.ShippingMethod{}, notFound("shipping method")
	}
	if err != nil {
		return order.ShippingMethod{}, s.dbError(err, "get shipping method")
	}
	return shippingFromRow(r), nil
}

// ShippingMethods returns org's methods ordered by id.
func (s *Store) ShippingMethods(ctx context.Context, org tenant.OrgID) ([]order.ShippingMethod, error) {
	var rows []shippingMethodRow
	err := s.ro.NewRaw("SELECT "+shippingColumns+" FROM shipping_methods WHERE org_id = ? ORDER BY id", int64(org)).Scan(ctx, &rows)
	if err != nil && !errNoRows(err) {
		return nil, s.dbError(err, "list shipping methods")
	}
	out := make([]order.ShippingMethod, len(rows))
	for i, r := range rows {
		out[i] = shippingFromRow(r)
	}
	return out, nil
}

const settingsColumns = "activation_fee_cents, processing_fee_cents, invoice_counter, invoice_start"

func orderSettings(ctx context.Context, db bun.IDB, org tenant.OrgID) (order.Settings, error) {
	var r orderSettingsRow
	err := db.NewRaw("SELECT "+settingsColumns+" FROM order_settings WHERE org_id = ?", int64(org)).Scan(ctx, &r)
	if errNoRows(err) {
		return order.DefaultSettings(), nil
	}
	if err != nil {
		return order.Settings{}, err
	}
	return order.Settings{
		ActivationFee: money.FromCents(r.ActivationFeeCents),
		ProcessingFee: money.FromCents(r.ProcessingFeeCents),
		Counter:       order.Counter(r.InvoiceCounter),
		InvoiceStart:  r.InvoiceStart,
	}, nil
}

// OrderSettings returns org's settings, order.DefaultSettings when it
// stored none.
func (s *Store) OrderSettings(ctx context.Context, org tenant.OrgID) (order.Settings, error) {
	st, err := orderSettings(ctx, s.ro, org)
	if err != nil {
		return order.Settings{}, s.dbError(err, "get order settings")
	}
	return st, nil
}

// UpdateOrderSettings applies fn to org's settings and stores the result
// in one transaction. NotFound ORG_NOT_FOUND when org does not exist.
func (s *Store) UpdateOrderSettings(ctx context.Context, org tenant.OrgID, fn func(order.Settings) (order.Settings, error)) (order.Settings, error) {
	var out order.Settings
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if lock := s.lockClause(); lock != "" {
			// Serialise read-modify-write per organisation.
			if _, err := tx.NewRaw("SELECT id FROM organisations WHERE id = ?"+lock, int64(org)).Exec(ctx); err != nil {
				return err
			}
		}
		cur, err := orderSettings(ctx, tx, org)
		if err != nil {
			return err
		}
		if out, err = fn(cur); err != nil {
			return err
		}
		_, err = tx.NewRaw(`INSERT INTO order_settings (org_id, `+settingsColumns+`) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (org_id) DO UPDATE SET activation_fee_cents = EXCLUDED.activation_fee_cents,
			processing_fee_cents = EXCLUDED.processing_fee_cents, invoice_counter = EXCLUDED.invoice_counter,
			invoice_start = EXCLUDED.invoice_start`,
			int64(org), out.ActivationFee.Cents(), out.ProcessingFee.Cents(), string(out.Counter), out.InvoiceStart).Exec(ctx)
		return err
	})
	if classify(err) == kindForeignKey {
		return order.Settings{}, orgNotFound()
	}
	if err != nil {
		return order.Settings{}, s.dbError(err, "update order settings")
	}
	return out, nil
}

// SetStateFees stores f, replacing the state's earlier fees. NotFound
// ORG_NOT_FOUND when org does not exist.
func (s *Store) SetStateFees(ctx context.Context, org tenant.OrgID, f order.StateFees) error {
	_, err := s.db.NewRaw(`INSERT INTO state_fees (org_id, state, tax_rate, regulatory_rate) VALUES (?, ?, ?, ?)
		ON CONFLICT (org_id, state) DO UPDATE SET tax_rate = EXCLUDED.tax_rate, regulatory_rate = EXCLUDED.regulatory_rate`,
		int64(org), f.State, int64(f.TaxRate), int64(f.RegulatoryRate)).Exec(ctx)
	if classify(err) == kindForeignKey {
		return orgNotFound()
	}
	return s.dbError(err, "set state fees")
}

func stateFeesFromRow(r stateFeesRow) order.StateFees {
	return order.StateFees{State: r.State, TaxRate: money.Rate(r.TaxRate), RegulatoryRate: money.Rate(r.RegulatoryRate)}
}

// StateFees returns the fees of state. NotFound NOT_FOUND.
func (s *Store) StateFees(ctx context.Context, org tenant.OrgID, state string) (order.StateFees, error) {
	var r stateFeesRow
	err := s.ro.NewRaw("SELECT state, tax_rate, regulatory_rate FROM state_fees WHERE org_id = ? AND state = ?",
		int64(org), strings.ToUpper(state)).Scan(ctx, &r)
	if errNoRows(err) {
		return order.StateFees{}, notFound("fees of state " + state)
	}
	if err != nil {
		return order.StateFees{}, s.dbError(err, "get state fees")
	}
	return stateFeesFromRow(r), nil
}

// ListStateFees returns org's fees ordered by state.
func (s *Store) ListStateFees(ctx context.Context, org tenant.OrgID) ([]order.StateFees, error) {
	var rows []stateFeesRow
	err := s.ro.NewRaw("SELECT state, tax_rate, regulatory_rate FROM state_fees WHERE org_id = ? ORDER BY state", int64(org)).Scan(ctx, &rows)
	if err != nil && !errNoRows(err) {
		return nil, s.dbError(err, "list state fees")
	}
	out := make([]order.StateFees, len(rows))
	for i, r := range rows {
		out[i] = stateFeesFromRow(r)
	}
	return out, nil
}

// AddCoupon stores c, upper-cased, with no uses. Conflict ALREADY_EXISTS
// when the code is taken.
func (s *Store) AddCoupon(ctx context.Context, org tenant.OrgID, c order.Coupon) error {
	var expires *time.Time
	if !c.ExpiresAt.IsZero() {
		t := dbTime(c.ExpiresAt)
		expires = &t
	}
	code := order.NormaliseCouponCode(c.Code)
	_, err := s.db.NewRaw(`INSERT INTO coupons (org_id, code, kind, percent, amount_cents, max_uses, uses, expires_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)`,
		int64(org), code, string(c.Kind), int64(c.Percent), c.Amount.Cents(), c.MaxUses, expires, s.timeOr(c.CreatedAt)).Exec(ctx)
	return s.insertError(err, "coupon "+code)
}

const couponColumns = "code, kind, percent, amount_cents, max_uses, uses, expires_at, created_at"

func couponFromRow(r couponRow) order.Coupon {
	c := order.Coupon{Code: r.Code, Kind: order.CouponKind(r.Kind), Percent: money.Rate(r.Percent), Amount: money.FromCents(r.AmountCents),
		MaxUses: r.MaxUses, Uses: r.Uses, CreatedAt: r.CreatedAt.UTC()}
	if r.ExpiresAt != nil {
		c.ExpiresAt = r.ExpiresAt.UTC()
	}
	return c
}

// Coupon returns the coupon with code, in any case. NotFound NOT_FOUND.
func (s *Store) Coupon(ctx context.Context, org tenant.OrgID, code string) (order.Coupon, error) {
	var r couponRow
	err := s.ro.NewRaw("SELECT "+couponColumns+" FROM coupons WHERE org_id = ? AND code = ?", int64(org), order.NormaliseCouponCode(code)).Scan(ctx, &r)
	if errNoRows(err) {
		return order.Coupon{}, notFound("coupon")
	}
	if err != nil {
		return order.Coupon{}, s.dbError(err, "get coupon")
	}
	return couponFromRow(r), nil
}

// ListCoupons returns org's coupons ordered by code.
func (s *Store) ListCoupons(ctx context.Context, org tenant.OrgID) ([]order.Coupon, error) {
	var rows []couponRow
	err := s.ro.NewRaw("SELECT "+couponColumns+" FROM coupons WHERE org_id = ? ORDER BY code", int64(org)).Scan(ctx, &rows)
	if err != nil && !errNoRows(err) {
		return nil, s.dbError(err, "list coupons")
	}
	out := make([]order.Coupon, len(rows))
	for i, r := range rows {
		out[i] = couponFromRow(r)
	}
	return out, nil
}

const orderColumns = `id, enrollment_id, invoice_number, status, payment_method, payment_method_option, transaction_id,
	charge_id, gateway_reference, no_of_lines, zip_code, state, shipping_id, coupon_code, plan_amount_cents,
	discount_cents, activation_fee_cents, tax_cents, regulatory_fee_cents, shipping_cents, overnight_shipping_cents,
	processing_fee_cents, total_cents, details, card_brand, card_last4, agent_id, source, external_transaction_id, created_at`

func orderFromRow(r orderRow) (order.Order, error) {
	var d orderDetails
	if err := json.Unmarshal([]byte(r.Details), &d); err != nil {
		return order.Order{}, err
	}
	q := order.Quote{
		Lines:             r.NoOfLines,
		PlanAmount:        money.FromCents(r.PlanAmountCents),
		Discount:          money.FromCents(r.DiscountCents),
		ActivationFee:     money.FromCents(r.ActivationFeeCents),
		Tax:               money.FromCents(r.TaxCents),
		RegulatoryFee:     money.FromCents(r.RegulatoryFeeCents),
		Shipping:          money.FromCents(r.ShippingCents),
		OvernightShipping: money.FromCents(r.OvernightShippingCents),
		ProcessingFee:     money.FromCents(r.ProcessingFeeCents),
		Total:             money.FromCents(r.TotalCents),
		ShippingID:        r.ShippingID,
		CouponCode:        r.CouponCode,
		State:             r.State,
	}
	for _, p := range d.Plans {
		q.Plans = append(q.Plans, order.PricedPlan{ID: p.ID, Months: p.Months, Price: money.FromCents(p.PriceCents)})
	}
	return order.Order{
		ID:                    r.ID,
		EnrollmentID:          r.EnrollmentID,
		InvoiceNumber:         r.InvoiceNumber,
		Status:                order.Status(r.Status),
		Method:                order.Method(r.PaymentMethod),
		MethodOption:          r.PaymentMethodOption,
		TransactionID:         r.TransactionID,
		ChargeID:              r.ChargeID,
		GatewayReference:      r.GatewayReference,
		Quote:                 q,
		ZipCode:               r.ZipCode,
		Billing:               enrollment.Address{One: d.Billing.One, Two: d.Billing.Two, City: d.Billing.City, State: d.Billing.State, Zip: d.Billing.Zip},
		CardBrand:             r.CardBrand,
		CardLast4:             r.CardLast4,
		AgentID:               r.AgentID,
		Source:                r.Source,
		ExternalTransactionID: r.ExternalTransactionID,
		CreatedAt:             r.CreatedAt.UTC(),
	}, nil
}

func detailsOfOrder(o order.Order) (string, error) {
	d := orderDetails{Plans: []orderPlanJSON{}, Billing: billingJSON{One: o.Billing.One, Two: o.Billing.Two, City: o.Billing.City, State: o.Billing.State, Zip: o.Billing.Zip}}
	for _, p := range o.Quote.Plans {
		d.Plans = append(d.Plans, orderPlanJSON{ID: p.ID, Months: p.Months, PriceCents: p.Price.Cents()})
	}
	b, err := json.Marshal(d)
	return string(b), err
}

// queryOrders reads the orders that where (with args) selects.
func queryOrders(ctx context.Context, db bun.IDB, where string, args ...any) ([]order.Order, error) {
	var rows []orderRow
	if err := db.NewRaw("SELECT "+orderColumns+" FROM orders WHERE "+where, args...).Scan(ctx, &rows); err != nil && !errNoRows(err) {
		return nil, err
	}
	out := make([]order.Order, len(rows))
	for i, r := range rows {
		o, err := orderFromRow(r)
		if err != nil {
			return nil, err
		}
		out[i] = o
	}
	return out, nil
}

// errNoOrder is what oneOrder returns when no order matches.
var errNoOrder = errors.New("no such order")

func oneOrder(ctx context.Context, db bun.IDB, where string, args ...any) (order.Order, error) {
	os, err := queryOrders(ctx, db, where, args...)
	if err != nil {
		return order.Order{}, err
	}
	if len(os) == 0 {
		return order.Order{}, errNoOrder
	}
	return os[0], nil
}

func (s *Store) orderResult(o order.Order, err error, thing string) (order.Order, error) {
	if errors.Is(err, errNoOrder) {
		return order.Order{}, notFound(thing)
	}
	if err != nil {
		return order.Order{}, s.dbError(err, "get order")
	}
	return o, nil
}

// OrderByEnrollmentID returns the order of enrollment id id (any case).
// NotFound NOT_FOUND.
func (s *Store) OrderByEnrollmentID(ctx context.Context, org tenant.OrgID, id string) (order.Order, error) {
	up := enrollment.EnrollmentIDKey(id)
	o, err := oneOrder(ctx, s.db, "org_id = ? AND enrollment_id = ?", int64(org), up)
	return s.orderResult(o, err, "order of enrollment id "+up)
}

// OrderByID returns org's order with id. NotFound NOT_FOUND.
func (s *Store) OrderByID(ctx context.Context, org tenant.OrgID, id int64) (order.Order, error) {
	o, err := oneOrder(ctx, s.db, "org_id = ? AND id = ?", int64(org), id)
	return s.orderResult(o, err, "order")
}

// ListOrders returns org's orders newest first, paged by q.
func (s *Store) ListOrders(ctx context.Context, org tenant.OrgID, q ports.Query) ([]order.Order, error) {
	limit, offset := page(q)
	out, err := queryOrders(ctx, s.ro, "org_id = ? ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?", int64(org), limit, offset)
	if err != nil {
		return nil, s.dbError(err, "list orders")
	}
	return out, nil
}

// OrderLines returns the lines of org created with the orders ids, keyed
// by order id, in customer id order; see ports.OrderStore.
func (s *Store) OrderLines(ctx context.Context, org tenant.OrgID, ids []int64) (map[int64][]enrollment.LineRecord, error) {
	out := map[int64][]enrollment.LineRecord{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []lineRow
	err := s.ro.NewRaw("SELECT "+lineColumns+" FROM lines WHERE org_id = ? AND order_id IN (?) ORDER BY customer_id",
		int64(org), bun.List(ids)).Scan(ctx, &rows)
	if err != nil && !errNoRows(err) {
		return nil, s.dbError(err, "list order lines")
	}
	for _, r := range rows {
		l := lineFromRow(r)
		out[l.OrderID] = append(out[l.OrderID], l)
	}
	return out, nil
}

// ReasonInvoiceNumberTaken is the reason CreateOrder gives when the drawn
// invoice number is already an order's: the organisation changed its
// counter or start so that it meets numbers issued before.
const ReasonInvoiceNumberTaken = "INVOICE_NUMBER_TAKEN"

// CreateOrder records no.Order unless its enrollment id has an order; see
// ports.OrderStore. The order's unique (org_id, enrollment_id) decides a
// race: the loser's transaction, invoice draw and coupon use included, is
// rolled back, and it returns the winner's order.
func (s *Store) CreateOrder(ctx context.Context, org tenant.OrgID, no ports.NewOrder) (order.Order, bool, error) {
	o := no.Order
	o.EnrollmentID = enrollment.EnrollmentIDKey(o.EnrollmentID)
	o.CreatedAt = s.timeOr(o.CreatedAt)
	o.Quote.CouponCode = order.NormaliseCouponCode(o.Quote.CouponCode)
	details, err := detailsOfOrder(o)
	if err != nil {
		return order.Order{}, false, fault.Wrap(err, "encode order details")
	}
	start := max(no.InvoiceStart, 1)
	var out order.Order
	var created bool
	// Concurrent orders of one enrollment meet on its coupon, its invoice
	// series (which the first may be opening) and its order row; should
	// PostgreSQL break a deadlock among them, the retry finds the winner's
	// order.
	err = s.inTxRetrying(ctx, func(ctx context.Context, tx bun.Tx) error {
		created = false
		existing, err := oneOrder(ctx, tx, "org_id = ? AND enrollment_id = ?", int64(org), o.EnrollmentID)
		if err == nil {
			out = existing
			return nil
		}
		if !errors.Is(err, errNoOrder) {
			return err
		}
		var issued int
		if err := tx.NewRaw("SELECT count(*) FROM enrollment_ids WHERE org_id = ? AND id = ?", int64(org), o.EnrollmentID).Scan(ctx, &issued); err != nil {
			return err
		}
		if issued == 0 {
			return fault.Errorf(fault.NotFound, order.ReasonEnrollmentNotFound, "Enrollment Id %s was not issued by check_service_availability", o.EnrollmentID)
		}
		if code := o.Quote.CouponCode; code != "" {
			res, err := tx.NewRaw("UPDATE coupons SET uses = uses + 1 WHERE org_id = ? AND code = ? AND (max_uses = 0 OR uses < max_uses)",
				int64(org), code).Exec(ctx)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 0 {
				return order.CouponUsedUp(code)
			}
		}
		last, err := s.drawInvoice(ctx, tx, org, no.InvoicePeriod, start, order.InvoiceActor(o.EnrollmentID))
		if err != nil {
			return err
		}
		o.InvoiceNumber = order.InvoiceNumber(o.CreatedAt, last)
		q := o.Quote
		err = tx.NewRaw(`INSERT INTO orders (org_id, enrollment_id, invoice_number, status, payment_method, payment_method_option,
			transaction_id, charge_id, gateway_reference, no_of_lines, zip_code, state, shipping_id, coupon_code,
			plan_amount_cents, discount_cents, activation_fee_cents, tax_cents, regulatory_fee_cents, shipping_cents,
			overnight_shipping_cents, processing_fee_cents, total_cents, details, card_brand, card_last4, agent_id, source,
			external_transaction_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			int64(org), o.EnrollmentID, o.InvoiceNumber, string(o.Status), string(o.Method), o.MethodOption,
			o.TransactionID, o.ChargeID, o.GatewayReference, q.Lines, o.ZipCode, q.State, q.ShippingID, q.CouponCode,
			q.PlanAmount.Cents(), q.Discount.Cents(), q.ActivationFee.Cents(), q.Tax.Cents(), q.RegulatoryFee.Cents(), q.Shipping.Cents(),
			q.OvernightShipping.Cents(), q.ProcessingFee.Cents(), q.Total.Cents(), details, o.CardBrand, o.CardLast4, o.AgentID, o.Source,
			o.ExternalTransactionID, o.CreatedAt).Scan(ctx, &o.ID)
		if err != nil {
			return err
		}
		out, created = o, true
		return nil
	})
	if classify(err) == kindUnique {
		// Another call created the enrollment id's order first, or the
		// counter met an invoice number issued before; the transaction
		// (on PostgreSQL it can run nothing more) is over, so read which.
		existing, rerr := s.OrderByEnrollmentID(ctx, org, o.EnrollmentID)
		switch {
		case rerr == nil:
			return existing, false, nil
		case fault.CodeOf(rerr) == fault.NotFound:
			return order.Order{}, false, fault.Errorf(fault.Conflict, ReasonInvoiceNumberTaken,
				"invoice number %s is already taken; set a higher invoice start (allot fees set --invoice-start)", o.InvoiceNumber)
		default:
			return order.Order{}, false, rerr
		}
	}
	if err != nil {
		return order.Order{}, false, s.dbError(err, "create order")
	}
	return out, created, nil
}

// drawInvoice draws the next counter of org's invoice series for period
// in tx, the order's transaction: the draw of every other series
// (drawInTx), so that it is atomic, never repeats a number across
// processes and is undone by the order's rollback. When the period has no
// series with numbers left (its first order, or the counter ran past the
// last series' end) it opens the next one (openInvoiceSeries) in the same
// transaction, from start for a new period.
func (s *Store) drawInvoice(ctx context.Context, tx bun.Tx, org tenant.OrgID, period string, start int64, actor series.Actor) (int64, error) {
	q := ports.DrawQuery{Owner: order.InvoiceOwner(), ItemCode: order.InvoiceItem(period), Count: 1, Actor: actor}
	for attempt := 1; ; attempt++ {
		drawn, err := s.drawInTx(ctx, tx, org, q)
		if err == nil {
			return order.InvoiceCounter(period, drawn[0].Range.First())
		}
		if fault.ReasonOf(err) != series.ReasonExhausted {
			return 0, err
		}
		if err := s.openInvoiceSeries(ctx, tx, org, period, start, attempt == maxInvoiceOpens); err != nil {
			return 0, err
		}
	}
}

// maxInvoiceOpens bounds the series one invoice draw opens: a second is
// needed only when a concurrent order opened the same one first.
const maxInvoiceOpens = 3

// openInvoiceSeries allots org's next invoice series of period to its
// invoice hub (order.InvoiceRange): from start when the period has none,
// else from the counter after the last series' end. On PostgreSQL two
// orders can open the same series at once; the exclusion constraint makes
// the second wait for the first and then refuse it, which a savepoint
// confines to this insert, and the draw that follows finds the first's
// series. last says this is the draw's last try: an overlap then is a
// series of the operator's in the way, reported as such.
func (s *Store) openInvoiceSeries(ctx context.Context, tx bun.Tx, org tenant.OrgID, period string, start int64, last bool) error {
	owner, item := order.InvoiceOwner(), order.InvoiceItem(period)
	var prev []struct {
		Prefix     string `bun:"prefix"`
		LastDigits string `bun:"last_digits"`
	}
	err := tx.NewRaw(`SELECT prefix, last_digits FROM series
		WHERE org_id = ? AND owner_kind = ? AND owner_code = ? AND item_code = ? AND deleted_at IS NULL
		ORDER BY width DESC, last_digits DESC LIMIT 1`, int64(org), string(owner.Kind), owner.Code, item).Scan(ctx, &prev)
	if err != nil && !errNoRows(err) {
		return err
	}
	next := start
	if len(prev) == 1 {
		n, err := series.ParseNumber(prev[0].Prefix + prev[0].LastDigits)
		if err != nil {
			return err
		}
		c, err := order.InvoiceCounter(period, n)
		if err != nil {
			return err
		}
		next = c + 1
	}
	rng, err := order.InvoiceRange(period, next)
	if err != nil {
		return err
	}
	size, _ := rng.Count().Uint64()
	if _, err := tx.ExecContext(ctx, "SAVEPOINT invoice_series"); err != nil {
		return err
	}
	var id int64
	err = tx.NewRaw(insertSeriesSQL, int64(org), rng.Prefix(), rng.Width(), rng.First().Digits(), rng.Last().Digits(), int64(size), 0,
		string(owner.Kind), owner.Code, string(series.Virtual), item, "", s.now(), string(series.NoCheck)).Scan(ctx, &id)
	if classify(err) == kindOverlap {
		if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT invoice_series"); rerr != nil {
			return rerr
		}
		if last {
			return fault.Errorf(fault.Conflict, series.ReasonOverlap,
				"the invoice series %s overlaps another series of the organisation; delete that series or allot the invoice hub %s a series of item code %s",
				rng, owner.Code, item)
		}
		return nil
	}
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, "RELEASE SAVEPOINT invoice_series")
	return err
}
