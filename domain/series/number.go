package series

import (
	"math/bits"
	"strconv"
	"strings"
)

// Limits of a series number.
const (
	// MaxDigits is the most digits a number may have (ICCIDs have 19-20).
	MaxDigits = 20
	// MaxPrefix is the most letters a prefix may have.
	MaxPrefix = 10
)

// u128 holds the value of up to 20 decimal digits, which overflows int64.
type u128 struct{ hi, lo uint64 }

func (a u128) cmp(b u128) int {
	switch {
	case a.hi < b.hi:
		return -1
	case a.hi > b.hi:
		return 1
	case a.lo < b.lo:
		return -1
	case a.lo > b.lo:
		return 1
	}
	return 0
}

func (a u128) add(b u128) u128 {
	lo, c := bits.Add64(a.lo, b.lo, 0)
	hi, _ := bits.Add64(a.hi, b.hi, c)
	return u128{hi, lo}
}

func (a u128) sub(b u128) u128 {
	lo, brw := bits.Sub64(a.lo, b.lo, 0)
	hi, _ := bits.Sub64(a.hi, b.hi, brw)
	return u128{hi, lo}
}

func (a u128) mul10add(d uint64) u128 {
	hi, lo := bits.Mul64(a.lo, 10)
	hi += a.hi * 10
	lo, c := bits.Add64(lo, d, 0)
	hi += c
	return u128{hi, lo}
}

// decimal renders a as exactly width digits, zero-padded. a must fit.
func (a u128) decimal(width int) string {
	var buf [MaxDigits + 1]byte // a count can reach 10^20, one digit more than a number
	i := len(buf)
	for a.hi != 0 || a.lo != 0 {
		q, r := bits.Div64(a.hi%10, a.lo, 10)
		a = u128{a.hi / 10, q}
		i--
		buf[i] = byte('0' + r)
	}
	for len(buf)-i < width {
		i--
		buf[i] = '0'
	}
	return string(buf[i:])
}

// pow10[w] is 10^w, the first value that does not fit in w digits.
var pow10 = func() [MaxDigits + 1]u128 {
	var p [MaxDigits + 1]u128
	p[0] = u128{0, 1}
	for i := 1; i <= MaxDigits; i++ {
		p[i] = p[i-1].mul10add(0)
	}
	return p
}()

// Number is a parsed series number: an optional upper-case letter prefix and
// a fixed count of digits. The zero Number is not valid; use ParseNumber.
type Number struct {
	prefix string
	width  uint8
	v      u128
}

// NumberError explains why a text is not a series number.
type NumberError struct {
	Input string
	// Rule is one of "required", "prefix", "digits", "length".
	Rule string
}

func (e *NumberError) Error() string {
	switch e.Rule {
	case "required":
		return "a series number is required"
	case "prefix":
		return "a series number may start with at most " + strconv.Itoa(MaxPrefix) + " letters A-Z"
	case "length":
		return "a series number must have 1 to " + strconv.Itoa(MaxDigits) + " digits"
	}
	return "a series number must be letters A-Z followed only by digits"
}

// ParseNumber parses s as an optional prefix of letters A-Z (case-insensitive,
// kept upper-case) followed by 1 to 20 digits. Leading zeros are significant:
// they fix the width.
func ParseNumber(s string) (Number, error) {
	if s == "" {
		return Number{}, &NumberError{Input: s, Rule: "required"}
	}
	i := 0
	for i < len(s) && isLetter(s[i]) {
		i++
	}
	if i > MaxPrefix {
		return Number{}, &NumberError{Input: s, Rule: "prefix"}
	}
	digits := s[i:]
	if digits == "" {
		return Number{}, &NumberError{Input: s, Rule: "digits"}
	}
	var v u128
	for j := 0; j < len(digits); j++ {
		c := digits[j]
		if c < '0' || c > '9' {
			return Number{}, &NumberError{Input: s, Rule: "digits"}
		}
		if j >= MaxDigits {
			return Number{}, &NumberError{Input: s, Rule: "length"}
		}
		v = v.mul10add(uint64(c - '0'))
	}
	return Number{prefix: upper(s[:i]), width: uint8(len(digits)), v: v}, nil
}

// MustParseNumber is ParseNumber for constants in tests and examples; it
// panics on a bad number.
func MustParseNumber(s string) Number {
	n, err := ParseNumber(s)
	if err != nil {
		panic(err)
	}
	return n
}

func isLetter(c byte) bool { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') }

func upper(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 'a' && s[i] <= 'z' {
			return strings.ToUpper(s)
		}
	}
	return s
}

// Prefix returns the upper-case letter prefix, possibly empty.
func (n Number) Prefix() string { return n.prefix }

// Width returns the number of digits.
func (n Number) Width() int { return int(n.width) }

// Digits returns the digits, zero-padded to Width.
func (n Number) Digits() string { return n.v.decimal(int(n.width)) }

// String returns the canonical form: prefix then digits.
func (n Number) String() string { return n.prefix + n.Digits() }

// IsZero reports whether n is the zero Number (not a parsed one).
func (n Number) IsZero() bool { return n.width == 0 }

// SameKind reports whether n and o share prefix and width, so that they can
// be compared and belong to one range.
func (n Number) SameKind(o Number) bool { return n.prefix == o.prefix && n.width == o.width }

// Cmp compares the numeric parts of n and o: -1, 0 or +1. It is meaningful
// only for numbers of the same kind.
func (n Number) Cmp(o Number) int { return n.v.cmp(o.v) }

// Add returns n + k and true, or false when the result needs more digits
// than n's width.
func (n Number) Add(k uint64) (Number, bool) {
	r := n.v.add(u128{0, k})
	if r.cmp(pow10[n.width]) >= 0 || r.cmp(n.v) < 0 {
		return Number{}, false
	}
	return Number{prefix: n.prefix, width: n.width, v: r}, true
}

// Count is an exact count of numbers; a range of 20-digit numbers can hold
// more than fits in a uint64.
type Count struct{ v u128 }

// Uint64 returns the count and true when it fits in a uint64.
func (c Count) Uint64() (uint64, bool) { return c.v.lo, c.v.hi == 0 }

// String returns the count in decimal.
func (c Count) String() string {
	if c.v.hi == 0 {
		return strconv.FormatUint(c.v.lo, 10)
	}
	return c.v.decimal(1)
}

// Exceeds reports whether the count is greater than max.
func (c Count) Exceeds(max uint64) bool { return c.v.cmp(u128{0, max}) > 0 }
