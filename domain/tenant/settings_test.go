package tenant

import (
	"testing"

	"github.com/allot-io/allot/domain/fault"
)

func TestSettingsDefaultsAndChanges(t *testing.T) {
	var s Settings
	if s.IDs() != IDsInt || !s.Programs.Has(ProgramNonLifeline) || s.Programs.Has(ProgramLifeline) {
		t.Fatalf("zero settings = %+v, want int ids and NON_LIFELINE only", s)
	}
	s, err := s.With(SettingPrograms, " lifeline , NON_LIFELINE,LIFELINE")
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get(SettingPrograms); got != "NON_LIFELINE,LIFELINE" {
		t.Errorf("programs = %q", got)
	}
	s, err = s.With(SettingBSSIDs, "STRING")
	if err != nil || s.IDs() != IDsString {
		t.Fatalf("bss-ids string: %v %+v", err, s)
	}
	if got, _ := s.Get(SettingRequirePayment); got != "N" || s.RequirePayment {
		t.Errorf("require-payment defaults to N, got %q", got)
	}
	s, err = s.With(SettingRequirePayment, " y ")
	if got, _ := s.Get(SettingRequirePayment); err != nil || got != "Y" || !s.RequirePayment {
		t.Fatalf("require-payment y: %v %q", err, got)
	}
	only, err := ParsePrograms("LIFELINE")
	if err != nil || only.Has(ProgramNonLifeline) || only.String() != "LIFELINE" {
		t.Errorf("LIFELINE alone = %v %v", only, err)
	}
	for _, tc := range []struct{ name, value string }{
		{SettingBSSIDs, "float"}, {SettingBSSIDs, ""}, {SettingPrograms, "PREPAID"}, {SettingPrograms, " , "}, {"colour", "red"},
		{SettingRequirePayment, "yes"}, {SettingRequirePayment, ""},
	} {
		_, err := Settings{}.With(tc.name, tc.value)
		if fe, ok := fault.As(err); !ok || fe.Code != fault.Invalid || fe.Reason != ReasonInvalidSetting {
			t.Errorf("With(%q, %q) = %v, want Invalid %s", tc.name, tc.value, err, ReasonInvalidSetting)
		}
	}
}
