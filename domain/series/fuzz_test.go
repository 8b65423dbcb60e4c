package series

import (
	"math/big"
	"strings"
	"testing"
)

// FuzzParseNumber checks that every accepted text round-trips through
// String, that its value agrees with math/big, and that adding one agrees
// with math/big too. The seed corpus lives in testdata/fuzz/FuzzParseNumber.
func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"V10000051", "awb000123", "8901260123456789012", "99999999999999999999", "", "V", "V1x", "ABCDEFGHIJK1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseNumber(s)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if got := n.String(); got != strings.ToUpper(s) {
			t.Fatalf("String() = %q, input %q", got, s)
		}
		if n.Width() < 1 || n.Width() > MaxDigits || len(n.Prefix()) > MaxPrefix {
			t.Fatalf("bad shape %q: width %d prefix %q", s, n.Width(), n.Prefix())
		}
		v, ok := new(big.Int).SetString(n.Digits(), 10)
		if !ok {
			t.Fatalf("digits %q are not decimal", n.Digits())
		}
		limit := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n.Width())), nil)
		next := new(big.Int).Add(v, big.NewInt(1))
		m, ok := n.Add(1)
		if next.Cmp(limit) >= 0 {
			if ok {
				t.Fatalf("%s + 1 = %s, want overflow", n, m)
			}
			return
		}
		if !ok {
			t.Fatalf("%s + 1 overflowed", n)
		}
		mv, _ := new(big.Int).SetString(m.Digits(), 10)
		if mv.Cmp(next) != 0 || m.Width() != n.Width() || m.Cmp(n) <= 0 {
			t.Fatalf("%s + 1 = %s, want %s", n, m, next)
		}
		r, err := NewRange(n, m)
		if err != nil || r.Count().String() != "2" {
			t.Fatalf("range %s..%s: %v count %s", n, m, err, r.Count())
		}
	})
}
