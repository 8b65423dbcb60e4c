package series

import (
	"slices"
	"time"
)

// A store keeps marks as runs: one record per maximal run of consecutive
// offsets of a series whose numbers carry the same mark (state and
// reference), so that what it stores grows with the runs of used numbers,
// not with their count. The rules below split, merge and walk such runs.

// MarkRun is the mark of the offsets First..Last of a series, inclusive.
type MarkRun struct {
	First, Last uint64
	State       State
	Reference   string
	// At is when a number of the run last changed.
	At time.Time
}

// Count returns how many numbers r marks.
func (r MarkRun) Count() uint64 { return r.Last - r.First + 1 }

// Overlay applies changes, ascending by offset, made with reference at
// time at, to runs: the runs, ascending and disjoint, holding every mark
// on or next to a changed offset. It returns the runs that replace them:
// runs cut where a change falls, the kept changes' new marks, and
// neighbours of the same state and reference merged into one run.
func Overlay(runs []MarkRun, changes []Change, reference string, at time.Time) []MarkRun {
	var pieces []MarkRun
	c := 0
	for _, r := range runs {
		for c < len(changes) && changes[c].Offset < r.First {
			c++
		}
		from := r.First
		for ; c < len(changes) && changes[c].Offset <= r.Last; c++ {
			if off := changes[c].Offset; off > from {
				p := r
				p.First, p.Last = from, off-1
				pieces = append(pieces, p)
			}
			from = changes[c].Offset + 1
		}
		if from <= r.Last && from >= r.First {
			p := r
			p.First = from
			pieces = append(pieces, p)
		}
	}
	for _, ch := range changes {
		if ch.Keep {
			pieces = append(pieces, MarkRun{First: ch.Offset, Last: ch.Offset, State: ch.After, Reference: MarkReference(ch.After, reference), At: at})
		}
	}
	slices.SortFunc(pieces, func(a, b MarkRun) int {
		switch {
		case a.First < b.First:
			return -1
		case a.First > b.First:
			return 1
		}
		return 0
	})
	var out []MarkRun
	for _, p := range pieces {
		if n := len(out); n > 0 {
			last := &out[n-1]
			if last.Last+1 == p.First && last.State == p.State && last.Reference == p.Reference {
				last.Last = p.Last
				if p.At.After(last.At) {
					last.At = p.At
				}
				continue
			}
		}
		out = append(out, p)
	}
	return out
}

// MarkReference is the reference a mark of state keeps: a number back in
// stock keeps none.
func MarkReference(state State, reference string) string {
	if state == Available {
		return ""
	}
	return reference
}

// TakeSpans is Take with the marks of [drawn, end) given as spans of
// marked offsets, ascending and disjoint, so that a draw walks the runs of
// marks, not each marked number.
func TakeSpans(drawn, end, want uint64, marked []Span) ([]Span, uint64) {
	var out []Span
	at := drawn
	var got uint64
	for _, m := range append(slices.Clip(marked), Span{Offset: end, Count: 1}) {
		if m.Count == 0 || m.Offset+m.Count <= at {
			continue
		}
		if m.Offset > at && got < want {
			k := min(m.Offset-at, want-got)
			out = append(out, Span{Offset: at, Count: k})
			got += k
			if got == want {
				return out, at + k
			}
		}
		at = max(at, m.Offset+m.Count)
	}
	return out, end
}

// FreeFrom returns the first offset at or after at that none of marked,
// spans ascending and disjoint, covers.
func FreeFrom(at uint64, marked []Span) uint64 {
	for _, m := range marked {
		if m.Offset > at {
			break
		}
		at = max(at, m.Offset+m.Count)
	}
	return at
}

// PassedRun accounts for the draw pointer moving past n marks of state s.
func (d *MarkDelta) PassedRun(s State, n uint64) {
	switch s {
	case Used:
		d.UsedAhead -= int64(n)
	case Void:
		d.VoidAhead -= int64(n)
		d.VoidBehind += int64(n)
	}
}
