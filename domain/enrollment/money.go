package enrollment

import (
	"strconv"
	"strings"
)

// Money is an exact, non-negative amount of US dollars with two decimal
// places, held as whole cents. Plan prices and fees are Money, never
// floating point, so that "15.75" is stored, summed and shown as exactly
// that.
type Money struct{ cents int64 }

// MaxMoneyWholeDigits is the most digits before the decimal point a Money
// accepts (under ten billion dollars), so that cents never overflow.
const MaxMoneyWholeDigits = 9

// Cents returns m in cents.
func (m Money) Cents() int64 { return m.cents }

// IsZero reports whether m is 0.00.
func (m Money) IsZero() bool { return m.cents == 0 }

// String renders m with two decimals, e.g. "15.75", "0.50", "25.00": the
// form the vendor's plan_list shows.
func (m Money) String() string {
	s := strconv.FormatInt(m.cents/100, 10) + "."
	c := m.cents % 100
	if c < 10 {
		s += "0"
	}
	return s + strconv.FormatInt(c, 10)
}

// MoneyFromCents returns the amount of cents; ok is false when cents is
// negative or too large for MaxMoneyWholeDigits.
func MoneyFromCents(cents int64) (Money, bool) {
	if cents < 0 || cents >= maxCents {
		return Money{}, false
	}
	return Money{cents}, true
}

var maxCents = func() int64 {
	n := int64(100)
	for i := 0; i < MaxMoneyWholeDigits; i++ {
		n *= 10
	}
	return n
}()

// ParseMoney parses a decimal amount such as "25", "25.5" or "25.50": at
// least one and at most MaxMoneyWholeDigits digits before the point and at most
// two after it, no sign, no exponent, no thousands separator. Surrounding
// spaces are ignored. ok is false for anything else.
func ParseMoney(s string) (Money, bool) {
	s = strings.TrimSpace(s)
	whole, frac, hasPoint := strings.Cut(s, ".")
	if whole == "" || len(whole) > MaxMoneyWholeDigits || len(frac) > 2 || !allDigits(whole) || !allDigits(frac) {
		return Money{}, false
	}
	if hasPoint && frac == "" {
		// "25." is what a spreadsheet never writes; refuse it as a typo.
		return Money{}, false
	}
	var cents int64
	for i := 0; i < len(whole); i++ {
		cents = cents*10 + int64(whole[i]-'0')
	}
	frac += strings.Repeat("0", 2-len(frac))
	cents = cents*100 + int64(frac[0]-'0')*10 + int64(frac[1]-'0')
	return Money{cents}, true
}

// allDigits reports whether s holds only ASCII digits (true for "").
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
