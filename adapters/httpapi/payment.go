package httpapi

import (
	"bytes"
	"encoding/json"

	"github.com/gin-gonic/gin"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/order"
	"github.com/allot-io/allot/ports"
)

// Module paths of the BSS order and payment API (SPEC §2 "Orders and
// payments"), on the conventions of enrollment.go.
const (
	ShippingPath = "/shipping"
	PaymentPath  = "/payment"
)

// shippingActions and paymentActions are the modules' actions, registered
// in bssModules.
var (
	shippingActions = map[string]actionFunc{enrollment.ActionShippingMethods: (*API).shippingMethods}
	paymentActions  = map[string]actionFunc{
		enrollment.ActionPaymentDetails: (*API).paymentDetails,
		enrollment.ActionMakePayment:    (*API).makePayment,
	}
)

// Card fields, with the names clients are known to send them under; the
// first present wins. Their values go straight into enrollment.Secret and
// are never echoed, logged or stored.
var (
	cardNumberFields  = []string{"credit_card_number", "card_number", "cc_number"}
	cardCVVFields     = []string{"cvv", "cvv2", "card_cvv"}
	cardMonthFields   = []string{"expiry_month", "exp_month", "card_expiry_month"}
	cardYearFields    = []string{"expiry_year", "exp_year", "card_expiry_year"}
	billingOneFields  = []string{"billing_address1", "billing_address_one"}
	billingTwoFields  = []string{"billing_address2", "billing_address_two"}
	billingCityFields = []string{"billing_city"}
	billingStFields   = []string{"billing_state"}
	billingZipFields  = []string{"billing_zip", "billing_zip_code"}
)

// servesModule reports whether the module at path is served: the order
// modules only with an order service, so that without one they answer as
// any unknown module does (RESTAPI105).
func (a *API) servesModule(path string) bool {
	if path == ShippingPath || path == PaymentPath {
		return a.svc.Orders != nil
	}
	if path == HandoverPath {
		return a.svc.Lines != nil
	}
	return true
}

// firstText returns the first of names present in the body, decoded as
// text.
func (r *bssRequest) firstText(names []string) string {
	for _, n := range names {
		if _, ok := r.obj[n]; ok {
			if v := r.text(n); v != "" {
				return v
			}
		}
	}
	return ""
}

// firstSecret is firstText for a card field: the value is wrapped at once.
func (r *bssRequest) firstSecret(names []string) enrollment.Secret {
	return enrollment.NewSecret(r.firstText(names))
}

