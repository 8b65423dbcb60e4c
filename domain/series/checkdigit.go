package series

import (
	"fmt"
	"math/bits"
	"strings"

	"github.com/allot-io/allot/domain/fault"
)

// Scheme is a series' check-digit scheme. A series with a scheme stores its
// serials without the check digit; its numbers are handed out, looked up
// and consumed with the digit appended.
type Scheme string

// The check-digit schemes.
const (
	// NoCheck numbers carry no check digit.
	NoCheck Scheme = "none"
	// Mod7 is the air-waybill scheme of airline cargo stock: a 7-digit
	// serial followed by the serial mod 7.
	Mod7 Scheme = "mod7"
	// Luhn is the ISO/IEC 7812 mod-10 scheme of ICCIDs and IMEIs.
	Luhn Scheme = "luhn"
)

// Mod7Serial is the width of the serials of a Mod7 series.
const Mod7Serial = 7

// ParseScheme parses a scheme name, case-insensitively; the empty string
// means NoCheck.
func ParseScheme(s string) (Scheme, bool) {
	switch sc := Scheme(strings.ToLower(strings.TrimSpace(s))); sc {
	case "", NoCheck:
		return NoCheck, true
	case Mod7, Luhn:
		return sc, true
	}
	return "", false
}

// Mod7Digit returns the check digit of an air-waybill serial: the serial,
// read as a decimal number, mod 7. ok is false unless digits is only
// decimal digits.
func Mod7Digit(digits string) (d byte, ok bool) {
	var r uint
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		r = (r*10 + uint(c-'0')) % 7
	}
	return byte('0' + r), digits != ""
}

// LuhnDigit returns the Luhn check digit to append to payload. ok is false
// unless payload is only decimal digits.
func LuhnDigit(payload string) (d byte, ok bool) {
	sum, ok := luhnSum(payload, true)
	if !ok {
		return 0, false
	}
	return byte('0' + (10-sum%10)%10), true
}

// LuhnValid reports whether digits, check digit included, passes the Luhn
// check.
func LuhnValid(digits string) bool {
	sum, ok := luhnSum(digits, false)
	return ok && len(digits) > 1 && sum%10 == 0
}

// luhnSum adds the digits of s from the right, doubling every second one;
// doubleFirst doubles the rightmost (as when a check digit is still to come).
func luhnSum(s string, doubleFirst bool) (int, bool) {
	if s == "" {
		return 0, false
	}
	sum := 0
	double := doubleFirst
	for i := len(s) - 1; i >= 0; i-- {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d := int(c - '0')
		if double {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum, true
}

// digit returns the check digit of the serial digits under sc.
func (sc Scheme) digit(digits string) byte {
	var d byte
	switch sc {
	case Mod7:
		d, _ = Mod7Digit(digits)
	case Luhn:
		d, _ = LuhnDigit(digits)
	}
	return d
}

// CheckSerials reports, as an Invalid fault.Error on field end, a range a
// series with scheme sc cannot hold: a Mod7 series holds 7-digit serials,
// and a serial with its check digit must fit in MaxDigits.
func (sc Scheme) CheckSerials(r Range) error {
	switch {
	case sc == Mod7 && r.Width() != Mod7Serial:
		return fault.InvalidField("check_digit", "width", ReasonInvalidScheme,
			fmt.Sprintf("a mod7 series holds 7-digit serials (the check digit is added), but %s has %d digits", r, r.Width()))
	case sc != NoCheck && r.Width() >= MaxDigits:
		return fault.InvalidField("check_digit", "width", ReasonInvalidScheme,
			fmt.Sprintf("a series with check digits holds serials of at most %d digits", MaxDigits-1))
	}
	return nil
}

// Full returns serial with its check digit appended, as the series' numbers
// are shown; with NoCheck, serial itself.
func (sc Scheme) Full(serial Number) Number {
	if sc == NoCheck || sc == "" || serial.width >= MaxDigits {
		return serial
	}
	d := sc.digit(serial.Digits())
	return Number{prefix: serial.prefix, width: serial.width + 1, v: serial.v.mul10add(uint64(d - '0'))}
}

// Serial strips and checks the check digit of n, a number of a series with
// scheme sc, and returns the serial as stored; with NoCheck, n itself.
// Invalid INVALID_CHECK_DIGIT, naming n and the digit expected, when the
// digit is wrong.
func (sc Scheme) Serial(n Number) (Number, error) {
	if sc == NoCheck || sc == "" {
		return n, nil
	}
	if n.width < 2 {
		return Number{}, fault.Errorf(fault.Invalid, ReasonCheckDigit, "number %s is too short to carry a %s check digit", n, sc)
	}
	q, r := n.v.divmod10()
	serial := Number{prefix: n.prefix, width: n.width - 1, v: q}
	if want := sc.digit(serial.Digits()); byte('0'+r) != want {
		return Number{}, fault.Errorf(fault.Invalid, ReasonCheckDigit,
			"number %s has a wrong %s check digit: the check digit of %s is %c", n, sc, serial, want)
	}
	return serial, nil
}

// divmod10 returns a / 10 and a % 10.
func (a u128) divmod10() (u128, uint64) {
	hi := a.hi / 10
	lo, r := bits.Div64(a.hi%10, a.lo, 10)
	return u128{hi, lo}, r
}

// SplitCheck returns n without its last digit, the serial n would carry if
// that digit were a check digit, and false when n has a single digit. It
// checks nothing: Scheme.Serial does, once a series' scheme is known.
func SplitCheck(n Number) (Number, bool) {
	if n.width < 2 {
		return Number{}, false
	}
	q, _ := n.v.divmod10()
	return Number{prefix: n.prefix, width: n.width - 1, v: q}, true
}
