package order

import (
	"fmt"
	"strconv"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
)

// FieldOrderID is the JSON name of a customer line's order.
const FieldOrderID = "order_id"

// Reasons of the rules that tie a created customer line to its order.
const (
	// ReasonOrderNotFound: order_id names no order of the organisation.
	ReasonOrderNotFound = "ORDER_NOT_FOUND"
	// ReasonOrderOtherEnrollment: the order was taken for an enrollment id
	// that is neither the line's nor its account's parent's.
	ReasonOrderOtherEnrollment = "ORDER_ENROLLMENT_MISMATCH"
	// ReasonOrderRequired: the organisation requires a paid order and the
	// line names none (equal to enrollment.MissingReason("order_id")).
	ReasonOrderRequired = "ORDER_ID_NOT_PRESENT"
	// ReasonOrderNotPaid: the organisation requires a paid order and the
	// line's order skipped payment.
	ReasonOrderNotPaid = "ORDER_NOT_PAID"
)

// Rules of a line's order, besides enrollment's.
const (
	// RuleSameEnrollment: the order was taken for the line's enrollment id
	// or its account's parent enrollment id.
	RuleSameEnrollment = "same_enrollment"
	// RulePaid: the order's money was taken.
	RulePaid = "paid"
)

// Messages of a line's order rules.
const (
	msgOrderNotFound   = "Order %d is not an order of this company"
	msgOrderOther      = "Order %d is not an order of this enrollment"
	msgOrderNotPaid    = "Order %d is not paid: this company requires payment before a customer is created"
	MsgOrderIDRequired = "Order Id is required: this company requires payment before a customer is created"
)

// IsPaid reports whether the order's money was taken: CASH,
// OTHER_PAYMENT_OPTION and card orders are paid; SKIP_PAYMENT orders are
// not, since the client said no money changed hands.
func (o Order) IsPaid() bool { return o.Status == Paid }

// Covers reports whether o may pay for a customer line with enrollment id
// enrollmentID in the account whose parent enrollment id is parent: the
// order was taken for the line itself, or for the parent, since clients
// take one payment for a whole multi-line order under the parent's
// enrollment id. Ids are compared as stored, upper-case.
func (o Order) Covers(enrollmentID, parent string) bool {
	return o.EnrollmentID == enrollmentID || (parent != "" && o.EnrollmentID == parent)
}

// LineOrderIDs returns the order id of each line of req, in line order, 0
// for a line without one. enrollment.Validate has checked every order_id
// is a positive integer that fits in an int64.
func LineOrderIDs(req enrollment.Request) []int64 {
	lines := req.Lines()
	out := make([]int64, len(lines))
	for i, l := range lines {
		if s := l.OrderID(); s != "" {
			out[i], _ = strconv.ParseInt(s, 10, 64)
		}
	}
	return out
}

// LineOrder is what a created customer line takes from its order.
type LineOrder struct {
	// OrderID is the line's order, 0 for none.
	OrderID int64
	// InvoiceNumber is the line's invoice number: the request's when it
	// names one, else its order's, else "".
	InvoiceNumber string
}

// LinkLines checks the order of every line of req against found, the
// organisation's orders among LineOrderIDs(req) keyed by id (an id absent
// from found names no order of the organisation), and returns what each
// line takes from its order. A line's order must exist and Cover the line;
// when requirePaid is set (the organisation's require-payment setting),
// every line must name an order and that order must be paid. Every
// violation is on its line (field order_id), all reported at once.
func LinkLines(req enrollment.Request, found map[int64]Order, requirePaid bool) ([]LineOrder, fault.Violations) {
	lines := req.Lines()
	ids := LineOrderIDs(req)
	parent := req.ParentEnrollmentID()
	out := make([]LineOrder, len(lines))
	var vs fault.Violations
	for i, l := range lines {
		n, id := i+1, ids[i]
		out[i] = LineOrder{OrderID: id, InvoiceNumber: req.InvoiceNumber()}
		if id == 0 {
			if requirePaid {
				vs.Add(req.LineViolation(n, FieldOrderID, enrollment.RuleRequired, ReasonOrderRequired, MsgOrderIDRequired))
			}
			continue
		}
		o, ok := found[id]
		switch {
		case !ok:
			vs.Add(req.LineViolation(n, FieldOrderID, enrollment.RuleExists, ReasonOrderNotFound, fmt.Sprintf(msgOrderNotFound, id)))
			continue
		case !o.Covers(l.EnrollmentID(), parent):
			vs.Add(req.LineViolation(n, FieldOrderID, RuleSameEnrollment, ReasonOrderOtherEnrollment, fmt.Sprintf(msgOrderOther, id)))
			continue
		case requirePaid && !o.IsPaid():
			vs.Add(req.LineViolation(n, FieldOrderID, RulePaid, ReasonOrderNotPaid, fmt.Sprintf(msgOrderNotPaid, id)))
			continue
		}
		if out[i].InvoiceNumber == "" {
			out[i].InvoiceNumber = o.InvoiceNumber
		}
	}
	return out, vs
}
