package series

import (
	"fmt"
	"strings"
	"time"

	"github.com/allot-io/allot/domain/fault"
)

// Action is what an audit entry records.
type Action string

// The audited actions.
const (
	ActionConsume Action = "consume"
	ActionVoid    Action = "void"
	ActionRelease Action = "release"
	ActionDraw    Action = "draw"
	ActionImport  Action = "import"
	// ActionCreate records a series allotted one at a time (API, CLI,
	// dashboard); ActionImport one allotted by a bulk import.
	ActionCreate Action = "create"
	// ActionDelete records a series deleted with all its numbers.
	ActionDelete Action = "delete"
)

// ActionOf returns the action that records op.
func ActionOf(op Op) Action {
	switch op {
	case VoidOp:
		return ActionVoid
	case Release:
		return ActionRelease
	}
	return ActionConsume
}

// Actor names who made a change: "api-key:PREFIX", "operator:EMAIL" or
// "cli:USER".
type Actor string

// UnknownActor is recorded when a change reaches the store with no actor:
// a Go caller of the library that named none.
const UnknownActor Actor = "unknown"

// APIKeyActor is the actor of a request made with the API key of prefix.
func APIKeyActor(prefix string) Actor { return Actor("api-key:" + prefix) }

// OperatorActor is the actor of a dashboard operator.
func OperatorActor(email string) Actor { return Actor("operator:" + email) }

// CLIActor is the actor of the CLI run by the operating-system user user.
func CLIActor(user string) Actor {
	if strings.TrimSpace(user) == "" {
		user = "unknown"
	}
	return Actor("cli:" + user)
}

// Entry is one record of the append-only history of a series: who did
// what to which numbers, when, and the state before and after. The numbers
// are the run of Count numbers from Offset in the series, which shared
// Before and went to After together; Numbers shows the run's first and
// last numbers as clients write them (with their check digit).
type Entry struct {
	ID        int64
	SeriesID  int64
	At        time.Time
	Actor     Actor
	Action    Action
	Offset    uint64
	Count     uint64
	Numbers   Range
	Before    State
	After     State
	Reference string
}

// CreatedEntry is the history entry of series s allotted by actor at at:
// all its numbers, from nothing to available.
func CreatedEntry(s Series, action Action, actor Actor, at time.Time) Entry {
	e := RunEntry(s, 0, s.Size())
	e.At, e.Actor, e.Action, e.After = at, actor, action, Available
	return e
}

// DeletedEntry is the history entry of series s deleted by actor at at:
// all its numbers, from available to nothing. A series with a number used
// cannot be deleted; its void numbers, if any, keep their own entries.
func DeletedEntry(s Series, actor Actor, at time.Time) Entry {
	e := RunEntry(s, 0, s.Size())
	e.At, e.Actor, e.Action, e.Before = at, actor, ActionDelete, Available
	return e
}

// Change is what one operation does to one number of a series.
type Change struct {
	Offset        uint64
	Before, After State
	// Marked says the number had a mark before; Keep that it has one after.
	Marked, Keep bool
}

// PlanMarks decides what op does to the numbers of r, a run inside series
// s, when caller asks: marks holds the recorded states of r's numbers by
// offset in s. It returns every change, or every number's error (owner,
// transition) when any number fails, so that nothing is half-written.
func PlanMarks(s Series, r Range, caller Owner, op Op, marks map[uint64]State) ([]Change, []error) {
	first, ok := offsetIn(s.Range, r.First())
	count, fits := r.Count().Uint64()
	if !ok || !fits || !s.Range.Contains(r.Last()) {
		return nil, []error{fault.Errorf(fault.Invalid, ReasonNumberFree, "numbers %s are not all in series %d", r, s.ID)}
	}
	// Errors name numbers as clients write them, with the check digit.
	shown := func(n Number) Number { return s.CheckDigit.Full(n) }
	if err := Permit(shown(r.First()), s.Owner, caller); err != nil {
		if count > 1 {
			err = fault.Errorf(fault.Invalid, ReasonNumberNotOwned, "numbers %s-%s are not allotted to %s", shown(r.First()), shown(r.Last()), caller)
		}
		return nil, []error{err}
	}
	changes := make([]Change, 0, count)
	var errs []error
	for i := range count {
		off := first + i
		before, marked := marks[off]
		if !marked {
			before = DefaultState(off, s.Drawn)
		}
		n, _ := r.First().Add(i)
		after, err := Transition(shown(n), before, op)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		changes = append(changes, Change{Offset: off, Before: before, After: after, Marked: marked, Keep: NeedsMark(off, s.Drawn, after)})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return changes, nil
}

// offsetIn returns the offset of n in r.
func offsetIn(r Range, n Number) (uint64, bool) {
	if !r.Contains(n) {
		return 0, false
	}
	d := n.v.sub(r.first.v)
	return d.lo, d.hi == 0
}

// Offset returns the offset of n in s's range, and false when s does not
// hold n.
func (s Series) Offset(n Number) (uint64, bool) { return offsetIn(s.Range, n) }

// MaxListedErrors is how many failing numbers an error message names; the
// violations name them all.
const MaxListedErrors = 10

// NumberErrors joins the per-number errors of one request into one Invalid
// fault.Error whose reason is the first's and whose violations name every
// number; nil when errs is empty.
func NumberErrors(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	var vs fault.Violations
	var msgs []string
	for _, err := range errs {
		fe, ok := fault.As(err)
		if !ok {
			return err
		}
		vs.Add(fault.Violation{Field: "numbers", Rule: "state", Reason: fe.Reason, Message: fe.Message})
		if len(msgs) < MaxListedErrors {
			msgs = append(msgs, fe.Message)
		}
	}
	msg := strings.Join(msgs, "; ")
	if len(errs) > len(msgs) {
		msg += fmt.Sprintf("; and %d more", len(errs)-len(msgs))
	}
	return &fault.Error{Code: fault.Invalid, Reason: vs[0].Reason, Message: msg, Violations: vs}
}

// Runs groups changes, ascending by offset, into history entries of series
// s: one per run of consecutive numbers that share Before and After.
func Runs(s Series, changes []Change) []Entry {
	var out []Entry
	for i := 0; i < len(changes); {
		j := i + 1
		for j < len(changes) && changes[j].Offset == changes[j-1].Offset+1 &&
			changes[j].Before == changes[i].Before && changes[j].After == changes[i].After {
			j++
		}
		out = append(out, RunEntry(s, changes[i].Offset, uint64(j-i)))
		out[len(out)-1].Before, out[len(out)-1].After = changes[i].Before, changes[i].After
		i = j
	}
	return out
}

// RunEntry returns an entry of series s for the count numbers from offset,
// with Numbers as clients write them; its other fields are left to the
// caller.
func RunEntry(s Series, offset, count uint64) Entry {
	e := Entry{SeriesID: s.ID, Offset: offset, Count: count}
	if r, ok := s.Range.Slice(offset, count); ok {
		e.Numbers = r
		if full, err := NewRange(s.CheckDigit.Full(r.First()), s.CheckDigit.Full(r.Last())); err == nil {
			e.Numbers = full
		}
	}
	return e
}
