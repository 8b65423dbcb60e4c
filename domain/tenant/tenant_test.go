package tenant

import (
	"strings"
	"testing"

	"github.com/allot-io/allot/domain/fault"
)

func TestParseCode(t *testing.T) {
	good := []string{"SL1981", "bf-074", "A_B", " GL438 ", strings.Repeat("x", MaxCode)}
	bad := []string{"", "  ", "SL 1981", "SL/1981", "É1", strings.Repeat("x", MaxCode+1)}
	for _, s := range good {
		if got, err := ParseCode("code", s); err != nil || got != strings.TrimSpace(s) {
			t.Errorf("ParseCode(%q) = %q, %v", s, got, err)
		}
	}
	for _, s := range bad {
		_, err := ParseCode("client_code", s)
		fe, ok := fault.As(err)
		if !ok || fe.Code != fault.Invalid || fe.Violations[0].Field != "client_code" {
			t.Errorf("ParseCode(%q) = %v, want Invalid naming client_code", s, err)
		}
	}
}

func TestParseName(t *testing.T) {
	if n, err := ParseName("name", "  Acme Logistics ", true); err != nil || n != "Acme Logistics" {
		t.Errorf("got %q %v", n, err)
	}
	if _, err := ParseName("name", "", false); err != nil {
		t.Errorf("optional name: %v", err)
	}
	for _, s := range []string{"", "a\nb", strings.Repeat("é", MaxName+1)} {
		if fault.CodeOf(func() error { _, err := ParseName("name", s, true); return err }()) != fault.Invalid {
			t.Errorf("ParseName(%q) must fail", s)
		}
	}
}
