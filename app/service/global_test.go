package service_test

import (
	"context"
	"testing"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// TestNextFallsBackToGlobal: a customer flagged UseGlobal goes on in the
// global pool once its own stock is exhausted, in one draw; an unflagged
// one, and a hub, do not; the flag can be turned off again.
func TestNextFallsBackToGlobal(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	org := e.org.ID
	if _, err := e.svc.Customers.Create(ctx, org, tenant.Customer{Code: "GL438", Name: "Global user", UseGlobal: true}); err != nil {
		t.Fatal(err)
	}
	for _, sp := range []series.Spec{
		{Start: "V01", End: "V02", ClientCode: "GL438", ItemCode: "I"},
		{Start: "V11", End: "V12", ClientCode: "SL1981", ItemCode: "I"},
		{Start: "V21", End: "V22", HubCode: "BF074", ItemCode: "I"},
		{Start: "G01", End: "G09", Global: true, ItemCode: "I"},
	} {
		if _, err := e.svc.Series.Create(ctx, org, sp); err != nil {
			t.Fatalf("Create %+v: %v", sp, err)
		}
	}
	d, err := e.svc.Series.Next(ctx, org, ports.NextRequest{ClientCode: "GL438", ItemCode: "I", Count: 3})
	if err != nil || len(d) != 2 || d[0].Range.String() != "V01-V02" || d[1].Range.String() != "G01-G01" {
		t.Fatalf("flagged customer drew %v, %v; want V01-V02 and G01", d, err)
	}
	for _, r := range []ports.NextRequest{
		{ClientCode: "SL1981", ItemCode: "I", Count: 3},
		{HubCode: "BF074", ItemCode: "I", Count: 3},
	} {
		if _, err := e.svc.Series.Next(ctx, org, r); fault.ReasonOf(err) != series.ReasonExhausted {
			t.Errorf("%+v: %v, want SERIES_EXHAUSTED", r, err)
		}
	}
	if _, err := e.svc.Customers.SetUseGlobal(ctx, org, " GL438 ", false); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Series.Next(ctx, org, ports.NextRequest{ClientCode: "GL438", ItemCode: "I"}); fault.ReasonOf(err) != series.ReasonExhausted {
		t.Errorf("after the flag was turned off: %v, want SERIES_EXHAUSTED", err)
	}
	// An unknown customer is still reported as unknown.
	if _, err := e.svc.Series.Next(ctx, org, ports.NextRequest{ClientCode: "NOPE", ItemCode: "I"}); fault.ReasonOf(err) != series.ReasonClientNotFound {
		t.Errorf("unknown customer: %v", err)
	}
	// The global pool's own numbers may be consumed by acting for it.
	if _, err := e.svc.Numbers.Mark(ctx, org, series.MarkSpec{Op: series.Consume, Numbers: []string{"G05"}, Global: true}, "cli:test"); err != nil {
		t.Fatalf("consume a global number: %v", err)
	}
	if _, err := e.svc.Numbers.Mark(ctx, org, series.MarkSpec{Op: series.Consume, Numbers: []string{"G06"}, ClientCode: "GL438"}, "cli:test"); fault.ReasonOf(err) != series.ReasonNumberNotOwned {
		t.Errorf("a customer consuming a global number by its own code: %v", err)
	}
	if _, err := e.svc.Numbers.SetThreshold(ctx, org, ports.ThresholdRequest{Global: true, ItemCode: "I", Level: 3}); err != nil {
		t.Fatalf("global threshold: %v", err)
	}
}
