package series

import (
	"slices"
	"strings"
	"testing"

	"github.com/allot-io/allot/domain/fault"
)

func TestCheckImportHeader(t *testing.T) {
	if err := CheckImportHeader(ImportColumns); err != nil {
		t.Fatal(err)
	}
	if err := CheckImportHeader([]string{" Owner_Type", "owner_code", "start", "end", "item_code"}); err != nil {
		t.Fatalf("optional columns may be left out, names are case-insensitive: %v", err)
	}
	tests := map[string][]string{
		"unknown column":  {"owner_type", "owner_code", "start", "end", "item_code", "colour"},
		"repeated column": {"owner_type", "owner_code", "start", "end", "item_code", "start"},
		"missing column":  {"owner_type", "owner_code", "start", "item_code"},
	}
	for name, header := range tests {
		fe, ok := fault.As(CheckImportHeader(header))
		if !ok || fe.Reason != ReasonImportHeader || fe.Violations[0].Line != 1 || !strings.HasPrefix(fe.Message, "line 1: ") {
			t.Errorf("%s: %v", name, fe)
		}
	}
}

func TestImportSpec(t *testing.T) {
	spec, err := ImportSpec(map[string]string{"owner_type": "Hub", "owner_code": " BF074 ", "start": "V1", "end": "V9",
		"item_code": "I", "type": "physical", "service_types": "EXPRESS; ECONOMY;", "check_digit": "luhn"})
	want := Spec{HubCode: "BF074", Start: "V1", End: "V9", ItemCode: "I", Type: "physical", ServiceTypes: []string{"EXPRESS", "ECONOMY"}, CheckDigit: "luhn"}
	if err != nil || spec.HubCode != want.HubCode || !slices.Equal(spec.ServiceTypes, want.ServiceTypes) || spec.CheckDigit != want.CheckDigit || spec.ClientCode != "" {
		t.Fatalf("ImportSpec = %+v, %v", spec, err)
	}
	if spec, _ := ImportSpec(map[string]string{"owner_type": "customer", "owner_code": "C"}); spec.ClientCode != "C" || spec.ServiceTypes != nil {
		t.Fatalf("customer row = %+v", spec)
	}
	if _, err := ImportSpec(map[string]string{"owner_type": "regional", "owner_code": "C"}); fault.ReasonOf(err) != ReasonInvalidOwnerKind {
		t.Fatalf("unknown owner type: %v", err)
	}
	// A global row has no owner code; one with a code is refused by
	// Validate, as the API refuses is_global with client_code.
	spec, err = ImportSpec(map[string]string{"owner_type": "GLOBAL", "owner_code": "", "start": "V1", "end": "V9", "item_code": "I"})
	if err != nil || !spec.Global {
		t.Fatalf("global row = %+v, %v", spec, err)
	}
	if d, err := Validate(spec, Limits{}); err != nil || d.Owner != GlobalPool {
		t.Fatalf("global row validated = %+v, %v", d, err)
	}
	spec, _ = ImportSpec(map[string]string{"owner_type": "global", "owner_code": "C", "start": "V1", "end": "V9", "item_code": "I"})
	if _, err := Validate(spec, Limits{}); fault.ReasonOf(err) != ReasonGlobalWithOwner {
		t.Fatalf("global row with a code: %v", err)
	}
}

func TestInFileOverlaps(t *testing.T) {
	ranges := []Range{MustParseRange("V100", "V199"), {}, MustParseRange("V150", "V160"), MustParseRange("V200", "V299"), MustParseRange("W150", "W160")}
	got := InFileOverlaps(ranges, []int{2, 3, 4, 5, 6})
	if len(got) != 1 || got[0].Line != 4 || got[0].Message != "series V150-V160 overlaps series V100-V199 of line 2" {
		t.Fatalf("overlaps = %+v", got)
	}
}
