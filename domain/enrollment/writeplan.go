package enrollment

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/allot-io/allot/domain/fault"
)

// WriteLine is what the write plan needs of one validated line: the line,
// its invoice number ("" for the request's) and its order (0 for none).
type WriteLine struct {
	Line          Line
	InvoiceNumber string
	OrderID       int64
}

// WritePlan is how a validated customer creation is written, decided here
// so that the store only executes it (in one transaction, with the same
// statements) and reports which claim it lost: which enrollment ids are
// claimed and in what order, which line opens the account when the parent
// has none yet, each line's record and which lines are queued for the
// carrier.
type WritePlan struct {
	// Parent is the account's parent enrollment id, upper-case.
	Parent string
	// IDs are the lines' enrollment ids, upper-case, in request order.
	IDs []string
	// ParentLine is the index of the line that opens the account when no
	// account has Parent yet; -1 when no line of the request carries it,
	// and then the account must exist.
	ParentLine int
	// ClaimOrder lists the line indexes by enrollment id: the ids are
	// claimed, and a lost claim reported, in this order, so that
	// concurrent requests sharing ids lock them in one order and report the
	// same line.
	ClaimOrder []int
	// Records are the lines as they are stored, without their customer ids:
	// status, invoice number, order and creation time decided.
	Records []LineRecord
}

// PlanWrite plans the write of lines under parent at at; invoice is the
// request's invoice number, which a line without its own carries. Invalid
// LINES_NOT_PRESENT for no line; Conflict SIM_IN_USE when two lines name
// one SIM.
func PlanWrite(parent, invoice string, lines []WriteLine, at time.Time) (WritePlan, error) {
	if len(lines) == 0 {
		return WritePlan{}, fault.New(fault.Invalid, ReasonLinesMissing, MsgLinesMissing)
	}
	all := make([]Line, len(lines))
	for i, wl := range lines {
		all[i] = wl.Line
	}
	if err := DuplicateSIM(all); err != nil {
		return WritePlan{}, err
	}
	p := WritePlan{Parent: EnrollmentIDKey(parent), IDs: make([]string, len(lines)), ParentLine: -1,
		ClaimOrder: make([]int, len(lines)), Records: make([]LineRecord, len(lines))}
	for i, wl := range lines {
		l := wl.Line
		p.IDs[i] = EnrollmentIDKey(l.EnrollmentID())
		if p.IDs[i] == p.Parent && p.ParentLine < 0 {
			p.ParentLine = i
		}
		p.ClaimOrder[i] = i
		inv := wl.InvoiceNumber
		if inv == "" {
			inv = invoice
		}
		p.Records[i] = LineRecord{
			EnrollmentID:    p.IDs[i],
			EnrollmentType:  l.EnrollmentType(),
			ActivationType:  l.ActivationType(),
			PlanID:          l.PlanID(),
			FirstName:       l.Customer().FirstName,
			LastName:        l.Customer().LastName,
			Status:          StatusOf(l),
			InvoiceNumber:   inv,
			ActivationLater: l.ActivationLater(),
			OrderID:         wl.OrderID,
			CreatedAt:       at,
		}
	}
	slices.SortFunc(p.ClaimOrder, func(a, b int) int { return cmp.Compare(p.IDs[a], p.IDs[b]) })
	return p, nil
}

// Queued reports whether line i goes to the carrier's queue when written.
func (p WritePlan) Queued(i int) bool { return p.Records[i].Status == StatusQueued }

// EnrollmentIDUsed is the Conflict of line (1-based) of a request of lines
// whose enrollment id, id, already has a customer, in the live service's
// words: the line is named in its violation, the id only in the cause,
// which is logged.
func EnrollmentIDUsed(line, lines int, id string) error {
	return &fault.Error{
		Code:    fault.Conflict,
		Reason:  ReasonEnrollmentIDUsed,
		Message: MsgEnrollmentIDUsed,
		Violations: []fault.Violation{{
			Line: line, Field: lineFields[fEnrollmentID].json, Rule: RuleIssued, Reason: ReasonEnrollmentIDUsed,
			Message: LinePrefixed(lines > 1, line, MsgEnrollmentIDUsed),
		}},
		Err: fmt.Errorf("enrollment id %s is already used", id),
	}
}

// EnrollmentIDNotIssued is the NotFound of an enrollment id that was never
// issued to the organisation.
func EnrollmentIDNotIssued(id string) error {
	return fault.Errorf(fault.NotFound, ReasonEnrollmentIDNotIssued, "enrollment id %s was not issued", id)
}

// ParentMissing is the NotFound of a parent enrollment id that is neither
// a line of the request nor an existing account.
func ParentMissing(parent string) error {
	return fault.New(fault.NotFound, ReasonParentNotFound, fmt.Sprintf("parent enrollment id %s is neither a line of the request nor an account", parent))
}
