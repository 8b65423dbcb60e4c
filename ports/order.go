package ports

import (
	"context"
	"time"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/money"
	"github.com/allot-io/allot/domain/order"
	"github.com/allot-io/allot/domain/tenant"
)

// NewOrder is a priced, validated payment ready to record. The store
// draws the invoice number from the organisation's invoice series of
// InvoicePeriod (order.InvoiceItem; a new period's series starts at
// InvoiceStart) in the transaction that inserts the order, and renders it
// with order.InvoiceNumber at Order.CreatedAt.
type NewOrder struct {
	// Order holds every field but ID and InvoiceNumber.
	Order         order.Order
	InvoicePeriod string
	InvoiceStart  int64
}

// OrderStore stores an organisation's shipping methods, order settings,
// fees per state, coupons, invoice counters and orders. It is apart from
// Store, as the use case that needs it is; the bun store implements both.
type OrderStore interface {
	// AddShippingMethod stores m and returns it with its ID. Conflict
	// ALREADY_EXISTS when the organisation has a method of that name;
	// NotFound ORG_NOT_FOUND when org does not exist.
	AddShippingMethod(ctx context.Context, org tenant.OrgID, m order.ShippingMethod) (order.ShippingMethod, error)
	// ShippingMethod returns the method with id. NotFound NOT_FOUND when
	// org has none with id.
	ShippingMethod(ctx context.Context, org tenant.OrgID, id int64) (order.ShippingMethod, error)
	// ShippingMethods returns the methods ordered by id.
	ShippingMethods(ctx context.Context, org tenant.OrgID) ([]order.ShippingMethod, error)

	// OrderSettings returns the organisation's settings, or
	// order.DefaultSettings when it stored none.
	OrderSettings(ctx context.Context, org tenant.OrgID) (order.Settings, error)
	// UpdateOrderSettings reads the settings, applies fn and stores the
	// result, atomically; an error of fn is returned and nothing is
	// stored. NotFound ORG_NOT_FOUND when org does not exist.
	UpdateOrderSettings(ctx context.Context, org tenant.OrgID, fn func(order.Settings) (order.Settings, error)) (order.Settings, error)

	// SetStateFees stores f, replacing the state's earlier fees.
	SetStateFees(ctx context.Context, org tenant.OrgID, f order.StateFees) error
	// StateFees returns the fees of state. NotFound NOT_FOUND when none.
	StateFees(ctx context.Context, org tenant.OrgID, state string) (order.StateFees, error)
	// ListStateFees returns every state's fees ordered by state.
	ListStateFees(ctx context.Context, org tenant.OrgID) ([]order.StateFees, error)

	// AddCoupon stores c with no uses. Conflict ALREADY_EXISTS when the
	// code is taken.
	AddCoupon(ctx context.Context, org tenant.OrgID, c order.Coupon) error
	// Coupon returns the coupon with code (any case). NotFound NOT_FOUND.
	Coupon(ctx context.Context, org tenant.OrgID, code string) (order.Coupon, error)
	// ListCoupons returns the coupons ordered by code.
	ListCoupons(ctx context.Context, org tenant.OrgID) ([]order.Coupon, error)

	// CreateOrder records o in one transaction: when the enrollment id
	// already has an order it returns that order and false, writing
	// nothing; otherwise it counts a use of the coupon (Invalid
	// COUPON_USED_UP, nothing written, when its uses ran out), draws the
	// next invoice number from the invoice series and inserts the order, returning
	// it and true. However many calls race for one enrollment id, exactly
	// one order is created and every call returns it; an invoice number is
	// never drawn twice and never skipped, since a failed insert rolls
	// the draw back. NotFound ENROLLMENT_ID_NOT_FOUND when the enrollment
	// id was not issued to org.
	CreateOrder(ctx context.Context, org tenant.OrgID, o NewOrder) (order.Order, bool, error)
	// OrderByEnrollmentID returns the order of enrollment id id (any
	// case). NotFound NOT_FOUND when it has none.
	OrderByEnrollmentID(ctx context.Context, org tenant.OrgID, id string) (order.Order, error)
	// OrderByID returns the order with id. NotFound NOT_FOUND when org has
	// none with id.
	OrderByID(ctx context.Context, org tenant.OrgID, id int64) (order.Order, error)
	// ListOrders returns the orders newest first, paged by q.
	ListOrders(ctx context.Context, org tenant.OrgID, q Query) ([]order.Order, error)
	// OrderLines returns the customer lines created with the orders ids,
	// keyed by order id, each order's lines by customer id; orders without
	// a line are absent.
	OrderLines(ctx context.Context, org tenant.OrgID, ids []int64) (map[int64][]enrollment.LineRecord, error)
}

