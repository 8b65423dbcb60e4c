package series

import (
	"slices"
	"testing"

	"github.com/allot-io/allot/domain/fault"
)

// TestValidateRangeAgreesWithValidate checks that ValidateRange, which a
// form uses to show a count early, judges start and end exactly as
// Validate judges a whole request.
func TestValidateRangeAgreesWithValidate(t *testing.T) {
	lim := Limits{MaxSize: 100}
	cases := [][2]string{
		{"V10000051", "V10000060"}, {"v1", "V1"}, {"", ""}, {"V1", ""}, {"X", "V1"},
		{"V10", "W10"}, {"V10", "V100"}, {"V20", "V10"}, {"V100", "V300"},
		{"8901260123456789012", "8901260123456789099"},
	}
	rangeFields := func(err error) []fault.Violation {
		fe, ok := fault.As(err)
		if !ok {
			return nil
		}
		var out []fault.Violation
		for _, v := range fe.Violations {
			if v.Field == "start" || v.Field == "end" {
				out = append(out, v)
			}
		}
		return out
	}
	for _, c := range cases {
		r, err := ValidateRange(c[0], c[1], lim)
		d, full := Validate(Spec{Start: c[0], End: c[1], ClientCode: "C", ItemCode: "I"}, lim)
		if !slices.Equal(rangeFields(err), rangeFields(full)) {
			t.Errorf("%v: ValidateRange says %v, Validate %v", c, err, full)
		}
		if err == nil && (r != d.Range || r.IsZero()) {
			t.Errorf("%v: ValidateRange = %v, Validate = %v", c, r, d.Range)
		}
		if err != nil && fault.CodeOf(err) != fault.Invalid {
			t.Errorf("%v: code %s", c, fault.CodeOf(err))
		}
	}
	r, err := ValidateRange(" V10000051 ", "V10000060", Limits{})
	if err != nil || r.Count().String() != "10" {
		t.Errorf("ValidateRange count = %v, %v", r, err)
	}
}
