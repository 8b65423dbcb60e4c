package series

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/allot-io/allot/domain/fault"
)

// TestTransition covers every state and operation: which transitions exist
// and what each refusal says.
func TestTransition(t *testing.T) {
	n := MustParseNumber("V10000075")
	tests := []struct {
		from   State
		op     Op
		want   State
		reason string
		msg    string
	}{
		{from: Available, op: Consume, want: Used},
		{from: Available, op: VoidOp, want: Void},
		{from: Available, op: Release, reason: ReasonNumberNotUsed, msg: "number V10000075 is not used, so it cannot be released"},
		{from: Used, op: Consume, reason: ReasonNumberUsed, msg: "number V10000075 is already used"},
		{from: Used, op: VoidOp, want: Void},
		{from: Used, op: Release, want: Available},
		{from: Void, op: Consume, reason: ReasonNumberVoid, msg: "number V10000075 is void and can never be consumed"},
		{from: Void, op: VoidOp, reason: ReasonNumberVoid, msg: "number V10000075 is void and can never be voided again"},
		{from: Void, op: Release, reason: ReasonNumberVoid, msg: "number V10000075 is void and can never be released"},
		{from: Available, op: "drop", reason: ReasonInvalidOp, msg: `operation "drop" is not one of consume, void, release`},
	}
	for _, tt := range tests {
		t.Run(string(tt.from)+"/"+string(tt.op), func(t *testing.T) {
			got, err := Transition(n, tt.from, tt.op)
			if tt.reason == "" {
				if err != nil || got != tt.want {
					t.Fatalf("Transition = %s, %v; want %s", got, err, tt.want)
				}
				return
			}
			fe, ok := fault.As(err)
			if !ok || fe.Code != fault.Invalid || fe.Reason != tt.reason || fe.Message != tt.msg {
				t.Fatalf("Transition error = %v; want invalid %s %q", err, tt.reason, tt.msg)
			}
			if got != tt.from {
				t.Errorf("a refused transition moved the state to %s", got)
			}
		})
	}
}

func TestParseOp(t *testing.T) {
	for in, want := range map[string]Op{"consume": Consume, " VOID ": VoidOp, "Release": Release} {
		if got, ok := ParseOp(in); !ok || got != want {
			t.Errorf("ParseOp(%q) = %q, %v", in, got, ok)
		}
	}
	if _, ok := ParseOp("draw"); ok {
		t.Error("draw is not a number operation")
	}
}

func TestPermit(t *testing.T) {
	n := MustParseNumber("V1")
	if err := Permit(n, Owner{Customer, "A"}, Owner{Customer, "A"}); err != nil {
		t.Fatal(err)
	}
	for _, caller := range []Owner{{Customer, "B"}, {Hub, "A"}} {
		err := Permit(n, Owner{Customer, "A"}, caller)
		if fault.ReasonOf(err) != ReasonNumberNotOwned || strings.Contains(err.Error(), "customer A") {
			t.Errorf("Permit(%v) = %v; want NUMBER_NOT_OWNED not naming the holder", caller, err)
		}
	}
}

func TestDefaultStateAndNeedsMark(t *testing.T) {
	tests := []struct {
		offset, drawn uint64
		def           State
		s             State
		mark          bool
	}{
		{0, 0, Available, Available, false},
		{0, 0, Available, Used, true},
		{0, 0, Available, Void, true},
		{2, 3, Used, Used, true}, // a consumed number behind the pointer keeps its reference
		{2, 3, Used, Available, true},
		{3, 3, Available, Available, false},
	}
	for _, tt := range tests {
		if got := DefaultState(tt.offset, tt.drawn); got != tt.def {
			t.Errorf("DefaultState(%d, %d) = %s, want %s", tt.offset, tt.drawn, got, tt.def)
		}
		if got := NeedsMark(tt.offset, tt.drawn, tt.s); got != tt.mark {
			t.Errorf("NeedsMark(%d, %d, %s) = %v, want %v", tt.offset, tt.drawn, tt.s, got, tt.mark)
		}
	}
}

