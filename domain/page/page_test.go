package page

import (
	"testing"

	"github.com/allot-io/allot/domain/fault"
)

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		q      Query
		reason string
	}{
		{Query{}, ""}, {Query{Limit: Max, Offset: 7}, ""},
		{Query{Limit: -1}, ReasonInvalidLimit}, {Query{Limit: Max + 1}, ReasonInvalidLimit},
		{Query{Offset: -1}, ReasonInvalidOffset},
	} {
		err := tc.q.Check()
		if tc.reason == "" {
			if err != nil {
				t.Errorf("%+v: %v", tc.q, err)
			}
			continue
		}
		fe, ok := fault.As(err)
		if !ok || fe.Code != fault.Invalid || len(fe.Violations) != 1 || fe.Violations[0].Reason != tc.reason {
			t.Errorf("%+v: %v, want %s", tc.q, err, tc.reason)
		}
	}
}

func TestBounds(t *testing.T) {
	for _, tc := range []struct {
		q             Query
		limit, offset int
	}{
		{Query{}, Default, 0}, {Query{Limit: -3, Offset: -2}, Default, 0},
		{Query{Limit: 7, Offset: 9}, 7, 9}, {Query{Limit: Max + 5}, Max, 0},
	} {
		if l, o := tc.q.Bounds(); l != tc.limit || o != tc.offset {
			t.Errorf("%+v.Bounds() = %d, %d; want %d, %d", tc.q, l, o, tc.limit, tc.offset)
		}
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		limit, offset string
		want          Query
		bad           int
	}{
		{"1", "0", Query{1, 0}, 0}, {" 1000 ", "12", Query{Max, 12}, 0},
		{"0", "0", Query{0, 0}, 1}, {"1001", "x", Query{1001, 0}, 2}, {"ten", "-1", Query{0, -1}, 2},
	} {
		var q Query
		var vs fault.Violations
		q.ParseLimit(tc.limit, &vs)
		q.ParseOffset(tc.offset, &vs)
		if q != tc.want || len(vs) != tc.bad {
			t.Errorf("%q, %q: %+v with %d violations (%v); want %+v with %d", tc.limit, tc.offset, q, len(vs), vs, tc.want, tc.bad)
		}
	}
}
