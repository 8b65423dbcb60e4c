package httpapi

import (
	"encoding/json"
	"testing"
)

var scalarCases = []string{
	`"plain"`, `""`, `"112 N 41ST ST"`, `"tést ünïcode"`, `"a\"b"`, `"a\\b"`, `"\u0041"`, `"line\nbreak"`,
	"\"raw\xffbyte\"", "\"tab\there\"", `null`, `true`, `false`, `0`, `-1`, `1828`, `1.5e3`, `00`, `1.`, `-`,
	` "spaced" `, `nul`, `"unterminated`, `{}`, `[]`, ``, `"1599"`, `TRUE`,
}

// TestScalarFastPath checks that reading scalars off the bytes gives what
// a decoder gives, whenever the fast path answers.
func TestScalarFastPath(t *testing.T) {
	for _, c := range scalarCases {
		checkScalar(t, c)
	}
}

func FuzzScalarFastPath(f *testing.F) {
	for _, c := range scalarCases {
		f.Add(c)
	}
	f.Fuzz(checkScalar)
}

// checkScalar compares scalarText with decodedScalar, the decoder alone.
func checkScalar(t *testing.T, c string) {
	got, gotOK := scalarText(json.RawMessage(c))
	want, wantOK := decodedScalar(json.RawMessage(c))
	if got != want || gotOK != wantOK {
		t.Errorf("scalarText(%q) = %q, %v; a decoder reads %q, %v", c, got, gotOK, want, wantOK)
	}
}
