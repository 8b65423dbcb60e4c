package series

import (
	"fmt"
	"math"
	"strings"

	"github.com/allot-io/allot/domain/fault"
)

// State is where one number of an allotted series stands.
type State string

// The states of a number. Every number of a new series is Available.
const (
	// Available numbers may be consumed, voided or drawn.
	Available State = "available"
	// Used numbers were consumed (a booking, a line, a scanned label) or
	// drawn; release returns them to stock.
	Used State = "used"
	// Void ("black") numbers are damaged or lost and are never handed out
	// again: no operation leaves this state.
	Void State = "void"
)

// Op is an operation on single numbers of a series.
type Op string

// The operations on numbers.
const (
	// Consume marks available numbers used.
	Consume Op = "consume"
	// VoidOp marks available or used numbers void.
	VoidOp Op = "void"
	// Release returns used numbers to stock.
	Release Op = "release"
)

// ParseOp parses an operation name, case-insensitively.
func ParseOp(s string) (Op, bool) {
	switch op := Op(strings.ToLower(strings.TrimSpace(s))); op {
	case Consume, VoidOp, Release:
		return op, true
	}
	return "", false
}

// Reasons of the number operations.
const (
	ReasonNumberUsed      = "NUMBER_ALREADY_USED"
	ReasonNumberVoid      = "NUMBER_VOID"
	ReasonNumberNotUsed   = "NUMBER_NOT_USED"
	ReasonNumberNotOwned  = "NUMBER_NOT_OWNED"
	ReasonNumbersMissing  = "NUMBERS_NOT_PRESENT"
	ReasonNumbersAndRange = "NUMBERS_AND_RANGE"
	ReasonTooManyNumbers  = "TOO_MANY_NUMBERS"
	ReasonInvalidRef      = "INVALID_REFERENCE"
	ReasonInvalidOp       = "INVALID_OPERATION"
	ReasonCheckDigit      = "INVALID_CHECK_DIGIT"
	ReasonInvalidScheme   = "INVALID_CHECK_DIGIT_SCHEME"
)

// Transition returns the state op leads n to from from, or an Invalid
// fault.Error saying why op is not allowed there:
//
//	available --consume--> used     used --release--> available
//	available --void-----> void     used --void-----> void
//
// Consuming a used number is NUMBER_ALREADY_USED, anything on a void number
// NUMBER_VOID, releasing an available number NUMBER_NOT_USED.
func Transition(n Number, from State, op Op) (State, error) {
	bad := func(reason, format string, args ...any) (State, error) {
		return from, fault.Errorf(fault.Invalid, reason, format, args...)
	}
	if from == Void {
		return bad(ReasonNumberVoid, "number %s is void and can never be %s", n, pastTense(op))
	}
	switch op {
	case Consume:
		if from == Used {
			return bad(ReasonNumberUsed, "number %s is already used", n)
		}
		return Used, nil
	case VoidOp:
		return Void, nil
	case Release:
		if from != Used {
			return bad(ReasonNumberNotUsed, "number %s is not used, so it cannot be released", n)
		}
		return Available, nil
	}
	return bad(ReasonInvalidOp, "operation %q is not one of consume, void, release", op)
}

func pastTense(op Op) string {
	switch op {
	case Consume:
		return "consumed"
	case VoidOp:
		return "voided again"
	case Release:
		return "released"
	}
	return string(op)
}

// Permit reports, as an Invalid NUMBER_NOT_OWNED fault.Error, a caller
// acting on number n of a series held by another owner: only the owner a
// series is allotted to consumes, voids or releases its numbers. The error
// does not name the holder.
func Permit(n Number, holder, caller Owner) error {
	if holder == caller {
		return nil
	}
	return fault.Errorf(fault.Invalid, ReasonNumberNotOwned, "number %s is not allotted to %s", n, caller)
}

// A series keeps no record of most of its numbers. A draw pointer, Series.Drawn,
// separates the numbers drawn in order (behind it, used unless marked
// otherwise) from those not yet reached (ahead of it, available unless
// marked); a mark records the state of a number that differs from that
// default, so a store holds marks only for numbers consumed, voided or
// released out of order.

