package series

import (
	"slices"
	"testing"

	"github.com/allot-io/allot/domain/fault"
)

func TestDrawPools(t *testing.T) {
	c := Owner{Kind: Customer, Code: "SL1981"}
	h := Owner{Kind: Hub, Code: "BF074"}
	cases := []struct {
		name string
		own  Owner
		use  bool
		want []Owner
	}{
		{"customer without the flag", c, false, []Owner{c}},
		{"customer with the flag: own first, then global", c, true, []Owner{c, GlobalPool}},
		{"hubs never draw from the global pool", h, true, []Owner{h}},
		{"the global pool draws only from itself", GlobalPool, true, []Owner{GlobalPool}},
	}
	for _, tc := range cases {
		if got := DrawPools(tc.own, tc.use); !slices.Equal(got, tc.want) {
			t.Errorf("%s: DrawPools = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestValidateGlobal(t *testing.T) {
	spec := Spec{Start: "G100", End: "G199", ItemCode: "AWB", Global: true}
	d, err := Validate(spec, Limits{})
	if err != nil || d.Owner != GlobalPool || d.Owner.String() != "the global pool" {
		t.Fatalf("global series: %+v, %v", d, err)
	}
	for _, sp := range []Spec{
		{Start: "G100", End: "G199", ItemCode: "AWB", Global: true, ClientCode: "SL1981"},
		{Start: "G100", End: "G199", ItemCode: "AWB", Global: true, HubCode: "BF074"},
	} {
		_, err := Validate(sp, Limits{})
		fe, _ := fault.As(err)
		if fe == nil || fe.Reason != ReasonGlobalWithOwner || fe.Violations[0].Field != "is_global" {
			t.Errorf("global with an owner %+v: %v", sp, err)
		}
	}
	// Without the flag the contract's rule stands.
	if _, err := Validate(Spec{Start: "G100", End: "G199", ItemCode: "AWB"}, Limits{}); fault.ReasonOf(err) != ReasonOwnerMissing {
		t.Fatalf("no owner: %v", err)
	}
}

func TestValidateMarksGlobal(t *testing.T) {
	d, err := ValidateMarks(MarkSpec{Op: Consume, Numbers: []string{"G100"}, Global: true})
	if err != nil || d.Owner != GlobalPool {
		t.Fatalf("global mark: %+v, %v", d, err)
	}
	if _, err := ValidateMarks(MarkSpec{Op: Consume, Numbers: []string{"G100"}, Global: true, ClientCode: "C"}); fault.ReasonOf(err) != ReasonGlobalWithOwner {
		t.Fatalf("global mark with an owner: %v", err)
	}
}

func TestCrossedThreshold(t *testing.T) {
	cases := []struct {
		before, after, level uint64
		want                 bool
	}{
		{11, 10, 10, true},  // down to the level
		{50, 0, 10, true},   // past it in one draw
		{10, 9, 10, false},  // already low before
		{20, 11, 10, false}, // still above
		{5, 6, 10, false},   // a release, not a draw
		{1, 0, 0, true},     // level 0: the last number went
	}
	for _, tc := range cases {
		if got := CrossedThreshold(tc.before, tc.after, tc.level); got != tc.want {
			t.Errorf("CrossedThreshold(%d, %d, %d) = %t, want %t", tc.before, tc.after, tc.level, got, tc.want)
		}
	}
}
