package enrollment

import (
	"github.com/allot-io/allot/domain/money"
)

// Money is an exact, non-negative amount of US dollars held as whole cents:
// plan prices and fees. It is money.Amount, so that a plan's price enters
// a quote or an order with no conversion and the decimal rules have one
// home (package money).
type Money = money.Amount

// MaxMoneyWholeDigits is the most digits before the decimal point a Money
// may have (money.MaxAmount is 999,999,999.99).
const MaxMoneyWholeDigits = 9

// MoneyFromCents returns the amount of cents; ok is false when cents is
// negative or above money.MaxAmount.
func MoneyFromCents(cents int64) (Money, bool) {
	if cents < 0 || cents > money.MaxAmount.Cents() {
		return 0, false
	}
	return money.FromCents(cents), true
}

// ParseMoney parses a decimal amount such as "25", "25.5" or "25.50" by
// money.Parse's rules: no sign, no exponent, no separator, at most two
// places. Surrounding spaces are ignored. ok is false for anything else.
func ParseMoney(s string) (Money, bool) { return money.Parse(s) }

// allDigits reports whether s holds only ASCII digits (true for "").
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
