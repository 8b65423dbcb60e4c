package money_test

import (
	"testing"

	"github.com/allot-io/allot/domain/money"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
		ok   bool
	}{
		{"25", "25.00", true},
		{"25.5", "25.50", true},
		{"25.50", "25.50", true},
		{"0.99", "0.99", true},
		{" 007.10 ", "7.10", true},
		{"999999999.99", "999999999.99", true},
		{"1000000000", "", false},
		{"25.", "", false},
		{".5", "", false},
		{"25.555", "", false},
		{"-1", "", false},
		{"+1", "", false},
		{"1e3", "", false},
		{"1,000", "", false},
		{"", "", false},
		{"abc", "", false},
	} {
		a, ok := money.Parse(tc.in)
		if ok != tc.ok || (ok && a.String() != tc.want) {
			t.Errorf("Parse(%q) = %s, %v; want %s, %v", tc.in, a, ok, tc.want, tc.ok)
		}
	}
}

func TestAmountString(t *testing.T) {
	for _, tc := range []struct {
		cents int64
		want  string
	}{{0, "0.00"}, {5, "0.05"}, {1575, "15.75"}, {-310, "-3.10"}, {100000, "1000.00"}} {
		if got := money.FromCents(tc.cents).String(); got != tc.want {
			t.Errorf("%d cents = %q, want %q", tc.cents, got, tc.want)
		}
	}
}

func TestParseRate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
		ok   bool
	}{
		{"7.25", "7.25", true},
		{"0", "0", true},
		{"100", "100", true},
		{"12.5000", "12.5", true},
		{"0.0001", "0.0001", true},
		{"100.0001", "", false},
		{"0.00001", "", false},
		{"-1", "", false},
		{"", "", false},
		{"7.", "", false},
	} {
		r, ok := money.ParseRate(tc.in)
		if ok != tc.ok || (ok && r.String() != tc.want) {
			t.Errorf("ParseRate(%q) = %s, %v; want %s, %v", tc.in, r, ok, tc.want, tc.ok)
		}
	}
}

func TestRateOf(t *testing.T) {
	for _, tc := range []struct {
		rate, amount, want string
	}{
		{"10", "25.00", "2.50"},
		{"7.25", "25.00", "1.81"},  // 1.8125 rounds down
		{"7.25", "25.02", "1.81"},  // 1.81395
		{"6.5", "0.10", "0.01"},    // 0.0065 rounds up at the half cent and above
		{"5", "0.10", "0.01"},      // exactly half a cent rounds away from zero
		{"4.9999", "0.10", "0.00"}, // just under half a cent
		{"100", "999999999.99", "999999999.99"},
		{"0", "50.00", "0.00"},
		{"33.3333", "100.00", "33.33"},
	} {
		got := money.MustParseRate(tc.rate).Of(money.MustParse(tc.amount))
		if got.String() != tc.want {
			t.Errorf("%s%% of %s = %s, want %s", tc.rate, tc.amount, got, tc.want)
		}
	}
	// Negative amounts round symmetrically.
	if got := money.MustParseRate("5").Of(money.FromCents(-10)); got != money.FromCents(-1) {
		t.Errorf("5%% of -0.10 = %s, want -0.01", got)
	}
	// The exact product exceeds int64 before the division and still comes out right.
	big := money.MaxAmount.Times(24 * 1000)
	if got := money.MaxRate.Of(big); got != big {
		t.Errorf("100%% of %s = %s", big, got)
	}
}
