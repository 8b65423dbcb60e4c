package service_test

import (
	"context"
	"testing"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/ports"
)

func TestNumbersMark(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	sr, err := e.svc.Series.Create(ctx, e.org.ID, series.Spec{Start: "1234560", End: "1234569", ClientCode: "SL1981", ItemCode: "AWB", Type: "physical", CheckDigit: "mod7"})
	if err != nil {
		t.Fatal(err)
	}
	if sr.CheckDigit != series.Mod7 {
		t.Fatalf("created with scheme %q", sr.CheckDigit)
	}
	actor := series.CLIActor("ops")
	entries, err := e.svc.Numbers.Mark(ctx, e.org.ID, series.MarkSpec{Op: series.Consume, Numbers: []string{"12345675"}, ClientCode: "SL1981", Reference: " BKG-1 "}, actor)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Actor != actor || entries[0].Reference != "BKG-1" || !entries[0].At.Equal(e.clock.t) {
		t.Fatalf("entries = %+v", entries)
	}
	info, err := e.svc.Numbers.State(ctx, e.org.ID, "12345675")
	if err != nil || info.State != series.Used || info.Reference != "BKG-1" {
		t.Fatalf("State = %+v, %v", info, err)
	}

	tests := []struct {
		name   string
		spec   series.MarkSpec
		reason string
	}{
		{"unknown client", series.MarkSpec{Op: series.Consume, Numbers: []string{"12345686"}, ClientCode: "NOPE"}, series.ReasonClientNotFound},
		{"unknown hub", series.MarkSpec{Op: series.Consume, Numbers: []string{"12345686"}, HubCode: "NOPE"}, series.ReasonHubNotFound},
		{"hub is not the owner", series.MarkSpec{Op: series.Consume, Numbers: []string{"12345686"}, HubCode: "BF074"}, series.ReasonNumberNotOwned},
		{"wrong check digit", series.MarkSpec{Op: series.Consume, Numbers: []string{"12345680"}, ClientCode: "SL1981"}, series.ReasonCheckDigit},
		{"no numbers", series.MarkSpec{Op: series.VoidOp, ClientCode: "SL1981"}, series.ReasonNumbersMissing},
	}
	for _, tt := range tests {
		_, err := e.svc.Numbers.Mark(ctx, e.org.ID, tt.spec, actor)
		if fault.CodeOf(err) != fault.Invalid || fault.ReasonOf(err) != tt.reason {
			t.Errorf("%s: %v, want invalid %s", tt.name, err, tt.reason)
		}
	}
	if _, err := e.svc.Numbers.State(ctx, e.org.ID, "V-1"); fault.ReasonOf(err) != series.ReasonInvalidNumber {
		t.Errorf("State(bad) = %v", err)
	}
}

func TestNumbersHistoryAndThresholds(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	sr, err := e.svc.Series.Create(ctx, e.org.ID, series.Spec{Start: "V10", End: "V19", ClientCode: "SL1981", ItemCode: "I"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Numbers.Mark(ctx, e.org.ID, series.MarkSpec{Op: series.VoidOp, Start: "V10", End: "V11", ClientCode: "SL1981"}, series.APIKeyActor("ak")); err != nil {
		t.Fatal(err)
	}
	page, err := e.svc.Numbers.History(ctx, e.org.ID, ports.HistoryQuery{SeriesID: sr.ID})
	if err != nil || page.Total != 2 || page.Items[0].Action != series.ActionCreate || page.Items[1].Action != series.ActionVoid {
		t.Fatalf("History = %+v, %v", page, err)
	}
	if _, err := e.svc.Numbers.History(ctx, e.org.ID, ports.HistoryQuery{SeriesID: 999}); fault.ReasonOf(err) != series.ReasonNotFound {
		t.Errorf("history of an unknown series: %v", err)
	}
	if _, err := e.svc.Numbers.History(ctx, e.org.ID, ports.HistoryQuery{Query: ports.Query{Limit: -1}}); fault.ReasonOf(err) != "INVALID_LIMIT" {
		t.Errorf("bad limit: %v", err)
	}

	if _, err := e.svc.Numbers.SetThreshold(ctx, e.org.ID, ports.ThresholdRequest{ClientCode: "SL1981", ItemCode: "I", Level: 8}); err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.Numbers.Series(ctx, e.org.ID, sr.ID)
	if err != nil || got.Stock == nil || !got.Stock.Low || got.Stock.Available != 8 || got.Stock.Void != 2 {
		t.Fatalf("Series = %+v, %v", got.Stock, err)
	}
	for _, r := range []ports.ThresholdRequest{{ItemCode: "I"}, {ClientCode: "SL1981"}, {ClientCode: "SL1981", ItemCode: "I", Level: -1}, {ClientCode: "X", ItemCode: "I"}} {
		if _, err := e.svc.Numbers.SetThreshold(ctx, e.org.ID, r); fault.CodeOf(err) != fault.Invalid {
			t.Errorf("SetThreshold(%+v) = %v", r, err)
		}
	}
	ths, err := e.svc.Numbers.Thresholds(ctx, e.org.ID)
	if err != nil || len(ths) != 1 {
		t.Fatalf("Thresholds = %+v, %v", ths, err)
	}
}