// DefaultState is the state of the number at offset of a series whose
// draw pointer is at drawn, when it carries no mark.
func DefaultState(offset, drawn uint64) State {
	if offset < drawn {
		return Used
	}
	return Available
}

// NeedsMark reports whether the number at offset, in state s, must be
// recorded as a mark while the draw pointer is at drawn. A used number
// ahead of the pointer must be (so that draws skip it), and so must one
// whose use carries a reference; an available number ahead of it need not.
func NeedsMark(offset, drawn uint64, s State) bool {
	return !(s == Available && offset >= drawn)
}

// Marks counts the marks of a series by state and by side of the draw
// pointer, as far as its stock depends on them (a used mark behind the
// pointer counts as the drawn number it would otherwise be).
type Marks struct {
	UsedAhead, VoidAhead, VoidBehind, ReleasedBehind uint64
}

// MarkDelta is a change to a series' Marks, which a store applies with the
// change itself.
type MarkDelta struct {
	UsedAhead, VoidAhead, VoidBehind, ReleasedBehind int64
}

// count adds sign for a mark of state s at offset, the pointer at drawn.
func (d *MarkDelta) count(offset, drawn uint64, s State, sign int64) {
	behind := offset < drawn
	switch {
	case s == Used && !behind:
		d.UsedAhead += sign
	case s == Void && !behind:
		d.VoidAhead += sign
	case s == Void:
		d.VoidBehind += sign
	case s == Available && behind:
		d.ReleasedBehind += sign
	}
}

// Changed accounts for change c made while the pointer is at drawn.
func (d *MarkDelta) Changed(c Change, drawn uint64) {
	if c.Marked {
		d.count(c.Offset, drawn, c.Before, -1)
	}
	if c.Keep {
		d.count(c.Offset, drawn, c.After, 1)
	}
}

// Passed accounts for the draw pointer moving past a mark of state s.
func (d *MarkDelta) Passed(s State) { d.PassedRun(s, 1) }

// Stock is the state of a series' numbers.
type Stock struct {
	Used, Void, Available uint64
	// NextFree is the offset of the number the next draw hands out; the
	// series' size when a draw finds nothing.
	NextFree uint64
	// Low says Available is at or below the owner's threshold.
	Low bool
}

// Tally counts the numbers of a series of size whose pointer is at drawn
// and whose marks are m; nextFree is the first offset at or after drawn
// without a mark (size when none). Behind the pointer, unmarked numbers
// were drawn; ahead, they are available.
func Tally(size, drawn uint64, m Marks, nextFree uint64) Stock {
	void := m.VoidBehind + m.VoidAhead
	used := drawn - m.VoidBehind - m.ReleasedBehind + m.UsedAhead
	return Stock{Used: used, Void: void, Available: size - used - void, NextFree: nextFree}
}

// Threshold is the stock level of an owner and item code at or below which
// its series report low stock.
type Threshold struct {
	Owner    Owner
	ItemCode string
	Level    uint64
}

// Span is a run of offsets of one series: Count numbers from Offset.
type Span struct {
	Offset, Count uint64
}

// Take plans a draw of up to want numbers from a series of size whose
// pointer is at drawn. marked are the offsets of every mark in [drawn, end),
// ascending, where end is the window a store has read (at most size). It
// returns the runs of free numbers drawn, in order, and the new pointer:
// just after the last number drawn, or end when the window held fewer than
// want free numbers, so that marks passed over stay behind the pointer.
func Take(drawn, end, want uint64, marked []uint64) ([]Span, uint64) {
	spans := make([]Span, len(marked))
	for i, m := range marked {
		spans[i] = Span{Offset: m, Count: 1}
	}
	return TakeSpans(drawn, end, want, spans)
}

// MaxMark is the most numbers one consume, void or release may name.
const MaxMark = MaxDraw

// MaxReference is the longest reference a use may carry.
const MaxReference = 128

