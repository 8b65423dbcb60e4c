package wire_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/allot-io/allot/adapters/secret"
	"github.com/allot-io/allot/app/wire"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/webhook"
	"github.com/allot-io/allot/ports"
)

// TestStockLowWebhook: with a threshold of 7 on a hub's 10 numbers, draws
// of 2 (to 8) raise nothing, the draw to 7 raises one stock.low, a draw
// below raises none more; a consume that crosses another item's threshold
// raises one, a release (stock rising) none, and a webhook not subscribed
// to stock.low gets nothing.
func TestStockLowWebhook(t *testing.T) {
	ctx := context.Background()
	db := "sqlite:" + filepath.Join(t.TempDir(), "allot.db")
	t.Setenv(secret.EnvKey, strings.Repeat("ef", 32))
	b, err := wire.Open(ctx, db, wire.Config{Hasher: secret.NewTestHasher()})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	svc := b.Services
	org, err := svc.Orgs.Create(ctx, "ACME", "Acme")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Hubs.Add(ctx, org.ID, "H1", "Hub one"); err != nil {
		t.Fatal(err)
	}
	for _, sp := range []series.Spec{
		{Start: "V1000", End: "V1009", HubCode: "H1", Type: "virtual", ItemCode: "CARD"},
		{Start: "W1000", End: "W1009", HubCode: "H1", Type: "virtual", ItemCode: "SIMX"},
	} {
		if _, err := svc.Series.Create(ctx, org.ID, sp); err != nil {
			t.Fatalf("series %s: %v", sp.Start, err)
		}
	}
	for _, item := range []string{"CARD", "SIMX"} {
		if _, err := svc.Numbers.SetThreshold(ctx, org.ID, ports.ThresholdRequest{HubCode: "H1", ItemCode: item, Level: 7}); err != nil {
			t.Fatal(err)
		}
	}
	low, _, err := svc.Webhooks.Add(ctx, org.ID, ports.WebhookInput{URL: "https://hooks.example.com/low", Events: "stock.low"})
	if err != nil {
		t.Fatal(err)
	}
	other, _, err := svc.Webhooks.Add(ctx, org.ID, ports.WebhookInput{URL: "https://hooks.example.com/lines", Events: "line.activated"})
	if err != nil {
		t.Fatal(err)
	}
	deliveries := func() []webhook.Delivery {
		d, err := svc.Webhooks.Deliveries(ctx, org.ID, ports.DeliveryQuery{})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	draw := func(n int64) {
		if _, err := svc.Series.Next(ctx, org.ID, ports.NextRequest{HubCode: "H1", ItemCode: "CARD", Count: n}); err != nil {
			t.Fatal(err)
		}
	}
	draw(2) // 10 → 8
	if d := deliveries(); len(d) != 0 {
		t.Fatalf("above the threshold: %+v", d)
	}
	draw(1) // 8 → 7: crossed
	d := deliveries()
	if len(d) != 1 || d[0].WebhookID != low.ID || d[0].Event != webhook.StockLow ||
		!bytes.Contains(d[0].Body, []byte(`"available":7`)) || !bytes.Contains(d[0].Body, []byte(`"item_code":"CARD"`)) {
		t.Fatalf("after crossing: %+v", d)
	}
	draw(1) // 7 → 6: already low
	if d := deliveries(); len(d) != 1 {
		t.Fatalf("below the threshold again: %d deliveries", len(d))
	}
	mark := func(op series.Op, from, to string) {
		if _, err := svc.Numbers.Mark(ctx, org.ID, series.MarkSpec{Op: op, HubCode: "H1", Start: from, End: to}, series.CLIActor("test")); err != nil {
			t.Fatalf("%s %s-%s: %v", op, from, to, err)
		}
	}
	mark(series.Consume, "W1000", "W1001") // 10 → 8
	mark(series.Release, "W1000", "W1000") // 8 → 9
	if d := deliveries(); len(d) != 1 {
		t.Fatalf("consume above the threshold, release: %d deliveries", len(d))
	}
	mark(series.Consume, "W1002", "W1003") // 9 → 7: crossed
	d = deliveries()
	if len(d) != 2 || !bytes.Contains(d[0].Body, []byte(`"item_code":"SIMX"`)) {
		t.Fatalf("after the consume crossing: %+v", d)
	}
	for _, x := range d {
		if x.WebhookID == other.ID {
			t.Fatalf("a webhook not subscribed to stock.low got %+v", x)
		}
	}
}
