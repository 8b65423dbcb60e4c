package series

import (
	"fmt"
	"testing"
	"time"
)

func TestOverlaySplitsAndMerges(t *testing.T) {
	t0 := time.Date(2026, 4, 14, 0, 0, 0, 0, time.UTC)
	t1 := t0.Add(time.Hour)
	used := func(first, last uint64, ref string) MarkRun {
		return MarkRun{First: first, Last: last, State: Used, Reference: ref, At: t0}
	}
	release := func(offs ...uint64) []Change {
		var out []Change
		for _, o := range offs {
			out = append(out, Change{Offset: o, Before: Used, After: Available, Marked: true})
		}
		return out
	}
	consume := func(offs ...uint64) []Change {
		var out []Change
		for _, o := range offs {
			out = append(out, Change{Offset: o, Before: Available, After: Used, Keep: true})
		}
		return out
	}
	show := func(rs []MarkRun) string {
		s := ""
		for _, r := range rs {
			s += fmt.Sprintf("[%d-%d %s %s] ", r.First, r.Last, r.State, r.Reference)
		}
		return s
	}
	cases := []struct {
		name    string
		runs    []MarkRun
		changes []Change
		ref     string
		want    string
	}{
		{"release in the middle splits", []MarkRun{used(10, 19, "A")}, release(14), "", "[10-13 used A] [15-19 used A] "},
		{"release at the ends trims", []MarkRun{used(10, 19, "A")}, release(10, 19), "", "[11-18 used A] "},
		{"release all removes", []MarkRun{used(10, 11, "A")}, release(10, 11), "", ""},
		{"consume between merges", []MarkRun{used(10, 13, "A"), used(15, 19, "A")}, consume(14), "A", "[10-19 used A] "},
		{"another reference stays apart", []MarkRun{used(10, 13, "A")}, consume(14, 15), "B", "[10-13 used A] [14-15 used B] "},
		{"void inside cuts three ways", []MarkRun{used(10, 19, "A")},
			[]Change{{Offset: 12, Before: Used, After: Void, Marked: true, Keep: true}, {Offset: 13, Before: Used, After: Void, Marked: true, Keep: true}}, "",
			"[10-11 used A] [12-13 void ] [14-19 used A] "},
		{"scattered consumes", nil, consume(3, 5, 6, 9), "A", "[3-3 used A] [5-6 used A] [9-9 used A] "},
	}
	for _, c := range cases {
		got := Overlay(c.runs, c.changes, c.ref, t1)
		if s := show(got); s != c.want {
			t.Errorf("%s: %s, want %s", c.name, s, c.want)
		}
	}
	merged := Overlay([]MarkRun{used(10, 13, "A")}, consume(14), "A", t1)
	if len(merged) != 1 || !merged[0].At.Equal(t1) {
		t.Errorf("a merged run is %+v, want it changed at %s", merged, t1)
	}
}

func TestTakeSpansSkipsRuns(t *testing.T) {
	marked := []Span{{Offset: 2, Count: 3}, {Offset: 5, Count: 1}, {Offset: 8, Count: 100}}
	spans, ptr := TakeSpans(0, 200, 5, marked)
	if fmt.Sprint(spans) != "[{0 2} {6 2} {108 1}]" || ptr != 109 {
		t.Errorf("TakeSpans: %v pointer %d, want [{0 2} {6 2} {108 1}] pointer 109", spans, ptr)
	}
	spans, ptr = TakeSpans(0, 110, 50, marked)
	if fmt.Sprint(spans) != "[{0 2} {6 2} {108 2}]" || ptr != 110 {
		t.Errorf("short window: %v pointer %d, want every free number and the window's end", spans, ptr)
	}
	// A run starting behind the pointer counts from the pointer.
	spans, ptr = TakeSpans(3, 20, 1, marked)
	if fmt.Sprint(spans) != "[{6 1}]" || ptr != 7 {
		t.Errorf("from 3: %v pointer %d, want [{6 1}] pointer 7", spans, ptr)
	}
	if got := FreeFrom(2, marked); got != 6 {
		t.Errorf("FreeFrom(2) = %d, want 6 (runs 2-4 and 5 chain)", got)
	}
	if got := FreeFrom(0, marked); got != 0 {
		t.Errorf("FreeFrom(0) = %d, want 0", got)
	}
}
