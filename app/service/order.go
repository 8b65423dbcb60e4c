package service

import (
	"context"
	"strings"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/order"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// Orders implements ports.OrderService: the BSS /shipping and /payment
// modules. It shares the enrollment service's call checks (source, agent,
// permission) and catalogue (service area, plans, issued enrollment ids).
type Orders struct {
	store    ports.OrderStore
	enr      *Enrollment
	clock    ports.Clock
	gateway  ports.PaymentGateway
	maxLines int
}

var _ ports.OrderService = (*Orders)(nil)

// ShippingMethods implements ports.OrderService.
func (s *Orders) ShippingMethods(ctx context.Context, org tenant.OrgID, cc ports.CallContext) ([]order.ShippingMethod, error) {
	if err := s.enr.checkCall(ctx, org, cc); err != nil {
		return nil, err
	}
	return s.store.ShippingMethods(ctx, org)
}

// Quote implements ports.OrderService.
func (s *Orders) Quote(ctx context.Context, org tenant.OrgID, c ports.QuoteCall) (order.Quote, error) {
	if err := s.enr.checkCall(ctx, org, c.CallContext); err != nil {
		return order.Quote{}, err
	}
	q, err := order.ParseQuote(c.Quote, s.maxLines)
	if err != nil {
		return order.Quote{}, err
	}
	p, err := s.price(ctx, org, q)
	return p.quote, err
}

// priced is a quote with what recording its order needs besides.
type priced struct {
	quote    order.Quote
	zip      string
	settings order.Settings
}

// price looks up everything q refers to, reporting every reference that
// fails at once, and prices it with order.Price.
func (s *Orders) price(ctx context.Context, org tenant.OrgID, q order.QuoteRequest) (priced, error) {
	var vs fault.Violations
	issued, err := s.enr.store.EnrollmentIDs(ctx, org, []string{q.EnrollmentID})
	if err != nil {
		return priced{}, err
	}
	id, ok := issued[q.EnrollmentID]
	if !ok {
		vs.Add(fault.Violation{Field: order.FieldEnrollmentID, Rule: enrollment.RuleIssued, Reason: order.ReasonEnrollmentNotFound,
			Message: enrollment.MsgEnrollmentIDNotIssued})
	}
	zip := q.ZipCode
	if zip == "" {
		zip = id.Zip
	}
	// With no zip the enrollment id is unknown, which is reported already.
	var state string
	if zip != "" {
		z, err := s.enr.store.Zip(ctx, org, zip)
		switch {
		case fault.CodeOf(err) == fault.NotFound:
			vs.Add(fault.Violation{Field: order.FieldZipCode, Rule: enrollment.RuleExists, Reason: order.ReasonZipNotServed, Message: order.MsgZipNotServed})
		case err != nil:
			return priced{}, err
		default:
			state = z.State
		}
	}
	var plans []order.PricedPlan
	for _, ref := range q.Plans {
		p, err := s.enr.store.Plan(ctx, org, ref.ID)
		if err != nil && fault.CodeOf(err) != fault.NotFound {
			return priced{}, err
		}
		if err != nil || !p.Active {
			vs.Add(fault.Violation{Field: order.FieldPlanID, Rule: enrollment.RuleActive, Reason: order.ReasonPlanNotFound, Message: order.MsgPlansNotFound})
			continue
		}
		plans = append(plans, order.PricedPlan{ID: p.ID, Months: ref.Months, Price: p.Price})
	}
	var ship order.ShippingMethod
	if q.ShippingID != 0 {
		ship, err = s.store.ShippingMethod(ctx, org, q.ShippingID)
		switch {
		case fault.CodeOf(err) == fault.NotFound:
			vs.Add(fault.Violation{Field: order.FieldShippingID, Rule: enrollment.RuleExists, Reason: order.ReasonShippingNotFound,
				Message: "Shipping Id is not a shipping method of this company"})
		case err != nil:
			return priced{}, err
		}
	}
	var coupon *order.Coupon
	if q.CouponCode != "" {
		c, err := s.store.Coupon(ctx, org, q.CouponCode)
		switch {
		case fault.CodeOf(err) == fault.NotFound:
			vs.Add(order.CouponNotFound(q.CouponCode))
		case err != nil:
			return priced{}, err
		default:
			if err := c.Check(s.clock.Now()); err != nil {
				fe, _ := fault.As(err)
				vs = append(vs, fe.Violations...)
			}
			coupon = &c
		}
	}
	if err := vs.Err(); err != nil {
		return priced{}, err
	}
	settings, err := s.store.OrderSettings(ctx, org)
	if err != nil {
		return priced{}, err
	}
	fees, err := s.store.StateFees(ctx, org, state)
	switch {
	case fault.CodeOf(err) == fault.NotFound:
		fees = order.StateFees{State: state}
	case err != nil:
		return priced{}, err
	}
	quote := order.Price(order.PriceInput{Plans: plans, Lines: q.Lines, Settings: settings, Fees: fees, Shipping: ship, Coupon: coupon})
	return priced{quote: quote, zip: zip, settings: settings}, nil
}

// MakePayment implements ports.OrderService. The order of the steps is
// the point: a card is refused before anything is looked up when no
// gateway exists; an enrollment id that has an order gets it back before
// anything is priced or charged; the card is charged only once the quote
// is complete; the order and its invoice number are written in one
// transaction, which a lost race turns into the winner's order.
func (s *Orders) MakePayment(ctx context.Context, org tenant.OrgID, c ports.PaymentCall) (order.Order, error) {
	if err := s.enr.checkCall(ctx, org, c.CallContext); err != nil {
		return order.Order{}, err
	}
	if m, _ := order.ParseMethod(c.Payment.Method); m == order.CreditCard && s.gateway == nil {
		return order.Order{}, order.CardsDisabledError()
	}
	p, err := order.ParsePayment(c.Payment, s.maxLines)
	if err != nil {
		return order.Order{}, err
	}
	if o, err := s.store.OrderByEnrollmentID(ctx, org, p.Quote.EnrollmentID); err == nil {
		return o, nil
	} else if fault.CodeOf(err) != fault.NotFound {
		return order.Order{}, err
	}
	pr, err := s.price(ctx, org, p.Quote)
	if err != nil {
		return order.Order{}, err
	}
	now := s.clock.Now()
	o := order.Order{
		EnrollmentID:          p.Quote.EnrollmentID,
		Status:                order.StatusOf(p.Method),
		Method:                p.Method,
		MethodOption:          p.MethodOption,
		TransactionID:         p.TransactionID,
		ChargeID:              p.ChargeID,
		Quote:                 pr.quote,
		ZipCode:               pr.zip,
		Billing:               p.Billing,
		AgentID:               strings.TrimSpace(c.AgentID),
		Source:                strings.ToUpper(strings.TrimSpace(c.Source)),
		ExternalTransactionID: c.ExternalTransactionID,
		CreatedAt:             now,
	}
	if p.Method == order.CreditCard {
		res, err := s.gateway.Charge(ctx, ports.Charge{Org: org, Amount: pr.quote.Total, Card: p.Card, Billing: p.Billing, Reference: p.Quote.EnrollmentID})
		if err != nil {
			return order.Order{}, err
		}
		o.GatewayReference, o.CardBrand = res.Reference, res.Brand
		// Only four digits may be kept, whatever a gateway returns.
		o.CardLast4 = p.Card.Last4()
	}
	rec, _, err := s.store.CreateOrder(ctx, org, ports.NewOrder{
		Order:         o,
		InvoicePeriod: pr.settings.InvoicePeriod(now),
		InvoiceStart:  pr.settings.InvoiceStart,
	})
	return rec, err
}

// OrderForEnrollment implements ports.OrderService.
func (s *Orders) OrderForEnrollment(ctx context.Context, org tenant.OrgID, id string) (order.Order, error) {
	return s.store.OrderByEnrollmentID(ctx, org, strings.TrimSpace(id))
}

// OrderLines implements ports.OrderService.
func (s *Orders) OrderLines(ctx context.Context, org tenant.OrgID, ids []int64) (map[int64][]enrollment.LineRecord, error) {
	return s.store.OrderLines(ctx, org, ids)
}

// AddShippingMethod implements ports.OrderService.
func (s *Orders) AddShippingMethod(ctx context.Context, org tenant.OrgID, name, amount string, overnight bool) (order.ShippingMethod, error) {
	m, err := order.NewShippingMethod(name, amount, overnight)
	if err != nil {
		return order.ShippingMethod{}, err
	}
	m.CreatedAt = s.clock.Now()
	return s.store.AddShippingMethod(ctx, org, m)
}

// ListShippingMethods implements ports.OrderService.
func (s *Orders) ListShippingMethods(ctx context.Context, org tenant.OrgID) ([]order.ShippingMethod, error) {
	return s.store.ShippingMethods(ctx, org)
}

// Settings implements ports.OrderService.
func (s *Orders) Settings(ctx context.Context, org tenant.OrgID) (order.Settings, error) {
	return s.store.OrderSettings(ctx, org)
}

// ChangeSettings implements ports.OrderService.
func (s *Orders) ChangeSettings(ctx context.Context, org tenant.OrgID, c order.SettingsChange) (order.Settings, error) {
	// Validate before opening a transaction, so that bad input never
	// touches the store.
	if _, err := order.DefaultSettings().Apply(c); err != nil {
		return order.Settings{}, err
	}
	return s.store.UpdateOrderSettings(ctx, org, func(cur order.Settings) (order.Settings, error) { return cur.Apply(c) })
}

// SetStateFees implements ports.OrderService.
func (s *Orders) SetStateFees(ctx context.Context, org tenant.OrgID, state, taxRate, regulatoryRate string) (order.StateFees, error) {
	f, err := order.NewStateFees(state, taxRate, regulatoryRate)
	if err != nil {
		return order.StateFees{}, err
	}
	return f, s.store.SetStateFees(ctx, org, f)
}

// ListStateFees implements ports.OrderService.
func (s *Orders) ListStateFees(ctx context.Context, org tenant.OrgID) ([]order.StateFees, error) {
	return s.store.ListStateFees(ctx, org)
}

// AddCoupon implements ports.OrderService.
func (s *Orders) AddCoupon(ctx context.Context, org tenant.OrgID, c ports.CouponSpec) (order.Coupon, error) {
	cp, err := order.NewCoupon(c.Code, c.Percent, c.Amount, c.MaxUses, c.ExpiresAt)
	if err != nil {
		return order.Coupon{}, err
	}
	cp.CreatedAt = s.clock.Now()
	if err := s.store.AddCoupon(ctx, org, cp); err != nil {
		return order.Coupon{}, err
	}
	return cp, nil
}

// ListCoupons implements ports.OrderService.
func (s *Orders) ListCoupons(ctx context.Context, org tenant.OrgID) ([]order.Coupon, error) {
	return s.store.ListCoupons(ctx, org)
}

// Orders implements ports.OrderService.
func (s *Orders) Orders(ctx context.Context, org tenant.OrgID, q ports.Query) ([]order.Order, error) {
	if err := checkQuery(q); err != nil {
		return nil, err
	}
	return s.store.ListOrders(ctx, org, q)
}