func TestTally(t *testing.T) {
	// 100 numbers; 10 drawn in order, of which offset 3 was consumed before
	// the pointer passed it, offset 5 voided and offset 7 released; ahead, 2
	// consumed and 1 voided.
	m := Marks{VoidBehind: 1, ReleasedBehind: 1, UsedAhead: 2, VoidAhead: 1}
	got := Tally(100, 10, m, 10)
	want := Stock{Used: 10, Void: 2, Available: 88, NextFree: 10}
	if got != want {
		t.Fatalf("Tally = %+v, want %+v", got, want)
	}
	if got := Tally(5, 0, Marks{}, 0); got != (Stock{Available: 5}) {
		t.Fatalf("fresh series: %+v", got)
	}
}

func TestTake(t *testing.T) {
	tests := []struct {
		name             string
		drawn, end, want uint64
		marked           []uint64
		spans            []Span
		pointer          uint64
	}{
		{name: "no marks", drawn: 0, end: 10, want: 3, spans: []Span{{0, 3}}, pointer: 3},
		{name: "skips a mark", drawn: 0, end: 10, want: 3, marked: []uint64{1}, spans: []Span{{0, 1}, {2, 2}}, pointer: 4},
		{name: "mark at pointer", drawn: 4, end: 10, want: 2, marked: []uint64{4, 5}, spans: []Span{{6, 2}}, pointer: 8},
		{name: "window short", drawn: 0, end: 4, want: 9, marked: []uint64{0, 2}, spans: []Span{{1, 1}, {3, 1}}, pointer: 4},
		{name: "all marked", drawn: 8, end: 10, want: 1, marked: []uint64{8, 9}, spans: nil, pointer: 10},
		{name: "mark after last taken stays ahead", drawn: 0, end: 10, want: 2, marked: []uint64{2}, spans: []Span{{0, 2}}, pointer: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spans, p := Take(tt.drawn, tt.end, tt.want, tt.marked)
			if !slices.Equal(spans, tt.spans) || p != tt.pointer {
				t.Fatalf("Take = %v, %d; want %v, %d", spans, p, tt.spans, tt.pointer)
			}
		})
	}
}

func TestValidateMarks(t *testing.T) {
	ok := MarkSpec{Op: Consume, Numbers: []string{"V10000075", "v10000076", "V10000075"}, ClientCode: "SL1981", Reference: "BKG-1"}
	d, err := ValidateMarks(ok)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Ranges) != 2 || d.Ranges[1].First().String() != "V10000076" || d.Count() != 2 || d.Owner != (Owner{Customer, "SL1981"}) {
		t.Fatalf("draft = %+v", d)
	}
	r, err := ValidateMarks(MarkSpec{Op: VoidOp, Start: "V10", End: "V19", HubCode: "BF074"})
	if err != nil || r.Count() != 10 || r.Owner.Kind != Hub {
		t.Fatalf("range draft = %+v, %v", r, err)
	}

	tests := []struct {
		name   string
		mod    func(*MarkSpec)
		reason string
		field  string
	}{
		{name: "no owner", mod: func(s *MarkSpec) { s.ClientCode = "" }, reason: ReasonOwnerMissing, field: "client_code"},
		{name: "no numbers", mod: func(s *MarkSpec) { s.Numbers = nil }, reason: ReasonNumbersMissing, field: "numbers"},
		{name: "both", mod: func(s *MarkSpec) { s.Start, s.End = "V1", "V2" }, reason: ReasonNumbersAndRange, field: "numbers"},
		{name: "bad number", mod: func(s *MarkSpec) { s.Numbers = []string{"V1", "V-2"} }, reason: ReasonInvalidNumber, field: "numbers[1]"},
		{name: "too many", mod: func(s *MarkSpec) { s.Numbers = make([]string, MaxMark+1) }, reason: ReasonTooManyNumbers, field: "numbers"},
		{name: "range too large", mod: func(s *MarkSpec) { s.Numbers, s.Start, s.End = nil, "V00000", "V10000" }, reason: ReasonTooManyNumbers, field: "end"},
		{name: "range reversed", mod: func(s *MarkSpec) { s.Numbers, s.Start, s.End = nil, "V9", "V1" }, reason: ReasonStartAfterEnd, field: "end"},
		{name: "range without end", mod: func(s *MarkSpec) { s.Numbers, s.Start = nil, "V9" }, reason: ReasonEndMissing, field: "end"},
		{name: "long reference", mod: func(s *MarkSpec) { s.Reference = strings.Repeat("r", MaxReference+1) }, reason: ReasonInvalidRef, field: "reference"},
		{name: "control in reference", mod: func(s *MarkSpec) { s.Reference = "a\nb" }, reason: ReasonInvalidRef, field: "reference"},
		{name: "bad op", mod: func(s *MarkSpec) { s.Op = "draw" }, reason: ReasonInvalidOp, field: "op"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := ok
			spec.Numbers = slices.Clone(ok.Numbers)
			tt.mod(&spec)
			_, err := ValidateMarks(spec)
			fe, isFault := fault.As(err)
			if !isFault || fe.Code != fault.Invalid {
				t.Fatalf("err = %v, want invalid", err)
			}
			found := false
			for _, v := range fe.Violations {
				found = found || (v.Reason == tt.reason && v.Field == tt.field)
			}
			if !found {
				t.Fatalf("violations %+v lack %s on %s", fe.Violations, tt.reason, tt.field)
			}
		})
	}
}

