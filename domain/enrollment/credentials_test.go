package enrollment

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/allot-io/allot/domain/fault"
)

func TestCheckVendorCredentials(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) }
	for _, tc := range []struct {
		vendor, user, password, pin string
		fields                      []string
	}{
		{"V1", "agent", "", "", nil},
		{"V1", "agent", long(MaxVendorPassword), long(MaxVendorPIN), nil},
		{"", "agent", "", "", []string{"vendor_id"}},
		{"V 1", "a\tb", "", "", []string{"vendor_id", "username"}},
		{long(MaxCredential + 1), "agent", long(MaxVendorPassword + 1), long(MaxVendorPIN + 1), []string{"vendor_id", "password", "pin"}},
	} {
		err := CheckVendorCredentials(tc.vendor, tc.user, tc.password, tc.pin)
		var got []string
		if fe, ok := fault.As(err); ok {
			for _, v := range fe.Violations {
				if v.Reason != ReasonInvalidVendor {
					t.Errorf("%s: reason %s", v.Field, v.Reason)
				}
				got = append(got, v.Field)
			}
		}
		if strings.Join(got, ",") != strings.Join(tc.fields, ",") {
			t.Errorf("%q %q: violations of %v, want %v (%v)", tc.vendor, tc.user, got, tc.fields, err)
		}
	}
}

func TestParseIsEnrollment(t *testing.T) {
	for in, want := range map[string]bool{"Y": true, " y ": true, "N": false, "n": false, "": false} {
		if got, err := ParseIsEnrollment(in); err != nil || got != want {
			t.Errorf("%q: %v, %v", in, got, err)
		}
	}
	if _, err := ParseIsEnrollment("yes"); fault.ReasonOf(err) != ReasonInvalidIsEnrollment {
		t.Errorf("yes: %v", err)
	}
}

func TestNewEnrollmentID(t *testing.T) {
	id := NewEnrollmentID(bytes.Repeat([]byte{0, 31, 32, 255}, EnrollmentIDRandomBytes/4))
	if id != "ENA9A9A9A9" || !regexp.MustCompile(`^EN[A-HJ-NP-Z2-9]{8}$`).MatchString(id) {
		t.Errorf("id %q", id)
	}
}

func TestEnrollmentIDKey(t *testing.T) {
	if EnrollmentIDKey("en2abc") != "EN2ABC" || EnrollmentIDKey("EN2ABC") != "EN2ABC" {
		t.Error("enrollment ids compare case-insensitively")
	}
}
