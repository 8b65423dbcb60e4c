package bunstore

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/allot-io/allot/adapters/secret"
	"github.com/allot-io/allot/adapters/webhookhttp"
	"github.com/allot-io/allot/app/service"
	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/domain/webhook"
	"github.com/allot-io/allot/ports"
)

// doneProvisioner ends every provisioning job at once: these tests move
// lines themselves.
type doneProvisioner struct{}

func (doneProvisioner) Provision(context.Context, tenant.OrgID, int64, int) (time.Duration, error) {
	return 0, nil
}

// receiver is an organisation's system: it refuses the first delivery
// (503), then checks each with webhook.Verify as a receiver would, and
// counts what reached it.
type receiver struct {
	mu     sync.Mutex
	secret []byte
	calls  int
	bodies [][]byte
	errs   []error
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if r.calls == 1 {
		http.Error(w, "not yet", http.StatusServiceUnavailable)
		return
	}
	if err := webhook.Verify(r.secret, req.Header.Get(webhook.SignatureHeader), req.Header.Get(webhook.TimestampHeader), body, time.Now()); err != nil {
		r.errs = append(r.errs, err)
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	if req.Header.Get(webhook.EventHeader) != string(webhook.LineActivated) || req.Header.Get(webhook.DeliveryHeader) == "" {
		http.Error(w, "headers", http.StatusBadRequest)
		return
	}
	r.bodies = append(r.bodies, body)
}

// TestWebhookDeliveryFlow runs the real delivery path on each dialect: a
// line's activation writes its deliveries with the transition; the River
// worker sends them with the HTTP sender. The receiver fails the first
// attempt, so the job is retried and the second, signed anew, is
// verified by the receiver; the log shows both attempts. A webhook that
// redirects is not followed; one whose name resolves to loopback without
// --allow-private (as a rebinding name would) is refused at connect time.
func TestWebhookDeliveryFlow(t *testing.T) {
	for name, open := range map[string]func(*testing.T) *Store{"SQLite": openSQLiteTest, "PostgreSQL": openPG} {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			ctx := t.Context()
			org := mustOrg(t, s, "acme")
			key := make([]byte, 32)
			_, _ = rand.Read(key)
			sealer, err := secret.NewGCM(key)
			if err != nil {
				t.Fatal(err)
			}
			clock := ports.ClockFunc(func() time.Time { return time.Now().UTC() })
			hooks := service.NewWebhooks(s, sealer, rand.Reader, clock, webhookhttp.NewSender(2*time.Second), nil)

			recv := &receiver{}
			rs := httptest.NewServer(recv)
			defer rs.Close()
			var redirected sync.Mutex
			followed := 0
			target := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
				redirected.Lock()
				followed++
				redirected.Unlock()
			}))
			defer target.Close()
			redir := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, target.URL, http.StatusFound)
			}))
			defer redir.Close()

			// Loopback is refused at add time without --allow-private.
			if _, _, err := hooks.Add(ctx, org, ports.WebhookInput{URL: rs.URL, Events: "line.activated"}); fault.ReasonOf(err) != webhook.ReasonURLPrivate {
				t.Fatalf("adding a loopback URL without allow-private: %v", err)
			}
			ok, sec, err := hooks.Add(ctx, org, ports.WebhookInput{URL: rs.URL + "/hook", Events: "line.activated", AllowPrivate: true})
			if err != nil {
				t.Fatal(err)
			}
			recv.secret = []byte(sec)
			red, _, err := hooks.Add(ctx, org, ports.WebhookInput{URL: redir.URL, Events: "line.activated", AllowPrivate: true})
			if err != nil {
				t.Fatal(err)
			}
			// Stored directly, past the add-time check, as a name that
			// resolved publicly then and to loopback now.
			sealed, _ := sealer.Seal([]byte("whsec_x"))
			rebound, err := s.CreateWebhook(ctx, org, ports.NewWebhook{SealedSecret: sealed, Webhook: webhook.Webhook{
				URL: strings.Replace(rs.URL, "127.0.0.1", "localhost", 1) + "/rebound", Events: []webhook.EventType{webhook.LineActivated}}})
			if err != nil {
				t.Fatal(err)
			}

			mustIssue(t, s, org, "W1")
			_, recs, err := s.CreateEnrollment(ctx, org, testEnrollment(t, "W1", testLine("W1", false)))
			if err != nil {
				t.Fatal(err)
			}
			id := recs[0].CustomerID
			sub, _ := enrollment.Submit(enrollment.NewActivation, enrollment.StatusQueued)
			if _, err := s.TransitionLine(ctx, org, id, sub, ports.LineChange{}); err != nil {
				t.Fatal(err)
			}
			act, _ := enrollment.Activate(enrollment.NewActivation, enrollment.StatusSubmitted, "2065550100")
			if _, err := s.TransitionLine(ctx, org, id, act, ports.LineChange{MDN: "2065550100"}); err != nil {
				t.Fatal(err)
			}

			wctx, stop := context.WithCancel(ctx)
			done := make(chan error, 1)
			go func() {
				done <- s.RunWorker(wctx, doneProvisioner{}, WorkerConfig{Poll: 20 * time.Millisecond, Webhooks: hooks,
					WebhookRetry: func(int) time.Duration { return 10 * time.Millisecond }})
			}()
			byHook := map[int64]webhook.Delivery{}
			deadline := time.Now().Add(45 * time.Second)
			for ; time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
				l, err := hooks.Deliveries(ctx, org, ports.DeliveryQuery{})
				if err != nil {
					t.Fatal(err)
				}
				for _, d := range l {
					byHook[d.WebhookID] = d
				}
				if byHook[ok.ID].Status == webhook.Delivered && byHook[red.ID].Attempts >= 1 && byHook[rebound.ID].Attempts >= 1 {
					break
				}
			}
			stop()
			if err := <-done; err != nil {
				t.Fatalf("RunWorker: %v", err)
			}

			d := byHook[ok.ID]
			if d.Status != webhook.Delivered || d.Attempts != 2 || d.ResponseCode != http.StatusOK || d.LastError != "" {
				t.Fatalf("delivery log of the receiver's webhook: %+v", d)
			}
			recv.mu.Lock()
			calls, bodies, errs := recv.calls, recv.bodies, recv.errs
			recv.mu.Unlock()
			if calls != 2 || len(bodies) != 1 || len(errs) != 0 || !bytes.Equal(bodies[0], d.Body) ||
				!bytes.Contains(bodies[0], []byte(`"mdn":"2065550100"`)) {
				t.Fatalf("receiver: %d calls, bodies %q, verify errors %v", calls, bodies, errs)
			}
			if r := byHook[red.ID]; r.ResponseCode != http.StatusFound || !strings.Contains(r.LastError, "redirect not followed") || r.Status != webhook.Retrying {
				t.Fatalf("redirecting webhook's log: %+v", r)
			}
			redirected.Lock()
			if followed != 0 {
				t.Fatalf("the redirect was followed %d times", followed)
			}
			redirected.Unlock()
			if r := byHook[rebound.ID]; r.ResponseCode != 0 || !strings.Contains(r.LastError, "private") || r.Status != webhook.Retrying {
				t.Fatalf("loopback-resolving webhook's log: %+v", r)
			}
		})
	}
}