func TestPlanMarks(t *testing.T) {
	owner := Owner{Customer, "SL1981"}
	s := Series{ID: 7, Owner: owner, Range: MustParseRange("V10", "V19"), Drawn: 2}
	// V11 is drawn, V13 consumed, V14 void.
	marks := map[uint64]State{3: Used, 4: Void}

	changes, errs := PlanMarks(s, MustParseRange("V15", "V16"), owner, Consume, marks)
	if errs != nil {
		t.Fatal(errs)
	}
	want := []Change{{Offset: 5, Before: Available, After: Used, Keep: true}, {Offset: 6, Before: Available, After: Used, Keep: true}}
	if !slices.Equal(changes, want) {
		t.Fatalf("consume changes = %+v", changes)
	}

	changes, errs = PlanMarks(s, MustParseRange("V11", "V13"), owner, Release, marks)
	if errs == nil {
		t.Fatal("releasing an available number must fail")
	}
	if len(errs) != 1 || fault.ReasonOf(errs[0]) != ReasonNumberNotUsed || !strings.Contains(errs[0].Error(), "V12") || changes != nil {
		t.Fatalf("errs = %v", errs)
	}

	changes, errs = PlanMarks(s, MustParseRange("V11", "V11"), owner, Release, marks)
	if errs != nil || len(changes) != 1 || changes[0] != (Change{Offset: 1, Before: Used, After: Available, Keep: true}) {
		t.Fatalf("releasing a drawn number: %+v %v", changes, errs)
	}
	changes, errs = PlanMarks(s, MustParseRange("V13", "V13"), owner, Release, marks)
	if errs != nil || changes[0] != (Change{Offset: 3, Before: Used, After: Available, Marked: true, Keep: false}) {
		t.Fatalf("releasing a consumed number ahead of the pointer drops its mark: %+v %v", changes, errs)
	}

	_, errs = PlanMarks(s, MustParseRange("V12", "V14"), owner, Consume, marks)
	if len(errs) != 2 || fault.ReasonOf(errs[0]) != ReasonNumberUsed || fault.ReasonOf(errs[1]) != ReasonNumberVoid {
		t.Fatalf("every failing number is named: %v", errs)
	}
	_, errs = PlanMarks(s, MustParseRange("V12", "V12"), Owner{Customer, "OTHER"}, Consume, nil)
	if len(errs) != 1 || fault.ReasonOf(errs[0]) != ReasonNumberNotOwned {
		t.Fatalf("another owner: %v", errs)
	}
	_, errs = PlanMarks(s, MustParseRange("V18", "V20"), owner, Consume, nil)
	if len(errs) != 1 || fault.ReasonOf(errs[0]) != ReasonNumberFree {
		t.Fatalf("outside the series: %v", errs)
	}
}

