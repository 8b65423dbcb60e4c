package httpapi

import (
	"bytes"
	"encoding/json"
	"strconv"
	"testing"
)

// decodedScalar is scalarText without its fast path: what a decoder reads.
func decodedScalar(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", true
	}
	if raw[0] == '{' || raw[0] == '[' {
		return "", false
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", false
	}
	switch v := v.(type) {
	case nil:
		return "", true
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}

var scalarCases = []string{
	`"plain"`, `""`, `"112 N 41ST ST"`, `"tést ünïcode"`, `"a\"b"`, `"a\\b"`, `"\u0041"`, `"line\nbreak"`,
	"\"raw\xffbyte\"", "\"tab\there\"", `null`, `true`, `false`, `0`, `-1`, `1828`, `1.5e3`, `00`, `1.`, `-`,
	` "spaced" `, `nul`, `"unterminated`, `{}`, `[]`, ``, `"1599"`, `TRUE`,
}

// TestScalarFastPath checks that reading scalars off the bytes gives what
// a decoder gives, whenever the fast path answers.
func TestScalarFastPath(t *testing.T) {
	for _, c := range scalarCases {
		got, gotOK := scalarText(json.RawMessage(c))
		want, wantOK := decodedScalar(json.RawMessage(c))
		if got != want || gotOK != wantOK {
			t.Errorf("scalarText(%q) = %q, %v; a decoder reads %q, %v", c, got, gotOK, want, wantOK)
		}
	}
}

func FuzzScalarFastPath(f *testing.F) {
	for _, c := range scalarCases {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, c string) {
		got, gotOK := scalarText(json.RawMessage(c))
		want, wantOK := decodedScalar(json.RawMessage(c))
		if got != want || gotOK != wantOK {
			t.Errorf("scalarText(%q) = %q, %v; a decoder reads %q, %v", c, got, gotOK, want, wantOK)
		}
	})
}