// planChoices decodes plan_id: a scalar names one plan (for no_of_months
// months, one when absent); an array lists {id, no_of_months} objects, as
// the vendor's newer clients send ("plan_id" is accepted for "id").
func (r *bssRequest) planChoices() []order.PlanChoice {
	raw, ok := r.obj[order.FieldPlanID]
	if !ok {
		return nil
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '[' {
		id := r.text(order.FieldPlanID)
		if id == "" {
			return nil
		}
		return []order.PlanChoice{{ID: id, Months: r.text(order.FieldNoOfMonths)}}
	}
	bad := fault.Violation{Field: order.FieldPlanID, Rule: "type", Reason: reasonNotText,
		Message: order.FieldPlanID + " should be a plan id or a list of {id, no_of_months}"}
	var items []bssObject
	if err := json.Unmarshal(raw, &items); err != nil || len(items) > order.MaxPlans*4 {
		r.vs.Add(bad)
		return nil
	}
	out := make([]order.PlanChoice, 0, len(items))
	for _, it := range items {
		if it == nil {
			r.vs.Add(bad)
			return nil
		}
		id := it.text("id", &r.vs)
		if id == "" {
			id = it.text(order.FieldPlanID, &r.vs)
		}
		out = append(out, order.PlanChoice{ID: id, Months: it.text(order.FieldNoOfMonths, &r.vs)})
	}
	return out
}

// quoteInput decodes the fields payment_details and make_payment share.
func (r *bssRequest) quoteInput() order.QuoteInput {
	return order.QuoteInput{
		EnrollmentID: r.text(order.FieldEnrollmentID),
		Plans:        r.planChoices(),
		ZipCode:      r.text(order.FieldZipCode),
		Lines:        r.text(order.FieldNoOfLines),
		ShippingID:   r.text(order.FieldShippingID),
		CouponCode:   r.text(order.FieldCouponCode),
	}
}

type shippingJSON struct {
	ShippingID  int64  `json:"shipping_id"`
	Name        string `json:"name"`
	Amount      string `json:"amount"`
	IsOvernight string `json:"is_overnight"`
}

func yesNo(b bool) string {
	if b {
		return "Y"
	}
	return "N"
}

// shippingMethods is get_shipping_methods.
func (a *API) shippingMethods(c *gin.Context, s ports.Session, req *bssRequest) {
	if err := req.vs.Err(); err != nil {
		a.bssFail(c, err)
		return
	}
	ms, err := a.svc.Orders.ShippingMethods(c.Request.Context(), s.Org.ID, req.callContext())
	if err != nil {
		a.bssFail(c, err)
		return
	}
	out := make([]shippingJSON, 0, len(ms))
	for _, m := range ms {
		out = append(out, shippingJSON{ShippingID: m.ID, Name: m.Name, Amount: m.Amount.String(), IsOvernight: yesNo(m.Overnight)})
	}
	a.bssOK(c, msgSuccess, out)
}

// quotePlanJSON is one plan of a quote.
type quotePlanJSON struct {
	PlanID     string `json:"plan_id"`
	NoOfMonths int64  `json:"no_of_months"`
	PlanPrice  string `json:"plan_price"`
	Amount     string `json:"amount"`
}

// quoteJSON is payment_details' data: the breakdown under the export's
// names, every amount an exact decimal as text ("15.75"), and Allot's own
// fields beside them (plan_amount, coupon_discount, regulatory_fee, ...).
type quoteJSON struct {
	Plans                   []quotePlanJSON `json:"plans"`
	NoOfLines               int64           `json:"no_of_lines"`
	PlanAmount              string          `json:"plan_amount"`
	CouponCode              string          `json:"coupon_code"`
	CouponDiscount          string          `json:"coupon_discount"`
	PlanActivationFee       string          `json:"plan_activation_fee"`
	PlanTax                 string          `json:"plan_tax"`
	RegulatoryFee           string          `json:"regulatory_fee"`
	ShippingID              *int64          `json:"shipping_id"`
	TotalShippingAmount     string          `json:"total_shipping_amount"`
	OvernightShippingAmount string          `json:"overnight_shipping_amount"`
	ProcessingFee           string          `json:"processingFee"`
	TotalAmount             string          `json:"total_amount"`
	State                   string          `json:"state"`
}

func quoteOut(q order.Quote) quoteJSON {
	out := quoteJSON{
		Plans:                   make([]quotePlanJSON, 0, len(q.Plans)),
		NoOfLines:               q.Lines,
		PlanAmount:              q.PlanAmount.String(),
		CouponCode:              q.CouponCode,
		CouponDiscount:          q.Discount.String(),
		PlanActivationFee:       q.ActivationFee.String(),
		PlanTax:                 q.Tax.String(),
		RegulatoryFee:           q.RegulatoryFee.String(),
		TotalShippingAmount:     q.Shipping.String(),
		OvernightShippingAmount: q.OvernightShipping.String(),
		ProcessingFee:           q.ProcessingFee.String(),
		TotalAmount:             q.Total.String(),
		State:                   q.State,
	}
	if q.ShippingID != 0 {
		id := q.ShippingID
		out.ShippingID = &id
	}
	for _, p := range q.Plans {
		out.Plans = append(out.Plans, quotePlanJSON{PlanID: p.ID, NoOfMonths: p.Months, PlanPrice: p.Price.String(),
			Amount: p.Price.Times(p.Months).Times(q.Lines).String()})
	}
	return out
}

// paymentDetails is payment_details.
func (a *API) paymentDetails(c *gin.Context, s ports.Session, req *bssRequest) {
	in := req.quoteInput()
	if err := req.vs.Err(); err != nil {
		a.bssFail(c, err)
		return
	}
	q, err := a.svc.Orders.Quote(c.Request.Context(), s.Org.ID, ports.QuoteCall{CallContext: req.callContext(), Quote: in})
	if err != nil {
		a.bssFail(c, err)
		return
	}
	a.bssOK(c, msgSuccess, quoteOut(q))
}

// paymentJSON is make_payment's data, the export's fields first, then
// the quote's breakdown.
type paymentJSON struct {
	OrderID                 int64  `json:"order_id"`
	InvoiceNumber           string `json:"invoice_number"`
	PaymentStatus           string `json:"payment_status"`
	TotalAmount             string `json:"total_amount"`
	PlanActivationFee       string `json:"plan_activation_fee"`
	PlanTax                 string `json:"plan_tax"`
	ProcessingFee           string `json:"processingFee"`
	TotalShippingAmount     string `json:"total_shipping_amount"`
	OvernightShippingAmount string `json:"overnight_shipping_amount"`
	CouponTransactionID     string `json:"coupon_transaction_id"`
	TransactionNo           string `json:"transaction_no"`
	ExternalTransactionID   string `json:"external_transaction_id"`
	EnrollmentID            string `json:"enrollment_id"`
	PaymentMethod           string `json:"payment_method"`
	PlanAmount              string `json:"plan_amount"`
	CouponDiscount          string `json:"coupon_discount"`
	RegulatoryFee           string `json:"regulatory_fee"`
	// CardLast4 is the only trace of a card an answer ever carries.
	CardLast4 string `json:"card_last4,omitempty"`
}

// makePayment is make_payment.
func (a *API) makePayment(c *gin.Context, s ports.Session, req *bssRequest) {
	in := order.PaymentInput{
		Quote:         req.quoteInput(),
		PaymentType:   req.text(order.FieldPaymentType),
		Method:        req.text(order.FieldPaymentMethod),
		MethodOption:  req.text(order.FieldPaymentMethodOption),
		TransactionID: req.text(order.FieldTransactionID),
		ChargeID:      req.text(order.FieldChargeID),
		Billing: enrollment.Address{
			One:   req.firstText(billingOneFields),
			Two:   req.firstText(billingTwoFields),
			City:  req.firstText(billingCityFields),
			State: req.firstText(billingStFields),
			Zip:   req.firstText(billingZipFields),
		},
		Card: order.CardInput{
			Number:      req.firstSecret(cardNumberFields),
			CVV:         req.firstSecret(cardCVVFields),
			ExpiryMonth: req.firstSecret(cardMonthFields),
			ExpiryYear:  req.firstSecret(cardYearFields),
		},
	}
	if err := req.vs.Err(); err != nil {
		a.bssFail(c, err)
		return
	}
	o, err := a.svc.Orders.MakePayment(c.Request.Context(), s.Org.ID, ports.PaymentCall{
		CallContext:           req.callContext(),
		Payment:               in,
		ExternalTransactionID: bssCallOf(c).externalID,
	})
	if err != nil {
		a.bssFail(c, err)
		return
	}
	q := o.Quote
	a.bssOK(c, msgSuccess, paymentJSON{
		OrderID:                 o.ID,
		InvoiceNumber:           o.InvoiceNumber,
		PaymentStatus:           order.PaymentStatusSuccess,
		TotalAmount:             q.Total.String(),
		PlanActivationFee:       q.ActivationFee.String(),
		PlanTax:                 q.Tax.String(),
		ProcessingFee:           q.ProcessingFee.String(),
		TotalShippingAmount:     q.Shipping.String(),
		OvernightShippingAmount: q.OvernightShipping.String(),
		CouponTransactionID:     o.CouponTransactionID(),
		TransactionNo:           o.TransactionNo(),
		ExternalTransactionID:   bssCallOf(c).externalID,
		EnrollmentID:            o.EnrollmentID,
		PaymentMethod:           string(o.Method),
		PlanAmount:              q.PlanAmount.String(),
		CouponDiscount:          q.Discount.String(),
		RegulatoryFee:           q.RegulatoryFee.String(),
		CardLast4:               o.CardLast4,
	})
}
