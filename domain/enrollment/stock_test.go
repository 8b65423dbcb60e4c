package enrollment_test

import (
	"testing"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
)

// TestCheckICCID: 19 or 20 digits whose last is the Luhn digit; anything
// else is SIM_INVALID naming the line and the field.
func TestCheckICCID(t *testing.T) {
	for _, tc := range []struct {
		iccid string
		ok    bool
	}{
		{"8901260000000000014", true},   // 19 digits, Luhn 4
		{"89012600000000000180", false}, // 20 digits, wrong digit
		{"89012600000000000185", true},  // 20 digits, Luhn 5
		{"8901260000000000017", false},  // wrong check digit
		{"890126000000000001", false},   // 18 digits
		{"890126000000000000000", false},
		{"890126000000000001X", false},
		{"", false},
	} {
		err := enrollment.CheckICCID(2, 3, tc.iccid, "uiccid")
		if tc.ok != (err == nil) {
			t.Errorf("CheckICCID(%q) = %v, want ok %v", tc.iccid, err, tc.ok)
			continue
		}
		if err == nil {
			continue
		}
		fe, _ := fault.As(err)
		if fe.Reason != enrollment.ReasonSIMInvalid || len(fe.Violations) != 1 || fe.Violations[0].Line != 2 || fe.Violations[0].Field != "uiccid" ||
			fe.Violations[0].Message[:7] != "Line 2:" {
			t.Errorf("CheckICCID(%q): %+v", tc.iccid, fe)
		}
	}
}

// TestWithAreaCode: an NPA is three digits, the first 2 to 9; "" clears.
func TestWithAreaCode(t *testing.T) {
	z := enrollment.ServiceZip{Zip: "98103", City: "SEATTLE", State: "WA"}
	for code, ok := range map[string]bool{"206": true, " 360 ": true, "": true, "106": false, "20": false, "2066": false, "2a6": false} {
		got, err := z.WithAreaCode(code)
		if ok != (err == nil) {
			t.Errorf("WithAreaCode(%q) = %v, want ok %v", code, err, ok)
			continue
		}
		if !ok && fault.ReasonOf(err) != enrollment.ReasonInvalidAreaCode {
			t.Errorf("WithAreaCode(%q): %v", code, err)
		}
		if ok && got.AreaCode != map[string]string{"206": "206", " 360 ": "360", "": ""}[code] {
			t.Errorf("WithAreaCode(%q) = %+v", code, got)
		}
	}
}

// TestActivateFromStock: the activation of a line whose MDN is still to be
// drawn follows the rule of Activate.
func TestActivateFromStock(t *testing.T) {
	tr, err := enrollment.ActivateFromStock(enrollment.NewActivation, enrollment.StatusSubmitted)
	if err != nil || tr.To != enrollment.StatusActive || tr.Event != enrollment.EventActivate {
		t.Fatalf("ActivateFromStock = %+v, %v", tr, err)
	}
	if _, err := enrollment.ActivateFromStock(enrollment.NewActivation, enrollment.StatusQueued); fault.ReasonOf(err) != enrollment.ReasonLineTransitionInvalid {
		t.Fatalf("from QUEUED: %v", err)
	}
}