// MarkSpec is a request to consume, void or release numbers, as a client
// sends it: either Numbers, or a range from Start to End.
type MarkSpec struct {
	Op         Op
	Numbers    []string
	Start, End string
	ClientCode string
	HubCode    string
	// Global acts for the organisation's global pool, on its series.
	Global    bool
	Reference string
}

// MarkDraft is a validated MarkSpec: the owner acting and the numbers as
// ranges (a single number is a range of one), each number at most once.
type MarkDraft struct {
	Op        Op
	Owner     Owner
	Ranges    []Range
	Reference string
}

// Count returns how many numbers d names.
func (d MarkDraft) Count() uint64 {
	var n uint64
	for _, r := range d.Ranges {
		c, _ := r.Count().Uint64()
		n += c
	}
	return n
}

// ValidateMarks checks every field of spec and returns its MarkDraft, or
// an Invalid fault.Error carrying every violation.
func ValidateMarks(spec MarkSpec) (MarkDraft, error) {
	var vs fault.Violations
	bad := func(field, rule, reason, msg string) {
		vs.Add(fault.Violation{Field: field, Rule: rule, Reason: reason, Message: msg})
	}
	d := MarkDraft{Op: spec.Op}
	if _, ok := ParseOp(string(spec.Op)); !ok {
		bad("op", "enum", ReasonInvalidOp, fmt.Sprintf("operation %q is not one of consume, void, release", spec.Op))
	}
	owner, ok := ResolveOwner(spec.ClientCode, spec.HubCode)
	switch {
	case spec.Global && ok:
		bad("is_global", "exclusive", ReasonGlobalWithOwner, "give is_global, or client_code or hub_code, not both")
	case spec.Global:
		owner = GlobalPool
	case !ok:
		bad("client_code", "required", ReasonOwnerMissing, OwnerMissingMessage)
	}
	d.Owner = owner

	hasRange := strings.TrimSpace(spec.Start) != "" || strings.TrimSpace(spec.End) != ""
	switch {
	case len(spec.Numbers) > 0 && hasRange:
		bad("numbers", "exclusive", ReasonNumbersAndRange, "give either numbers or start and end, not both")
	case len(spec.Numbers) > MaxMark:
		bad("numbers", "max_items", ReasonTooManyNumbers, fmt.Sprintf("at most %d numbers can be named at once", MaxMark))
	case len(spec.Numbers) > 0:
		seen := make(map[Number]bool, len(spec.Numbers))
		for i, s := range spec.Numbers {
			n, err := ParseNumber(strings.TrimSpace(s))
			if err != nil {
				bad(fmt.Sprintf("numbers[%d]", i), "pattern", ReasonInvalidNumber, fmt.Sprintf("numbers[%d] %q is not a series number: %v", i, s, err))
				continue
			}
			if !seen[n] {
				seen[n] = true
				d.Ranges = append(d.Ranges, Range{first: n, last: n})
			}
		}
	case hasRange:
		r := checkRange(spec.Start, spec.End, Limits{MaxSize: math.MaxUint64}, bad)
		if r.IsZero() {
			break
		}
		if r.Count().Exceeds(MaxMark) {
			bad("end", "max_items", ReasonTooManyNumbers, fmt.Sprintf("range %s holds %s numbers; at most %d can be named at once", r, r.Count(), MaxMark))
			break
		}
		d.Ranges = []Range{r}
	default:
		bad("numbers", "required", ReasonNumbersMissing, "numbers, or start and end, should be present")
	}

	d.Reference = strings.TrimSpace(spec.Reference)
	if len(d.Reference) > MaxReference || strings.ContainsFunc(d.Reference, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		bad("reference", "pattern", ReasonInvalidRef, fmt.Sprintf("reference must be at most %d characters with no control characters", MaxReference))
	}
	if err := vs.Err(); err != nil {
		return MarkDraft{}, err
	}
	return d, nil
}

// Mark is the recorded state of one number that differs from its default.
type Mark struct {
	Number    Number
	State     State
	Reference string
}
