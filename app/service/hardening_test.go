package service_test

import (
	"context"
	"testing"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/ports"
)

// TestDefect9NextCountAndUnknownOwner: an unknown client answered
// SERIES_EXHAUSTED. Now an owner that does not exist is
// CLIENT_NOT_FOUND (HUB_NOT_FOUND for a hub), while a real owner without
// stock stays SERIES_EXHAUSTED.
func TestDefect9NextCountAndUnknownOwner(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	cases := []struct {
		req    ports.NextRequest
		reason string
	}{
		{ports.NextRequest{ClientCode: "SL1981", ItemCode: "I", Count: series.MaxDraw + 1}, series.ReasonInvalidCount},
		{ports.NextRequest{ClientCode: "NOSUCH", ItemCode: "I", Count: 1}, series.ReasonClientNotFound},
		{ports.NextRequest{HubCode: "NOSUCH", ItemCode: "I", Count: 1}, series.ReasonHubNotFound},
		{ports.NextRequest{ClientCode: "SL1981", ItemCode: "I", Count: 1}, series.ReasonExhausted},
	}
	for _, c := range cases {
		_, err := e.svc.Series.Next(ctx, e.org.ID, c.req)
		if fault.ReasonOf(err) != c.reason {
			t.Errorf("Next(%+v) = %v, want %s", c.req, err, c.reason)
		}
	}
}

// TestDefect2ServiceTypesBounded: the domain refuses more than
// series.MaxServiceTypes service types with one violation, not one per
// element.
func TestDefect2ServiceTypesBounded(t *testing.T) {
	_, err := series.Validate(series.Spec{ClientCode: "C", Start: "V1", End: "V2", ItemCode: "I",
		ServiceTypes: make([]string, 349_425)}, series.Limits{})
	fe, _ := fault.As(err)
	if fe == nil || len(fe.Violations) != 1 || fe.Reason != series.ReasonInvalidServiceType {
		t.Fatalf("Validate = %v", err)
	}
}
