package series

import (
	"errors"
	"math/big"
	"strings"
	"testing"
)

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in             string
		prefix, digits string
		rule           string // "" means valid
	}{
		{in: "V10000051", prefix: "V", digits: "10000051"},
		{in: "v10000051", prefix: "V", digits: "10000051"},
		{in: "AWB000123", prefix: "AWB", digits: "000123"},
		{in: "8901260123456789012", prefix: "", digits: "8901260123456789012"},
		{in: "99999999999999999999", prefix: "", digits: "99999999999999999999"},
		{in: "0", prefix: "", digits: "0"},
		{in: "ABCDEFGHIJ1", prefix: "ABCDEFGHIJ", digits: "1"},
		{in: "", rule: "required"},
		{in: "V", rule: "digits"},
		{in: "V12A3", rule: "digits"},
		{in: "V-123", rule: "digits"},
		{in: " V123", rule: "digits"},
		{in: "V123 ", rule: "digits"},
		{in: "É123", rule: "digits"},
		{in: "999999999999999999999", rule: "length"},
		{in: "ABCDEFGHIJK1", rule: "prefix"},
	}
	for _, tt := range tests {
		n, err := ParseNumber(tt.in)
		if tt.rule != "" {
			var ne *NumberError
			if !errors.As(err, &ne) || ne.Rule != tt.rule {
				t.Errorf("ParseNumber(%q) = %v, %v; want rule %q", tt.in, n, err, tt.rule)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseNumber(%q): %v", tt.in, err)
			continue
		}
		if n.Prefix() != tt.prefix || n.Digits() != tt.digits || n.Width() != len(tt.digits) {
			t.Errorf("ParseNumber(%q) = %q %q w%d", tt.in, n.Prefix(), n.Digits(), n.Width())
		}
		if n.String() != strings.ToUpper(tt.in) {
			t.Errorf("String() = %q, want %q", n.String(), strings.ToUpper(tt.in))
		}
	}
}

func TestNumberAdd(t *testing.T) {
	tests := []struct {
		in   string
		k    uint64
		want string // "" means overflow
	}{
		{"V10000051", 9, "V10000060"},
		{"V0009", 1, "V0010"},
		{"V9999", 1, ""},
		{"99999999999999999998", 1, "99999999999999999999"},
		{"99999999999999999999", 1, ""},
		{"18446744073709551615", 1, "18446744073709551616"}, // crosses 2^64
		{"00000000000000000001", 1<<64 - 1, "18446744073709551616"},
		{"1", 1<<64 - 1, ""},
	}
	for _, tt := range tests {
		got, ok := MustParseNumber(tt.in).Add(tt.k)
		if tt.want == "" {
			if ok {
				t.Errorf("%s + %d = %s, want overflow", tt.in, tt.k, got)
			}
			continue
		}
		if !ok || got.String() != tt.want {
			t.Errorf("%s + %d = %s %v, want %s", tt.in, tt.k, got, ok, tt.want)
		}
	}
}

func TestRangeCountExact(t *testing.T) {
	tests := []struct{ first, last, want string }{
		{"V10000071", "V10000080", "10"},
		{"V5", "V5", "1"},
		{"00000000000000000000", "99999999999999999999", "100000000000000000000"},
		{"10000000000000000000", "18446744073709551616", "8446744073709551617"},
	}
	for _, tt := range tests {
		r := MustParseRange(tt.first, tt.last)
		if got := r.Count().String(); got != tt.want {
			t.Errorf("Count(%s) = %s, want %s", r, got, tt.want)
		}
		// Cross-check against math/big.
		f, _ := new(big.Int).SetString(r.First().Digits(), 10)
		l, _ := new(big.Int).SetString(r.Last().Digits(), 10)
		want := new(big.Int).Add(new(big.Int).Sub(l, f), big.NewInt(1))
		if want.String() != r.Count().String() {
			t.Errorf("Count(%s) = %s, big says %s", r, r.Count(), want)
		}
	}
	if _, ok := MustParseRange("00000000000000000000", "99999999999999999999").Count().Uint64(); ok {
		t.Error("a 10^20 count must not fit in uint64")
	}
	if c, ok := MustParseRange("V1", "V9").Count().Uint64(); !ok || c != 9 {
		t.Errorf("Uint64 = %d %v", c, ok)
	}
}

func TestNewRange(t *testing.T) {
	tests := []struct{ first, last, rule string }{
		{"V10000051", "V10000060", ""},
		{"V10000051", "V10000051", ""},
		{"V10000051", "W10000060", "prefix"},
		{"V10000051", "V100000600", "width"},
		{"V10000060", "V10000051", "order"},
	}
	for _, tt := range tests {
		_, err := ParseRange(tt.first, tt.last)
		var re *RangeError
		switch {
		case tt.rule == "" && err != nil:
			t.Errorf("ParseRange(%s, %s): %v", tt.first, tt.last, err)
		case tt.rule != "" && (!errors.As(err, &re) || re.Rule != tt.rule):
			t.Errorf("ParseRange(%s, %s) = %v, want rule %s", tt.first, tt.last, err, tt.rule)
		}
	}
}

func TestOverlapsAndContains(t *testing.T) {
	r := MustParseRange("V10000051", "V10000060")
	tests := []struct {
		first, last string
		want        bool
	}{
		{"V10000041", "V10000050", false},
		{"V10000041", "V10000051", true},
		{"V10000055", "V10000056", true},
		{"V10000060", "V10000070", true},
		{"V10000061", "V10000070", false},
		{"V10000001", "V10000099", true},
		{"W10000051", "W10000060", false},   // other prefix
		{"V010000051", "V010000060", false}, // other width
	}
	for _, tt := range tests {
		o := MustParseRange(tt.first, tt.last)
		if got := r.Overlaps(o); got != tt.want {
			t.Errorf("%s overlaps %s = %v, want %v", r, o, got, tt.want)
		}
		if got := o.Overlaps(r); got != tt.want {
			t.Errorf("overlap not symmetric for %s", o)
		}
	}
	if !r.Contains(MustParseNumber("V10000055")) || r.Contains(MustParseNumber("V10000061")) || r.Contains(MustParseNumber("W10000055")) {
		t.Error("Contains is wrong")
	}
}

func TestSlice(t *testing.T) {
	r := MustParseRange("V10000071", "V10000080")
	if s, ok := r.Slice(0, 3); !ok || s.String() != "V10000071-V10000073" {
		t.Errorf("Slice(0,3) = %s %v", s, ok)
	}
	if s, ok := r.Slice(9, 1); !ok || s.String() != "V10000080-V10000080" {
		t.Errorf("Slice(9,1) = %s %v", s, ok)
	}
	for _, c := range [][2]uint64{{9, 2}, {10, 1}, {0, 0}, {0, 11}} {
		if s, ok := r.Slice(c[0], c[1]); ok {
			t.Errorf("Slice(%d,%d) = %s, want false", c[0], c[1], s)
		}
	}
}
