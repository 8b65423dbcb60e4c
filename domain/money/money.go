// Package money holds exact decimal money for prices, fees, taxes and
// totals. Amounts are whole cents in an int64, never a float, so that
// adding and multiplying them is exact; percentage rates keep four decimal
// places and round once, half away from zero, to the cent.
//
// The package imports only the standard library.
package money

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// MaxAmount is the largest amount Parse accepts: 999,999,999.99. It keeps
// every sum and product Allot forms (an amount times months times lines,
// each bounded by its own rule) far from int64 overflow.
const MaxAmount Amount = 99_999_999_999

// Amount is an exact amount of money in cents. The zero value is 0.00.
type Amount int64

// Cents returns a as a count of cents.
func (a Amount) Cents() int64 { return int64(a) }

// FromCents returns the amount of c cents.
func FromCents(c int64) Amount { return Amount(c) }

// Parse reads a non-negative decimal with at most two places ("25",
// "25.5", "25.50", "0.99"), as prices and fees are written. It rejects
// signs, exponents, separators, more than two places and values above
// MaxAmount. ok is false for anything it does not accept.
func Parse(s string) (Amount, bool) {
	whole, frac, hasDot := strings.Cut(strings.TrimSpace(s), ".")
	if whole == "" || len(whole) > 9 || !digits(whole) || len(frac) > 2 || (hasDot && frac == "") || (frac != "" && !digits(frac)) {
		return 0, false
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, false
	}
	f := int64(0)
	if frac != "" {
		f, _ = strconv.ParseInt(frac+strings.Repeat("0", 2-len(frac)), 10, 64)
	}
	a := Amount(w*100 + f)
	if a > MaxAmount {
		return 0, false
	}
	return a, true
}

// MustParse is Parse for constants; it panics on bad input.
func MustParse(s string) Amount {
	a, ok := Parse(s)
	if !ok {
		panic(fmt.Sprintf("money: bad amount %q", s))
	}
	return a
}

// String renders a with two places, as the vendor's examples show money
// ("15.75", "0.00", "-3.10").
func (a Amount) String() string {
	c := int64(a)
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)
}

// Times returns a multiplied by n.
func (a Amount) Times(n int64) Amount { return a * Amount(n) }

// Min returns the smaller of a and b.
func Min(a, b Amount) Amount {
	if a < b {
		return a
	}
	return b
}

// rateScale is the number of Rate units in one percent: four decimal
// places of a percentage, e.g. 7.2500% is 72500.
const rateScale = 10_000

// MaxRate is the largest rate ParseRate accepts: 100%.
const MaxRate Rate = 100 * rateScale

// Rate is a percentage with four decimal places (7.25% is 72500). The zero
// value is 0%.
type Rate int64

// ParseRate reads a percentage between 0 and 100 with at most four
// decimal places ("7.25" is 7.25%). ok is false for anything else.
func ParseRate(s string) (Rate, bool) {
	whole, frac, hasDot := strings.Cut(strings.TrimSpace(s), ".")
	if whole == "" || len(whole) > 3 || !digits(whole) || len(frac) > 4 || (hasDot && frac == "") || (frac != "" && !digits(frac)) {
		return 0, false
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	f := int64(0)
	if frac != "" {
		f, _ = strconv.ParseInt(frac+strings.Repeat("0", 4-len(frac)), 10, 64)
	}
	r := Rate(w*rateScale + f)
	if r > MaxRate {
		return 0, false
	}
	return r, true
}

// MustParseRate is ParseRate for constants; it panics on bad input.
func MustParseRate(s string) Rate {
	r, ok := ParseRate(s)
	if !ok {
		panic(fmt.Sprintf("money: bad rate %q", s))
	}
	return r
}

// String renders r as a percentage without trailing zeros ("7.25", "0",
// "12.5").
func (r Rate) String() string {
	w, f := int64(r)/rateScale, int64(r)%rateScale
	if f == 0 {
		return strconv.FormatInt(w, 10)
	}
	return strings.TrimRight(fmt.Sprintf("%d.%04d", w, f), "0")
}

// Of returns r percent of a, rounded half away from zero to the cent. The
// product is formed exactly, in arbitrary precision, before the one
// rounding.
func (r Rate) Of(a Amount) Amount {
	// a × r / (100 × rateScale), rounded half away from zero.
	num := new(big.Int).Mul(big.NewInt(int64(a)), big.NewInt(int64(r)))
	den := big.NewInt(100 * rateScale)
	neg := num.Sign() < 0
	num.Abs(num)
	q, m := new(big.Int).QuoRem(num, den, new(big.Int))
	if m.Lsh(m, 1).Cmp(den) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if neg {
		q.Neg(q)
	}
	return Amount(q.Int64())
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// IsZero reports whether a is 0.00.
func (a Amount) IsZero() bool { return a == 0 }
