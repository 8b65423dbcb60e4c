package wire_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/allot-io/allot/adapters/bunstore"
	"github.com/allot-io/allot/adapters/carrier"
	"github.com/allot-io/allot/adapters/httpapi"
	"github.com/allot-io/allot/adapters/secret"
	"github.com/allot-io/allot/app/wire"
	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/domain/webhook"
	"github.com/allot-io/allot/ports"
)

// asyncGateway is a carrier gateway that answers every activation
// "accepted" and tells its real answer later: by the callback the test
// posts, or, once set in answers, on a status read (a late answer the
// worker's poll finds first).
type asyncGateway struct {
	secret  []byte
	mu      sync.Mutex
	answers map[string]map[string]string
	posts   map[string]int
}

func (g *asyncGateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if !carrier.Verify(g.secret, body, r.Header.Get(carrier.SignatureHeader)) {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	key := r.Header.Get(carrier.IdempotencyHeader)
	ans := map[string]string{"status": "accepted"}
	if a, ok := g.answers[key]; ok {
		ans = a
	}
	if r.Method == http.MethodPost {
		g.posts[key]++
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(ans)
}

// portInLines stores an enrollment of n queued PORTIN lines for org and
// returns their customer ids.
func portInLines(t *testing.T, db string, org tenant.OrgID, n int) []int64 {
	t.Helper()
	bg := context.Background()
	s, err := bunstore.Open(bg, db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	in := enrollment.RequestInput{Action: enrollment.ActionCreate, ParentEnrollmentID: "P1", AgentID: "agent", Source: "WEBSITE"}
	for i := range n {
		id := "P" + string(rune('1'+i))
		if err := s.IssueEnrollmentID(bg, org, ports.IssuedEnrollmentID{ID: id, Zip: "98103", AgentID: "agent"}); err != nil {
			t.Fatal(err)
		}
		in.Lines = append(in.Lines, enrollment.LineInput{EnrollmentID: id, FirstName: "Test", LastName: "Tester", AlternatePhoneNumber: "1561651651",
			Email: "test@example.com", ServiceAddressOne: "112 N 41ST ST", ServiceCity: "SEATTLE", ServiceState: "WA", ServiceZip: "98103",
			PlanID: "1828", Carrier: "TMB", ActivationType: "PORTIN", EnrollmentType: "SHIPMENT", ActivationLater: "N",
			PortNumber: "206555010" + string(rune('1'+i)), PortCurrentCarrier: "VERIZON", PortFirstName: "Test", PortLastName: "Tester",
			PortAddressOne: "112 N 41ST ST", PortCity: "SEATTLE", PortState: "WA", PortZipCode: "98103", PortAccountNumber: "123456789",
			PortAccountPassword: "port-secret", PortSSN: "1234"})
	}
	req, err := enrollment.Validate(in, enrollment.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	e := ports.NewEnrollment{ParentEnrollmentID: "P1", AgentID: "agent", Source: "WEBSITE"}
	for _, l := range req.Lines() {
		e.Lines = append(e.Lines, ports.NewLine{Line: l, SealedPortPassword: []byte("sealed"), SealedPortSSN: []byte("sealed")})
	}
	_, recs, err := s.CreateEnrollment(bg, org, e)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, len(recs))
	for i, r := range recs {
		ids[i] = r.CustomerID
	}
	return ids
}

// TestCarrierCallback drives port-in lines through the signed callback
// endpoint: a bad signature, a stale one, an unknown line and another
// organisation's path are refused; resolution_required, a repeat of it
// (the carrier answering twice), active, and a late answer the worker's
// poll applied first, are applied once each; a contradicting late answer
// is a conflict; cancelled ends a pending port. Every port status change
// raises one port.status_changed delivery.
func TestCarrierCallback(t *testing.T) {
	ctx := context.Background()
	db := "sqlite:" + filepath.Join(t.TempDir(), "allot.db")
	t.Setenv(secret.EnvKey, strings.Repeat("ab", 32))
	gw := &asyncGateway{secret: []byte("s3cret"), answers: map[string]map[string]string{}, posts: map[string]int{}}
	gsrv := httptest.NewServer(gw)
	defer gsrv.Close()
	b, err := wire.Open(ctx, db, wire.Config{Hasher: secret.NewTestHasher(), CarrierURL: gsrv.URL, CarrierSecret: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	svc := b.Services
	acme, err := svc.Orgs.Create(ctx, "ACME", "Acme")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Orgs.Create(ctx, "BETA", "Beta"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.Webhooks.Add(ctx, acme.ID, ports.WebhookInput{URL: "http://127.0.0.1:9/hook", Events: "port.status_changed,line.activated", AllowPrivate: true}); err != nil {
		t.Fatal(err)
	}
	ids := portInLines(t, db, acme.ID, 3)
	prov := svc.Lines.(ports.LineProvisioner)
	for _, id := range ids {
		if again, err := prov.Provision(ctx, acme.ID, id, 1); err != nil || again == 0 {
			t.Fatalf("Provision line %d: %v, %v; want a poll later", id, again, err)
		}
	}
	status := func(id int64) enrollment.LineStatus {
		st, _, err := svc.Lines.Line(ctx, acme.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		return st.Status
	}
	if st := status(ids[0]); st != enrollment.StatusPortPending {
		t.Fatalf("after submission: %s", st)
	}

	api := httptest.NewServer(httpapi.New(httpapi.Config{}, svc, nil))
	defer api.Close()
	type answer struct {
		Applied bool   `json:"applied"`
		Status  string `json:"status"`
		MDN     string `json:"mdn"`
		Error   struct {
			Reason string `json:"reason"`
		} `json:"error"`
	}
	post := func(org string, id int64, fields map[string]string, sign func([]byte) string) (int, answer) {
		t.Helper()
		m := map[string]string{"key": enrollment.ActivationKey(int64(acme.ID), id), "sent_at": time.Now().UTC().Format(time.RFC3339)}
		for k, v := range fields {
			m[k] = v
		}
		body, _ := json.Marshal(m)
		sig := carrier.Sign([]byte("s3cret"), body)
		if sign != nil {
			sig = sign(body)
		}
		req, _ := http.NewRequest(http.MethodPost, api.URL+"/carrier/callback/"+org, bytes.NewReader(body))
		req.Header.Set(httpapi.CarrierSignatureHeader, sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var a answer
		_ = json.NewDecoder(resp.Body).Decode(&a)
		return resp.StatusCode, a
	}
	want := func(what string, code int, a answer, wantCode int, wantReason string) {
		t.Helper()
		if code != wantCode || a.Error.Reason != wantReason {
			t.Fatalf("%s: HTTP %d %+v, want %d %q", what, code, a, wantCode, wantReason)
		}
	}
	rr := map[string]string{"status": "resolution_required", "reason": "account number mismatch"}

	code, a := post("ACME", ids[0], rr, func(body []byte) string { return carrier.Sign([]byte("wrong"), body) })
	want("wrong secret", code, a, http.StatusUnauthorized, enrollment.ReasonCallbackSignature)
	code, a = post("ACME", ids[0], rr, func([]byte) string { return "" })
	want("no signature", code, a, http.StatusUnauthorized, enrollment.ReasonCallbackSignature)
	code, a = post("ACME", ids[0], map[string]string{"status": "resolution_required", "sent_at": time.Now().Add(-10 * time.Minute).UTC().Format(time.RFC3339)}, nil)
	want("replayed (10 minutes old)", code, a, http.StatusUnauthorized, enrollment.ReasonCallbackStale)
	code, a = post("ACME", ids[0], map[string]string{"status": "resolution_required", "key": enrollment.ActivationKey(int64(acme.ID), 999999)}, nil)
	want("unknown line", code, a, http.StatusNotFound, enrollment.ReasonLineNotFound)
	code, a = post("BETA", ids[0], rr, nil)
	want("another organisation's path", code, a, http.StatusNotFound, enrollment.ReasonLineNotFound)
	code, a = post("ACME", ids[0], map[string]string{"status": "resolution_required", "key": "not-a-key"}, nil)
	want("malformed key", code, a, http.StatusBadRequest, enrollment.ReasonActivationKeyInvalid)
	if st := status(ids[0]); st != enrollment.StatusPortPending {
		t.Fatalf("a refused callback moved the line to %s", st)
	}

	// The carrier answers twice: applied once.
	code, a = post("ACME", ids[0], rr, nil)
	if code != http.StatusOK || !a.Applied || a.Status != string(enrollment.StatusPortResolutionRequired) {
		t.Fatalf("resolution_required: %d %+v", code, a)
	}
	code, a = post("ACME", ids[0], rr, nil)
	if code != http.StatusOK || a.Applied || a.Status != string(enrollment.StatusPortResolutionRequired) {
		t.Fatalf("the same answer again: %d %+v, want 200 not applied", code, a)
	}
	_, h, _ := svc.Lines.Line(ctx, acme.ID, ids[0])
	n := 0
	for _, e := range h {
		if e.Event == enrollment.EventRequireResolution {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d require_resolution entries in the history, want 1", n)
	}
	// The operator corrects and retries; the carrier then activates.
	if _, err := svc.Lines.Retry(ctx, acme.ID, ids[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := prov.Provision(ctx, acme.ID, ids[0], 1); err != nil {
		t.Fatal(err)
	}
	code, a = post("ACME", ids[0], map[string]string{"status": "active", "mdn": "2065550101", "msid": "2065550101"}, nil)
	if code != http.StatusOK || !a.Applied || a.Status != string(enrollment.StatusActive) || a.MDN != "2065550101" {
		t.Fatalf("active: %d %+v", code, a)
	}
	// A late answer contradicting where the line went is refused.
	code, a = post("ACME", ids[0], rr, nil)
	want("late resolution_required after ACTIVE", code, a, http.StatusBadRequest, enrollment.ReasonLineTransitionInvalid)
	// The worker's poll of an active line does nothing more.
	if again, err := prov.Provision(ctx, acme.ID, ids[0], 2); err != nil || again != 0 {
		t.Fatalf("poll after the callback: %v %v", again, err)
	}

	// Answered late: the poll finds the answer before the callback comes.
	gw.mu.Lock()
	gw.answers[enrollment.ActivationKey(int64(acme.ID), ids[1])] = map[string]string{"status": "active", "mdn": "2065550102", "msid": "2065550102"}
	gw.mu.Unlock()
	if again, err := prov.Provision(ctx, acme.ID, ids[1], 2); err != nil || again != 0 || status(ids[1]) != enrollment.StatusActive {
		t.Fatalf("poll of a line the carrier activated: %v %v %s", again, err, status(ids[1]))
	}
	code, a = post("ACME", ids[1], map[string]string{"status": "active", "mdn": "2065550102"}, nil)
	if code != http.StatusOK || a.Applied || a.Status != string(enrollment.StatusActive) {
		t.Fatalf("the late callback: %d %+v, want 200 not applied", code, a)
	}

	// The carrier cancels a pending port.
	code, a = post("ACME", ids[2], map[string]string{"status": "cancelled", "reason": "subscriber withdrew"}, nil)
	if code != http.StatusOK || !a.Applied || a.Status != string(enrollment.StatusCancelled) {
		t.Fatalf("cancelled: %d %+v", code, a)
	}
	gw.mu.Lock()
	for _, id := range ids {
		if p := gw.posts[enrollment.ActivationKey(int64(acme.ID), id)]; p < 1 || (id != ids[0] && p != 1) {
			t.Errorf("line %d was submitted %d times", id, p)
		}
	}
	gw.mu.Unlock()

	// Webhooks: port.status_changed for every port status entered or
	// left (line 1: submit, resolution, retry, resubmit, active; line 2:
	// submit, active; line 3: submit, cancel), line.activated twice;
	// the repeated and the late callbacks add none.
	ds, err := svc.Webhooks.Deliveries(ctx, acme.ID, ports.DeliveryQuery{Query: ports.Query{Limit: 100}})
	if err != nil {
		t.Fatal(err)
	}
	count := map[webhook.EventType]int{}
	for _, d := range ds {
		count[d.Event]++
	}
	if count[webhook.PortStatusChanged] != 9 || count[webhook.LineActivated] != 2 || len(ds) != 11 {
		t.Fatalf("deliveries by event %v (%d in all), want 9 port.status_changed and 2 line.activated", count, len(ds))
	}
}