func TestNumberErrorsAndRuns(t *testing.T) {
	if NumberErrors(nil) != nil {
		t.Fatal("no errors, no fault")
	}
	var errs []error
	for i := range 12 {
		n, _ := MustParseNumber("V10").Add(uint64(i))
		_, err := Transition(n, Used, Consume)
		errs = append(errs, err)
	}
	fe, _ := fault.As(NumberErrors(errs))
	if fe.Code != fault.Invalid || fe.Reason != ReasonNumberUsed || len(fe.Violations) != 12 || !strings.HasSuffix(fe.Message, "; and 2 more") || !strings.Contains(fe.Message, "V19") {
		t.Fatalf("joined = %+v", fe)
	}

	s := Series{ID: 1, Range: MustParseRange("V10", "V19")}
	runs := Runs(s, []Change{
		{Offset: 0, Before: Available, After: Used}, {Offset: 1, Before: Available, After: Used},
		{Offset: 2, Before: Used, After: Void}, {Offset: 5, Before: Used, After: Void},
	})
	var got []string
	for _, e := range runs {
		got = append(got, fmt.Sprintf("%s:%d:%s>%s", e.Numbers, e.Count, e.Before, e.After))
	}
	want := []string{"V10-V11:2:available>used", "V12-V12:1:used>void", "V15-V15:1:used>void"}
	if !slices.Equal(got, want) {
		t.Fatalf("runs = %v, want %v", got, want)
	}
}

func TestActors(t *testing.T) {
	if APIKeyActor("ak_1234") != "api-key:ak_1234" || OperatorActor("a@b.c") != "operator:a@b.c" || CLIActor("") != "cli:unknown" || CLIActor("root") != "cli:root" {
		t.Fatal("actor names changed")
	}
	if ActionOf(Consume) != ActionConsume || ActionOf(VoidOp) != ActionVoid || ActionOf(Release) != ActionRelease {
		t.Fatal("actions of ops")
	}
}

// TestMarkDelta keeps Marks in step with changes and draws: the counts it
// gives are those Tally needs.
func TestMarkDelta(t *testing.T) {
	var d MarkDelta
	d.Changed(Change{Offset: 5, Before: Available, After: Used, Keep: true}, 2)                // consume ahead
	d.Changed(Change{Offset: 6, Before: Available, After: Void, Keep: true}, 2)                // void ahead
	d.Changed(Change{Offset: 1, Before: Used, After: Available, Keep: true}, 2)                // release a drawn number
	d.Changed(Change{Offset: 0, Before: Used, After: Void, Keep: true}, 2)                     // void a drawn number
	d.Changed(Change{Offset: 5, Before: Used, After: Available, Marked: true, Keep: false}, 2) // release the consumed one
	want := MarkDelta{UsedAhead: 0, VoidAhead: 1, VoidBehind: 1, ReleasedBehind: 1}
	if d != want {
		t.Fatalf("delta = %+v, want %+v", d, want)
	}
	d.Passed(Void)
	d.Passed(Used)
	if want := (MarkDelta{UsedAhead: -1, VoidAhead: 0, VoidBehind: 2, ReleasedBehind: 1}); d != want {
		t.Fatalf("after passing: %+v, want %+v", d, want)
	}
}

