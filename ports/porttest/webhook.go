package porttest

import (
	"bytes"
	"slices"
	"testing"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/webhook"
	"github.com/allot-io/allot/ports"
)

// WebhookStores is what RunWebhookStore tests: a line store that also
// keeps webhooks.
type WebhookStores interface {
	LineStores
	ports.WebhookStore
}

// RunWebhookStore runs the conformance suite of ports.WebhookStore:
// subscriptions per organisation, deliveries fanned out to the webhooks
// subscribed, the deliveries a line transition raises written with it
// (and not without it), and the delivery log.
func RunWebhookStore(t *testing.T, newStore func(t *testing.T) WebhookStores) {
	hook := func(t *testing.T, s WebhookStores, org string, url string, allowPrivate bool, evs ...webhook.EventType) webhook.Webhook {
		t.Helper()
		w, err := s.CreateWebhook(ctx(t), orgOf(t, s, org), ports.NewWebhook{
			Webhook:      webhook.Webhook{URL: url, Events: evs, AllowPrivate: allowPrivate},
			SealedSecret: []byte("sealed:" + url),
		})
		must(t, err, "CreateWebhook")
		if w.ID <= 0 || w.CreatedAt.IsZero() {
			t.Fatalf("CreateWebhook = %+v", w)
		}
		return w
	}
	stock := webhook.StockNotice(1, series.Owner{Kind: series.Hub, Code: "TMB"}, "MDN", 3, 5, base)

	t.Run("CreateListRemove", func(t *testing.T) {
		s := newStore(t)
		acme, beta := mkOrg(t, s, "acme"), mkOrg(t, s, "beta")
		a := hook(t, s, "acme", "https://a.example/hook", false, webhook.LineActivated, webhook.StockLow)
		b := hook(t, s, "acme", "http://10.0.0.5/hook", true, webhook.PortStatusChanged)
		c := hook(t, s, "beta", "https://c.example/hook", false, webhook.LineFailed)
		l, err := s.ListWebhooks(ctx(t), acme)
		must(t, err, "ListWebhooks")
		if len(l) != 2 || l[0].ID != a.ID || l[1].ID != b.ID || l[0].URL != a.URL ||
			!slices.Equal(l[0].Events, []webhook.EventType{webhook.LineActivated, webhook.StockLow}) || l[0].AllowPrivate || !l[1].AllowPrivate {
			t.Fatalf("ListWebhooks(acme) = %+v", l)
		}
		if err := s.RemoveWebhook(ctx(t), acme, c.ID); fault.ReasonOf(err) != webhook.ReasonNotFound {
			t.Fatalf("removing another organisation's webhook: %v", err)
		}
		must(t, s.RemoveWebhook(ctx(t), acme, a.ID), "RemoveWebhook")
		if err := s.RemoveWebhook(ctx(t), acme, a.ID); fault.CodeOf(err) != fault.NotFound || fault.ReasonOf(err) != webhook.ReasonNotFound {
			t.Fatalf("removing twice: %v", err)
		}
		l, _ = s.ListWebhooks(ctx(t), acme)
		if len(l) != 1 || l[0].ID != b.ID {
			t.Fatalf("after remove: %+v", l)
		}
		if l, _ := s.ListWebhooks(ctx(t), beta); len(l) != 1 || l[0].ID != c.ID {
			t.Fatalf("beta's webhooks: %+v", l)
		}
	})

	t.Run("NotifyFansOutToSubscribed", func(t *testing.T) {
		s := newStore(t)
		acme, beta := mkOrg(t, s, "acme"), mkOrg(t, s, "beta")
		hook(t, s, "acme", "https://a.example/", false, webhook.LineActivated)
		b := hook(t, s, "acme", "https://b.example/", false, webhook.StockLow, webhook.LineActivated)
		hook(t, s, "beta", "https://c.example/", false, webhook.StockLow)
		n, err := s.Notify(ctx(t), acme, []webhook.Notice{stock})
		must(t, err, "Notify")
		if n != 1 {
			t.Fatalf("Notify wrote %d deliveries, want 1 (one webhook of acme subscribes to stock.low)", n)
		}
		d, err := s.Deliveries(ctx(t), acme, ports.DeliveryQuery{})
		must(t, err, "Deliveries")
		if len(d) != 1 || d[0].WebhookID != b.ID || d[0].Event != webhook.StockLow || d[0].Status != webhook.Pending ||
			d[0].Attempts != 0 || !bytes.Equal(d[0].Body, stock.Body) || d[0].CreatedAt.IsZero() {
			t.Fatalf("Deliveries = %+v", d)
		}
		if d, _ := s.Deliveries(ctx(t), beta, ports.DeliveryQuery{}); len(d) != 0 {
			t.Fatalf("beta sees acme's deliveries: %+v", d)
		}
		if n, err := s.Notify(ctx(t), beta, nil); err != nil || n != 0 {
			t.Fatalf("Notify(nothing) = %d, %v", n, err)
		}
	})

	t.Run("TransitionWritesDeliveries", func(t *testing.T) {
		s := newStore(t)
		acme := mkOrg(t, s, "acme")
		issue(t, s, acme, "L1", "P1")
		_, recs := create(t, s, acme, newEnrollment(t, "L1", queued("L1"), portIn("P1")))
		w := hook(t, s, "acme", "https://a.example/", false, webhook.LineActivated, webhook.PortStatusChanged)
		count := func() int {
			d, err := s.Deliveries(ctx(t), acme, ports.DeliveryQuery{WebhookID: w.ID, Query: ports.Query{Limit: 100}})
			must(t, err, "Deliveries")
			return len(d)
		}
		id := recs[0].CustomerID
		tr, _ := enrollment.Submit(enrollment.NewActivation, enrollment.StatusQueued)
		_, err := s.TransitionLine(ctx(t), acme, id, tr, ports.LineChange{})
		must(t, err, "submit")
		if n := count(); n != 0 {
			t.Fatalf("a submit raised %d deliveries", n)
		}
		// A stale transition is refused, and raises nothing.
		if _, err := s.TransitionLine(ctx(t), acme, id, tr, ports.LineChange{}); fault.ReasonOf(err) != enrollment.ReasonLineTransitionInvalid {
			t.Fatalf("stale submit: %v", err)
		}
		act, _ := enrollment.Activate(enrollment.NewActivation, enrollment.StatusSubmitted, "2125550100")
		_, err = s.TransitionLine(ctx(t), acme, id, act, ports.LineChange{MDN: "2125550100", MSID: "2125550100"})
		must(t, err, "activate")
		d, _ := s.Deliveries(ctx(t), acme, ports.DeliveryQuery{})
		if len(d) != 1 || d[0].Event != webhook.LineActivated || !bytes.Contains(d[0].Body, []byte(`"mdn":"2125550100"`)) {
			t.Fatalf("after activation: %+v", d)
		}
		// A port-in's submission changes its port status.
		pid := recs[1].CustomerID
		ptr, _ := enrollment.Submit(enrollment.PortIn, enrollment.StatusQueued)
		_, err = s.TransitionLine(ctx(t), acme, pid, ptr, ports.LineChange{})
		must(t, err, "port submit")
		d, _ = s.Deliveries(ctx(t), acme, ports.DeliveryQuery{})
		if len(d) != 2 || d[0].Event != webhook.PortStatusChanged || !bytes.Contains(d[0].Body, []byte(`"status":"PORT_PENDING"`)) {
			t.Fatalf("after port submit (newest first): %+v", d)
		}
	})

	t.Run("DeliveryLog", func(t *testing.T) {
		s := newStore(t)
		acme := mkOrg(t, s, "acme")
		w := hook(t, s, "acme", "http://127.0.0.1:9/", true, webhook.StockLow)
		_, err := s.Notify(ctx(t), acme, []webhook.Notice{stock})
		must(t, err, "Notify")
		d, _ := s.Deliveries(ctx(t), acme, ports.DeliveryQuery{})
		if len(d) != 1 {
			t.Fatalf("deliveries %+v", d)
		}
		id := d[0].ID
		tg, err := s.DeliveryTarget(ctx(t), id)
		must(t, err, "DeliveryTarget")
		if tg.Org != acme || tg.URL != w.URL || !tg.AllowPrivate || string(tg.SealedSecret) != "sealed:"+w.URL || tg.Delivery.ID != id {
			t.Fatalf("DeliveryTarget = %+v", tg)
		}
		must(t, s.RecordAttempt(ctx(t), id, webhook.Attempt{Number: 1, Status: webhook.Retrying, ResponseCode: 500, Error: "HTTP 500", At: base}), "attempt 1")
		must(t, s.RecordAttempt(ctx(t), id, webhook.Attempt{Number: 2, Status: webhook.Delivered, ResponseCode: 200, At: base}), "attempt 2")
		// A late report of the first attempt leaves the second's outcome.
		must(t, s.RecordAttempt(ctx(t), id, webhook.Attempt{Number: 1, Status: webhook.Retrying, ResponseCode: 500, Error: "HTTP 500", At: base}), "late attempt 1")
		d, _ = s.Deliveries(ctx(t), acme, ports.DeliveryQuery{WebhookID: w.ID})
		if d[0].Status != webhook.Delivered || d[0].Attempts != 2 || d[0].ResponseCode != 200 || d[0].LastError != "" {
			t.Fatalf("log after two attempts: %+v", d[0])
		}
		if _, err := s.DeliveryTarget(ctx(t), id+1000); fault.ReasonOf(err) != webhook.ReasonNotFound {
			t.Fatalf("unknown delivery: %v", err)
		}
		must(t, s.RemoveWebhook(ctx(t), acme, w.ID), "RemoveWebhook")
		if _, err := s.DeliveryTarget(ctx(t), id); fault.ReasonOf(err) != webhook.ReasonNotFound {
			t.Fatalf("delivery of a removed webhook: %v", err)
		}
		if d, _ := s.Deliveries(ctx(t), acme, ports.DeliveryQuery{}); len(d) != 0 {
			t.Fatalf("a removed webhook's log stays: %+v", d)
		}
	})
}
