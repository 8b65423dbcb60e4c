package series

import (
	"strings"
	"testing"

	"github.com/allot-io/allot/domain/fault"
)

func validSpec() Spec {
	return Spec{Start: "V10000071", End: "V10000080", ClientCode: "SL1981", ItemCode: "P7WJEJANkt"}
}

// TestValidateRules gives every rule a passing and a failing value.
func TestValidateRules(t *testing.T) {
	tests := []struct {
		name   string
		mod    func(*Spec)
		reason string // "" means valid
		field  string
	}{
		{name: "vendor sample", mod: func(*Spec) {}},
		{name: "hub only", mod: func(s *Spec) { s.ClientCode, s.HubCode = "", "BF074" }},
		{name: "no owner", mod: func(s *Spec) { s.ClientCode = "" }, reason: ReasonOwnerMissing, field: "client_code"},
		{name: "blank owner", mod: func(s *Spec) { s.ClientCode, s.HubCode = "  ", " " }, reason: ReasonOwnerMissing, field: "client_code"},
		{name: "no start", mod: func(s *Spec) { s.Start = "" }, reason: ReasonStartMissing, field: "start"},
		{name: "bad start", mod: func(s *Spec) { s.Start = "V1000007X" }, reason: ReasonInvalidStart, field: "start"},
		{name: "no end", mod: func(s *Spec) { s.End = "" }, reason: ReasonEndMissing, field: "end"},
		{name: "bad end", mod: func(s *Spec) { s.End = "V-1" }, reason: ReasonInvalidEnd, field: "end"},
		{name: "lower-case prefix", mod: func(s *Spec) { s.Start, s.End = "v10000071", "v10000080" }},
		{name: "prefix mismatch", mod: func(s *Spec) { s.End = "W10000080" }, reason: ReasonPrefixMismatch, field: "end"},
		{name: "width mismatch", mod: func(s *Spec) { s.End = "V100000800" }, reason: ReasonWidthMismatch, field: "end"},
		{name: "start after end", mod: func(s *Spec) { s.Start, s.End = "V10000080", "V10000071" }, reason: ReasonStartAfterEnd, field: "end"},
		{name: "single number", mod: func(s *Spec) { s.End = s.Start }},
		{name: "max size", mod: func(s *Spec) { s.Start, s.End = "V0000000", "V0999999" }},
		{name: "over max size", mod: func(s *Spec) { s.Start, s.End = "V0000000", "V1000000" }, reason: ReasonTooLarge, field: "end"},
		{name: "20 digits", mod: func(s *Spec) { s.Start, s.End = "89012601234567890000", "89012601234567890999" }},
		{name: "no item code", mod: func(s *Spec) { s.ItemCode = "" }, reason: ReasonItemCodeMissing, field: "item_code"},
		{name: "bad item code", mod: func(s *Spec) { s.ItemCode = "P7 WJ" }, reason: ReasonInvalidItemCode, field: "item_code"},
		{name: "long item code", mod: func(s *Spec) { s.ItemCode = strings.Repeat("x", MaxItemCode+1) }, reason: ReasonInvalidItemCode, field: "item_code"},
		{name: "type physical", mod: func(s *Spec) { s.Type = "physical" }},
		{name: "type Virtual", mod: func(s *Spec) { s.Type = "Virtual" }},
		{name: "bad type", mod: func(s *Spec) { s.Type = "digital" }, reason: ReasonInvalidType, field: "type"},
		{name: "service types", mod: func(s *Spec) { s.ServiceTypes = []string{"EXPRESS", "EXPRESS", "ECONOMY"} }},
		{name: "empty service type", mod: func(s *Spec) { s.ServiceTypes = []string{"EXPRESS", " "} }, reason: ReasonInvalidServiceType, field: "service_types[1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := validSpec()
			tt.mod(&spec)
			d, err := Validate(spec, Limits{})
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				if d.Range.IsZero() || d.ItemCode == "" || d.Type == "" {
					t.Fatalf("incomplete draft %+v", d)
				}
				return
			}
			fe, ok := fault.As(err)
			if !ok || fe.Code != fault.Invalid || fe.Reason != tt.reason {
				t.Fatalf("got %v, want Invalid %s", err, tt.reason)
			}
			if fe.Violations[0].Field != tt.field {
				t.Errorf("field = %q, want %q", fe.Violations[0].Field, tt.field)
			}
		})
	}
}

func TestValidateReportsEveryViolation(t *testing.T) {
	_, err := Validate(Spec{Type: "x"}, Limits{})
	fe, _ := fault.As(err)
	if fe == nil {
		t.Fatal("want an error")
	}
	var reasons []string
	for _, v := range fe.Violations {
		reasons = append(reasons, v.Reason)
	}
	want := []string{ReasonOwnerMissing, ReasonStartMissing, ReasonEndMissing, ReasonItemCodeMissing, ReasonInvalidType}
	if strings.Join(reasons, ",") != strings.Join(want, ",") {
		t.Errorf("reasons = %v, want %v", reasons, want)
	}
	if fe.Reason != ReasonOwnerMissing || fe.Message != OwnerMissingMessage {
		t.Errorf("first violation decides: %s %q", fe.Reason, fe.Message)
	}
}

func TestValidateDefaultsAndNormalises(t *testing.T) {
	spec := validSpec()
	spec.HubCode = "BF074"
	spec.Start, spec.End = " v10000071 ", "v10000080"
	d, err := Validate(spec, Limits{MaxSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	if d.Owner != (Owner{Kind: Customer, Code: "SL1981"}) {
		t.Errorf("client code must win: %v", d.Owner)
	}
	if d.Type != Virtual {
		t.Errorf("type defaults to virtual, got %q", d.Type)
	}
	if d.Range.String() != "V10000071-V10000080" {
		t.Errorf("range %s", d.Range)
	}
	if _, err := Validate(spec, Limits{MaxSize: 9}); fault.ReasonOf(err) != ReasonTooLarge {
		t.Errorf("configured max size: %v", err)
	}
}

func TestSeriesNext(t *testing.T) {
	s := Series{Range: MustParseRange("V10000071", "V10000080")}
	if n, ok := s.Next(); !ok || n.String() != "V10000071" {
		t.Errorf("Next = %s %v", n, ok)
	}
	s.Drawn = 9
	if n, ok := s.Next(); !ok || n.String() != "V10000080" || s.Remaining() != 1 {
		t.Errorf("Next = %s %v", n, ok)
	}
	s.Drawn = 10
	if _, ok := s.Next(); ok {
		t.Error("an exhausted series has no next number")
	}
}

func TestValidateDrawCount(t *testing.T) {
	for _, n := range []int64{1, MaxDraw} {
		if err := ValidateDrawCount(n); err != nil {
			t.Errorf("%d: %v", n, err)
		}
	}
	for _, n := range []int64{0, -1, MaxDraw + 1} {
		if fault.ReasonOf(ValidateDrawCount(n)) != ReasonInvalidCount {
			t.Errorf("%d must be invalid", n)
		}
	}
}

func TestParseTypeAndOwner(t *testing.T) {
	if ty, ok := ParseType(""); !ok || ty != Virtual {
		t.Error("empty type is virtual")
	}
	if _, ok := ParseType("digital"); ok {
		t.Error("digital is not a type")
	}
	if o, ok := ResolveOwner("", "BF074"); !ok || o.Kind != Hub {
		t.Errorf("hub owner: %v", o)
	}
	if _, ok := ResolveOwner("", ""); ok {
		t.Error("no owner")
	}
}
