package series

import "fmt"

// Range is an inclusive run of numbers of one kind (prefix and width), from
// First to Last. The zero Range is not valid; use NewRange.
type Range struct {
	first, last Number
}

// RangeError explains why two numbers do not make a range.
type RangeError struct {
	// Rule is one of "prefix", "width", "order".
	Rule string
}

func (e *RangeError) Error() string {
	switch e.Rule {
	case "prefix":
		return "start and end must have the same prefix"
	case "width":
		return "start and end must have the same number of digits"
	}
	return "start must not be greater than end"
}

// NewRange returns the range from first to last inclusive. The numbers must
// share prefix and width, and first must not be greater than last.
func NewRange(first, last Number) (Range, error) {
	if first.prefix != last.prefix {
		return Range{}, &RangeError{Rule: "prefix"}
	}
	if first.width != last.width {
		return Range{}, &RangeError{Rule: "width"}
	}
	if first.Cmp(last) > 0 {
		return Range{}, &RangeError{Rule: "order"}
	}
	return Range{first: first, last: last}, nil
}

// ParseRange parses two numbers and makes a range of them.
func ParseRange(first, last string) (Range, error) {
	f, err := ParseNumber(first)
	if err != nil {
		return Range{}, err
	}
	l, err := ParseNumber(last)
	if err != nil {
		return Range{}, err
	}
	return NewRange(f, l)
}

// MustParseRange is ParseRange for constants in tests and examples; it
// panics on a bad range.
func MustParseRange(first, last string) Range {
	r, err := ParseRange(first, last)
	if err != nil {
		panic(err)
	}
	return r
}

// First returns the first number of the range.
func (r Range) First() Number { return r.first }

// Last returns the last number of the range.
func (r Range) Last() Number { return r.last }

// Prefix returns the prefix shared by every number of the range.
func (r Range) Prefix() string { return r.first.prefix }

// Width returns the digit count shared by every number of the range.
func (r Range) Width() int { return int(r.first.width) }

// IsZero reports whether r is the zero Range.
func (r Range) IsZero() bool { return r.first.IsZero() }

// Count returns last - first + 1, exactly.
func (r Range) Count() Count {
	return Count{r.last.v.sub(r.first.v).add(u128{0, 1})}
}

// Contains reports whether n is one of the range's numbers.
func (r Range) Contains(n Number) bool {
	return r.first.SameKind(n) && r.first.Cmp(n) <= 0 && n.Cmp(r.last) <= 0
}

// Overlaps reports whether r and o share at least one number. Ranges of
// different kinds never overlap: V001 and W001 are different numbers.
func (r Range) Overlaps(o Range) bool {
	return r.first.SameKind(o.first) && r.first.Cmp(o.last) <= 0 && o.first.Cmp(r.last) <= 0
}

// Slice returns the sub-range of n numbers starting offset numbers after
// First, and false when it does not fit inside r.
func (r Range) Slice(offset, n uint64) (Range, bool) {
	if n == 0 {
		return Range{}, false
	}
	f, ok := r.first.Add(offset)
	if !ok || f.Cmp(r.last) > 0 {
		return Range{}, false
	}
	l, ok := f.Add(n - 1)
	if !ok || l.Cmp(r.last) > 0 {
		return Range{}, false
	}
	return Range{first: f, last: l}, true
}

// String returns "FIRST-LAST".
func (r Range) String() string { return fmt.Sprintf("%s-%s", r.first, r.last) }

// Offset returns how many numbers after First n is, and false when r does
// not hold n.
func (r Range) Offset(n Number) (uint64, bool) { return offsetIn(r, n) }

// Intersect returns the numbers r and o share, and false when they share
// none.
func (r Range) Intersect(o Range) (Range, bool) {
	if !r.first.SameKind(o.first) || !r.Overlaps(o) {
		return Range{}, false
	}
	out := r
	if o.first.Cmp(out.first) > 0 {
		out.first = o.first
	}
	if o.last.Cmp(out.last) < 0 {
		out.last = o.last
	}
	return out, true
}

// Gaps returns the runs of r that none of parts covers, in order. parts
// must lie inside r, ascending and disjoint.
func (r Range) Gaps(parts []Range) []Range {
	var out []Range
	total, _ := r.Count().Uint64()
	var at uint64
	for _, p := range parts {
		o, ok := r.Offset(p.first)
		if !ok {
			continue
		}
		if o > at {
			g, _ := r.Slice(at, o-at)
			out = append(out, g)
		}
		n, _ := p.Count().Uint64()
		at = o + n
	}
	if at < total {
		g, _ := r.Slice(at, total-at)
		out = append(out, g)
	}
	return out
}
