package enrollment_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
)

// FuzzValidateField sets one field of a valid PORTIN line to arbitrary text:
// Validate must not panic, must either accept or report violations that
// name a known field, and must never print the port SSN.
func FuzzValidateField(f *testing.F) {
	fields := enrollment.LineFields()
	for i, v := range []string{"", " ", "wn116", "4g", "PORTIN", "José", "a@b.c", "\u2019", "ſ", strings.Repeat("9", 30)} {
		f.Add(uint8(i*5), v)
	}
	f.Fuzz(func(t *testing.T, which uint8, value string) {
		spec := fields[int(which)%len(fields)]
		line := portInLine("WN116")
		line["port_ssn"] = "555443333"
		line[spec.JSON] = value
		r, err := enrollment.Validate(request(t, line), enrollment.Limits{})
		if err != nil {
			fe, ok := fault.As(err)
			if !ok || fe.Code != fault.Invalid || len(fe.Violations) == 0 {
				t.Fatalf("Validate = %v", err)
			}
			for _, v := range fe.Violations {
				if v.Field == "" || v.Reason == "" || v.Message == "" || v.Line != 1 {
					t.Fatalf("incomplete violation %+v", v)
				}
			}
			return
		}
		l := r.Lines()[0]
		if s := fmt.Sprintf("%v %+v %#v %d", r, l, l, l); strings.Contains(s, "555443333") {
			t.Fatalf("SSN printed: %s", s)
		}
		if l.EnrollmentID() != strings.ToUpper(l.EnrollmentID()) {
			t.Fatalf("enrollment id %q not upper-case", l.EnrollmentID())
		}
	})
}
