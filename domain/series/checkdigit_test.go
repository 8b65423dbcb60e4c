package series

import (
	"testing"

	"github.com/allot-io/allot/domain/fault"
)

// Known-good vectors: the Luhn examples of ISO/IEC 7812 as Wikipedia gives
// them (79927398713; the IMEI 490154203237518), the Visa test card, and air
// waybill serials whose check digit is the serial mod 7 (1234567 = 7 ×
// 176366 + 5, 7654321 = 7 × 1093474 + 3, 9999999 = 7 × 1428571 + 2).
func TestLuhn(t *testing.T) {
	for _, valid := range []string{"79927398713", "490154203237518", "4111111111111111", "89014103211118510720"} {
		if !LuhnValid(valid) {
			t.Errorf("LuhnValid(%s) = false", valid)
		}
		d, ok := LuhnDigit(valid[:len(valid)-1])
		if !ok || d != valid[len(valid)-1] {
			t.Errorf("LuhnDigit(%s) = %c, want %c", valid[:len(valid)-1], d, valid[len(valid)-1])
		}
	}
	for _, invalid := range []string{"79927398710", "79927398714", "4111111111111112", "", "7", "79a27398713"} {
		if LuhnValid(invalid) {
			t.Errorf("LuhnValid(%q) = true", invalid)
		}
	}
	if _, ok := LuhnDigit("12x"); ok {
		t.Error("LuhnDigit accepted a letter")
	}
}

func TestMod7(t *testing.T) {
	tests := map[string]byte{"1234567": '5', "0000000": '0', "7654321": '3', "1000000": '1', "9999999": '2'}
	for serial, want := range tests {
		if d, ok := Mod7Digit(serial); !ok || d != want {
			t.Errorf("Mod7Digit(%s) = %c, want %c", serial, d, want)
		}
	}
	if _, ok := Mod7Digit("12a"); ok {
		t.Error("Mod7Digit accepted a letter")
	}
	if _, ok := Mod7Digit(""); ok {
		t.Error("Mod7Digit accepted nothing")
	}
}

func TestSchemeFullAndSerial(t *testing.T) {
	tests := []struct {
		sc     Scheme
		serial string
		full   string
	}{
		{Mod7, "1234567", "12345675"},
		{Mod7, "AWB1234567", "AWB12345675"},
		{Luhn, "7992739871", "79927398713"},
		{Luhn, "8901410321111851072", "89014103211118510720"},
		{NoCheck, "V10000075", "V10000075"},
	}
	for _, tt := range tests {
		got := tt.sc.Full(MustParseNumber(tt.serial))
		if got.String() != tt.full {
			t.Errorf("%s.Full(%s) = %s, want %s", tt.sc, tt.serial, got, tt.full)
		}
		back, err := tt.sc.Serial(MustParseNumber(tt.full))
		if err != nil || back.String() != tt.serial || back.Width() != MustParseNumber(tt.serial).Width() {
			t.Errorf("%s.Serial(%s) = %s, %v; want %s", tt.sc, tt.full, back, err, tt.serial)
		}
	}
	_, err := Mod7.Serial(MustParseNumber("12345670"))
	if fe, ok := fault.As(err); !ok || fe.Reason != ReasonCheckDigit || fe.Message != "number 12345670 has a wrong mod7 check digit: the check digit of 1234567 is 5" {
		t.Errorf("wrong mod7 digit: %v", err)
	}
	if _, err := Luhn.Serial(MustParseNumber("79927398710")); fault.ReasonOf(err) != ReasonCheckDigit {
		t.Errorf("wrong luhn digit: %v", err)
	}
	if _, err := Luhn.Serial(MustParseNumber("7")); fault.ReasonOf(err) != ReasonCheckDigit {
		t.Errorf("one digit: %v", err)
	}
}

func TestParseSchemeAndCheckSerials(t *testing.T) {
	for in, want := range map[string]Scheme{"": NoCheck, "none": NoCheck, "MOD7": Mod7, " luhn ": Luhn} {
		if got, ok := ParseScheme(in); !ok || got != want {
			t.Errorf("ParseScheme(%q) = %q, %v", in, got, ok)
		}
	}
	if _, ok := ParseScheme("mod10"); ok {
		t.Error("mod10 is not a scheme")
	}
	if err := Mod7.CheckSerials(MustParseRange("1000000", "1000099")); err != nil {
		t.Error(err)
	}
	if err := Mod7.CheckSerials(MustParseRange("10000000", "10000099")); fault.ReasonOf(err) != ReasonInvalidScheme {
		t.Errorf("8-digit mod7 serials: %v", err)
	}
	if err := Luhn.CheckSerials(MustParseRange("89012601234567890000", "89012601234567890999")); fault.ReasonOf(err) != ReasonInvalidScheme {
		t.Errorf("20-digit luhn serials leave no room: %v", err)
	}
	if err := NoCheck.CheckSerials(MustParseRange("89012601234567890000", "89012601234567890999")); err != nil {
		t.Error(err)
	}
}

func TestValidateCheckDigit(t *testing.T) {
	spec := Spec{Start: "1234560", End: "1234569", ClientCode: "C", ItemCode: "AWB", CheckDigit: "mod7"}
	d, err := Validate(spec, Limits{})
	if err != nil || d.CheckDigit != Mod7 {
		t.Fatalf("Validate = %+v, %v", d, err)
	}
	if d, err := Validate(Spec{Start: "V1", End: "V2", ClientCode: "C", ItemCode: "I"}, Limits{}); err != nil || d.CheckDigit != NoCheck {
		t.Fatalf("default scheme = %q, %v", d.CheckDigit, err)
	}
	for _, tt := range []struct{ scheme, start, end string }{{"mod10", "1234560", "1234569"}, {"mod7", "12345600", "12345699"}} {
		spec.CheckDigit, spec.Start, spec.End = tt.scheme, tt.start, tt.end
		_, err := Validate(spec, Limits{})
		fe, _ := fault.As(err)
		if fe == nil || fe.Reason != ReasonInvalidScheme || fe.Violations[0].Field != "check_digit" {
			t.Errorf("Validate(%+v) = %v", tt, err)
		}
	}
}