// Charge is what a payment gateway is asked to charge.
type Charge struct {
	Org    tenant.OrgID
	Amount money.Amount
	Card   order.Card
	// Billing is the card holder's billing address.
	Billing enrollment.Address
	// Reference identifies the charge to the gateway, so that a retry is
	// not charged twice: the enrollment id.
	Reference string
}

// ChargeResult is a successful charge: the gateway's reference and what
// an order may keep of the card.
type ChargeResult struct {
	Reference string
	Brand     string
	Last4     string
}

// PaymentGateway charges cards. Allot ships no implementation; without
// one, card payments are refused (order.CardsDisabledError). An
// implementation must never store or log the card.
type PaymentGateway interface {
	// Charge charges c. Invalid CARD_DECLINED when the card is refused;
	// Unavailable when the processor cannot be reached.
	Charge(ctx context.Context, c Charge) (ChargeResult, error)
}

// QuoteCall is a payment_details call: the quote and what every action
// carries.
type QuoteCall struct {
	CallContext
	Quote order.QuoteInput
}

// PaymentCall is a make_payment call.
type PaymentCall struct {
	CallContext
	Payment               order.PaymentInput
	ExternalTransactionID string
}

// CouponSpec is an operator's new coupon, as typed.
type CouponSpec struct {
	Code, Percent, Amount string
	MaxUses               int64
	// ExpiresAt, when not zero, ends the coupon.
	ExpiresAt time.Time
}

// OrderService is the BSS /shipping and /payment modules and their
// administration.
type OrderService interface {
	// ShippingMethods answers get_shipping_methods. Agent and source errors
	// as EnrollmentService.CheckAvailability.
	ShippingMethods(ctx context.Context, org tenant.OrgID, cc CallContext) ([]order.ShippingMethod, error)
	// Quote answers payment_details. Agent and source errors as
	// CheckAvailability; Invalid with every violation of the fields
	// (order.ParseQuote), ENROLLMENT_ID_NOT_FOUND, PLAN_NOT_FOUND,
	// ZIP_NOT_SERVED, SHIPPING_METHOD_NOT_FOUND, COUPON_NOT_FOUND,
	// COUPON_EXPIRED, COUPON_USED_UP.
	Quote(ctx context.Context, org tenant.OrgID, c QuoteCall) (order.Quote, error)
	// MakePayment answers make_payment: it prices the quote again (a
	// client's amounts are never trusted), takes the payment and records
	// the order. When the enrollment id already has an order it returns
	// that order and takes nothing. Errors of Quote; Invalid with the
	// payment's violations (order.ParsePayment); Invalid
	// CARD_PAYMENTS_DISABLED for a card when no gateway is configured;
	// the gateway's errors.
	MakePayment(ctx context.Context, org tenant.OrgID, c PaymentCall) (order.Order, error)
	// OrderForEnrollment returns the order of enrollment id id. NotFound
	// NOT_FOUND when it has none. It is what customer creation needs to
	// check an order_id against its enrollment id.
	OrderForEnrollment(ctx context.Context, org tenant.OrgID, id string) (order.Order, error)

	// AddShippingMethod adds a shipping method.
	AddShippingMethod(ctx context.Context, org tenant.OrgID, name, amount string, overnight bool) (order.ShippingMethod, error)
	// ListShippingMethods lists every shipping method.
	ListShippingMethods(ctx context.Context, org tenant.OrgID) ([]order.ShippingMethod, error)
	// Settings returns the order settings.
	Settings(ctx context.Context, org tenant.OrgID) (order.Settings, error)
	// ChangeSettings changes the fees and the invoice counter.
	ChangeSettings(ctx context.Context, org tenant.OrgID, c order.SettingsChange) (order.Settings, error)
	// SetStateFees sets a state's tax and regulatory fee rates.
	SetStateFees(ctx context.Context, org tenant.OrgID, state, taxRate, regulatoryRate string) (order.StateFees, error)
	// ListStateFees lists every state's fees.
	ListStateFees(ctx context.Context, org tenant.OrgID) ([]order.StateFees, error)
	// AddCoupon adds a coupon.
	AddCoupon(ctx context.Context, org tenant.OrgID, c CouponSpec) (order.Coupon, error)
	// ListCoupons lists every coupon.
	ListCoupons(ctx context.Context, org tenant.OrgID) ([]order.Coupon, error)
	// Orders lists orders, newest first.
	Orders(ctx context.Context, org tenant.OrgID, q Query) ([]order.Order, error)
	// OrderLines returns the customer lines created with the orders ids,
	// keyed by order id (orders without a line are absent).
	OrderLines(ctx context.Context, org tenant.OrgID, ids []int64) (map[int64][]enrollment.LineRecord, error)
}
