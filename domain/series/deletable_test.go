package series

import (
	"testing"

	"github.com/allot-io/allot/domain/fault"
)

func TestCheckDeletable(t *testing.T) {
	for _, tc := range []struct {
		drawn, consumed uint64
		ok              bool
	}{{0, 0, true}, {1, 0, false}, {0, 1, false}, {3, 2, false}} {
		err := CheckDeletable(7, "V1", "V9", tc.drawn, tc.consumed)
		if tc.ok != (err == nil) {
			t.Errorf("drawn %d consumed %d: %v", tc.drawn, tc.consumed, err)
			continue
		}
		if err != nil {
			fe, _ := fault.As(err)
			if fe == nil || fe.Code != fault.Conflict || fe.Reason != ReasonHasDrawn {
				t.Errorf("drawn %d consumed %d: %v", tc.drawn, tc.consumed, err)
			}
		}
	}
	if err := CheckDeletable(7, "V1", "V9", 3, 2); err == nil || err.Error() == "" {
		t.Fatal("no refusal")
	} else if fe, _ := fault.As(err); fe.Message != "series 7 (V1-V9) has 5 numbers drawn and cannot be deleted" {
		t.Errorf("message %q", fe.Message)
	}
}

func TestSeriesDeletable(t *testing.T) {
	for _, tc := range []struct {
		s    Series
		want bool
	}{
		{Series{}, true},
		{Series{Drawn: 1}, false},
		{Series{Stock: &Stock{Void: 4, Available: 6}}, true},
		{Series{Stock: &Stock{Used: 1, Available: 9}}, false},
		{Series{Drawn: 2, Stock: &Stock{Used: 2, Available: 8}}, false},
	} {
		if got := tc.s.Deletable(); got != tc.want {
			t.Errorf("%+v: Deletable = %v, want %v", tc.s, got, tc.want)
		}
	}
}

func TestParseTypeFilter(t *testing.T) {
	for in, want := range map[string]Type{"": "", "  ": "", "virtual": Virtual, " Physical ": Physical} {
		if got, err := ParseTypeFilter(in); err != nil || got != want {
			t.Errorf("%q: %q, %v", in, got, err)
		}
	}
	if _, err := ParseTypeFilter(" digital "); fault.ReasonOf(err) != ReasonInvalidType {
		t.Errorf("digital: %v", err)
	} else if fe, _ := fault.As(err); fe.Violations[0].Message != `type "digital" is not allowed; allowed values are physical, virtual` {
		t.Errorf("message %q", fe.Violations[0].Message)
	}
}