func TestSeriesNextSkipsMarks(t *testing.T) {
	s := Series{Range: MustParseRange("V10", "V19"), Drawn: 2}
	if n, _ := s.Next(); n.String() != "V12" || s.Remaining() != 8 {
		t.Fatalf("without stock: %s %d", n, s.Remaining())
	}
	s.Stock = &Stock{Available: 5, NextFree: 4}
	if n, _ := s.Next(); n.String() != "V14" || s.Remaining() != 5 {
		t.Fatalf("with stock: %s %d", n, s.Remaining())
	}
	s.Stock.NextFree = 10
	if _, ok := s.Next(); ok {
		t.Fatal("no free number left")
	}
}

func TestIntersectAndGaps(t *testing.T) {
	r := MustParseRange("V10", "V19")
	if got, ok := r.Intersect(MustParseRange("V15", "V25")); !ok || got.String() != "V15-V19" {
		t.Fatalf("Intersect = %s %v", got, ok)
	}
	if _, ok := r.Intersect(MustParseRange("W15", "W25")); ok {
		t.Fatal("different kinds share nothing")
	}
	if _, ok := r.Intersect(MustParseRange("V20", "V25")); ok {
		t.Fatal("disjoint ranges share nothing")
	}
	var got []string
	for _, g := range r.Gaps([]Range{MustParseRange("V12", "V13"), MustParseRange("V15", "V15")}) {
		got = append(got, g.String())
	}
	if want := []string{"V10-V11", "V14-V14", "V16-V19"}; !slices.Equal(got, want) {
		t.Fatalf("Gaps = %v, want %v", got, want)
	}
	if gaps := r.Gaps([]Range{r}); len(gaps) != 0 {
		t.Fatalf("a covered range has gaps %v", gaps)
	}
	if o, ok := r.Offset(MustParseNumber("V17")); !ok || o != 7 {
		t.Fatalf("Offset = %d %v", o, ok)
	}
	if s, ok := SplitCheck(MustParseNumber("AWB12345675")); !ok || s.String() != "AWB1234567" {
		t.Fatalf("SplitCheck = %s %v", s, ok)
	}
	if _, ok := SplitCheck(MustParseNumber("7")); ok {
		t.Fatal("one digit has no check digit")
	}
}

func TestPlanMarksNamesNumbersWithCheckDigits(t *testing.T) {
	owner := Owner{Customer, "C"}
	s := Series{ID: 1, Owner: owner, Range: MustParseRange("1234567", "1234576"), Drawn: 1, CheckDigit: Mod7}
	_, errs := PlanMarks(s, MustParseRange("1234567", "1234567"), owner, Consume, nil)
	if len(errs) != 1 || errs[0].(*fault.Error).Message != "number 12345675 is already used" {
		t.Fatalf("errs = %v", errs)
	}
	_, errs = PlanMarks(s, MustParseRange("1234568", "1234569"), Owner{Hub, "C"}, Consume, nil)
	if len(errs) != 1 || errs[0].(*fault.Error).Message != "numbers 12345686-12345690 are not allotted to hub C" {
		t.Fatalf("errs = %v", errs)
	}
}

func TestReport(t *testing.T) {
	s := OwnerStock{Owner: Owner{Customer, "C"}, ItemCode: "I", Series: 2, Size: 1000, Drawn: 300, Marks: Marks{UsedAhead: 10, VoidAhead: 5, VoidBehind: 5, ReleasedBehind: 20}, UsedInWindow: 140}
	ten := uint64(700)
	line := Report(s, &ten)
	// used = 300 - 5 - 20 + 10 = 285, void = 10, available = 705; 140 in 7 days is 20 a day.
	if line.Available != 705 || line.Low || line.DaysLeft != 35.25 || line.Series != 2 {
		t.Fatalf("line = %+v", line)
	}
	s.UsedInWindow = 0
	if line := Report(s, nil); !math.IsInf(line.DaysLeft, 1) || line.Low || line.Threshold != nil {
		t.Fatalf("no use, no threshold: %+v", line)
	}
	high := uint64(705)
	if !Report(s, &high).Low {
		t.Fatal("705 available is at the threshold 705")
	}
}
