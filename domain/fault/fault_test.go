package fault

import (
	"errors"
	"fmt"
	"testing"
)

func TestCodeOfAndWrap(t *testing.T) {
	if CodeOf(nil) != "" {
		t.Error("nil has no code")
	}
	if CodeOf(errors.New("boom")) != Internal {
		t.Error("plain errors are internal")
	}
	e := New(NotFound, "X", "no x")
	if CodeOf(fmt.Errorf("ctx: %w", e)) != NotFound || ReasonOf(fmt.Errorf("ctx: %w", e)) != "X" {
		t.Error("codes survive wrapping")
	}
	w := Wrap(errors.New("disk on fire"), "save")
	if w.Code != Internal || w.Message != "internal error" || !errors.Is(w, w.Err) {
		t.Errorf("Wrap = %+v", w)
	}
	if Wrap(e, "again") != e {
		t.Error("Wrap keeps an existing fault")
	}
}

func TestViolationsErr(t *testing.T) {
	var vs Violations
	if vs.Err() != nil {
		t.Error("no violations, no error")
	}
	vs.Add(Violation{Field: "a", Reason: "A", Message: "a bad"})
	vs.Add(Violation{Field: "b", Reason: "B", Message: "b bad"})
	fe, _ := As(vs.Err())
	if fe.Code != Invalid || fe.Reason != "A" || len(fe.Violations) != 2 {
		t.Errorf("Err = %+v", fe)
	}
}
