package carrier

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

var testSecret = []byte("carrier-secret")

func gateway(t *testing.T, url string, secret []byte, timeout time.Duration) *Gateway {
	t.Helper()
	g, err := NewGateway(url, secret, timeout)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func req(key string) ports.CarrierRequest {
	return ports.CarrierRequest{Key: key, Line: ports.LineState{CustomerID: 7, Carrier: "TMB", EnrollmentID: "E1"}}
}

// TestGatewayAgainstSimulator: an activation answers active, a second
// submission of the key (a client answering twice) the same answer without
// a second activation, an unknown key is unknown, a wrong secret and an
// outage are transient errors.
func TestGatewayAgainstSimulator(t *testing.T) {
	fake := NewFake()
	srv := httptest.NewServer(&Simulator{Fake: fake, Secret: testSecret})
	defer srv.Close()
	g := gateway(t, srv.URL, testSecret, time.Second)
	ctx := context.Background()
	for range 2 {
		a, err := g.Activate(ctx, req("k1"))
		if err != nil || a.Kind != ports.AnswerActive || a.MSID == "" {
			t.Fatalf("Activate = %+v, %v", a, err)
		}
	}
	if n := fake.Activations("k1"); n != 1 {
		t.Fatalf("activated %d times", n)
	}
	if a, err := g.Status(ctx, "k1"); err != nil || a.Kind != ports.AnswerActive {
		t.Fatalf("Status(k1) = %+v, %v", a, err)
	}
	if a, err := g.Status(ctx, "nope"); err != nil || a.Kind != ports.AnswerUnknown {
		t.Fatalf("Status(nope) = %+v, %v", a, err)
	}
	if _, err := gateway(t, srv.URL, []byte("wrong"), time.Second).Activate(ctx, req("k2")); err == nil {
		t.Fatal("a wrongly signed request was answered")
	}
	fake.Down = true
	if _, err := g.Activate(ctx, req("k3")); err == nil {
		t.Fatal("an outage answered")
	}
	if fake.Activations("k2")+fake.Activations("k3") != 0 {
		t.Fatal("refused requests activated lines")
	}
}

// TestGatewayLateAnswer: the carrier activates but answers after the
// gateway's timeout; the retry's status read finds the line active, so it
// is activated exactly once.
func TestGatewayLateAnswer(t *testing.T) {
	fake := NewFake()
	sim := &Simulator{Fake: fake, Secret: testSecret}
	var posts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && posts.Add(1) == 1 {
			sim.ServeHTTP(w, r) // activates, then the answer is late
			time.Sleep(300 * time.Millisecond)
			return
		}
		sim.ServeHTTP(w, r)
	}))
	defer srv.Close()
	g := gateway(t, srv.URL, testSecret, 100*time.Millisecond)
	ctx := context.Background()
	if _, err := g.Activate(ctx, req("late")); err == nil {
		t.Fatal("a late answer did not time out")
	}
	a, err := g.Status(ctx, "late")
	if err != nil || a.Kind != ports.AnswerActive {
		t.Fatalf("Status after the lost answer = %+v, %v", a, err)
	}
	if n := fake.Activations("late"); n != 1 {
		t.Fatalf("activated %d times", n)
	}
}

// TestGatewayFailures: a 5xx is transient, a 400 a rejection with the
// carrier's reason, a redirect is not followed, a bad URL is refused.
func TestGatewayFailures(t *testing.T) {
	var code atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c := int(code.Load()); c == http.StatusFound {
			http.Redirect(w, r, "http://example.invalid/", c)
		} else {
			http.Error(w, "bad sim", c)
		}
	}))
	defer srv.Close()
	g := gateway(t, srv.URL, testSecret, time.Second)
	ctx := context.Background()
	code.Store(http.StatusInternalServerError)
	if _, err := g.Activate(ctx, req("a")); err == nil {
		t.Fatal("500 answered")
	}
	code.Store(http.StatusBadRequest)
	if a, err := g.Activate(ctx, req("a")); err != nil || a.Kind != ports.AnswerRejected || a.Reason != "HTTP 400: bad sim" {
		t.Fatalf("400 = %+v, %v", a, err)
	}
	code.Store(http.StatusFound)
	if _, err := g.Activate(ctx, req("a")); err == nil {
		t.Fatal("a redirect was followed or accepted")
	}
	for _, u := range []string{"ftp://x", "http://", "::"} {
		if _, err := NewGateway(u, testSecret, 0); err == nil {
			t.Errorf("NewGateway(%q) accepted", u)
		}
	}
	if _, err := NewGateway(srv.URL, nil, 0); err == nil {
		t.Error("a gateway without a secret")
	}
}

// TestSimulatorDelay: with Delay the simulator activates at once and holds
// the answer, so a gateway that gives up first has activated the line and
// lost the answer; its status read then finds it active, and the counts
// show one activation.
func TestSimulatorDelay(t *testing.T) {
	fake := NewFake()
	srv := httptest.NewServer(&Simulator{Fake: fake, Secret: testSecret, Delay: 300 * time.Millisecond})
	defer srv.Close()
	ctx := context.Background()
	if _, err := gateway(t, srv.URL, testSecret, 50*time.Millisecond).Activate(ctx, req("slow")); err == nil {
		t.Fatal("an answer held past the timeout arrived")
	}
	g := gateway(t, srv.URL, testSecret, time.Second)
	if a, err := g.Status(ctx, "slow"); err != nil || a.Kind != ports.AnswerActive {
		t.Fatalf("Status after the lost answer = %+v, %v", a, err)
	}
	began := time.Now()
	if a, err := g.Activate(ctx, req("other")); err != nil || a.Kind != ports.AnswerActive {
		t.Fatalf("Activate = %+v, %v", a, err)
	}
	if d := time.Since(began); d < 300*time.Millisecond {
		t.Errorf("answered after %s, before the delay", d)
	}
	if got := fake.ActivationCounts(); len(got) != 2 || got["slow"] != 1 || got["other"] != 1 {
		t.Fatalf("ActivationCounts = %v", got)
	}
}

// orgKeys is ports.CarrierKeys over a map, the deployment's secret for
// organisations not in it.
type orgKeys struct {
	own      map[tenant.OrgID][]byte
	fallback []byte
}

func (k orgKeys) CarrierKey(_ context.Context, org tenant.OrgID) ([]byte, error) {
	if s, ok := k.own[org]; ok {
		return s, nil
	}
	if len(k.fallback) == 0 {
		return nil, errors.New("no carrier secret")
	}
	return k.fallback, nil
}

// TestGatewaySignsPerOrganisation: a gateway request, activation or
// status read, is signed with the secret of the line's organisation,
// which an in-test carrier holding each organisation's secret verifies;
// an organisation without one of its own is signed with the deployment's
// secret, and without either the request is not sent.
func TestGatewaySignsPerOrganisation(t *testing.T) {
	secrets := map[string][]byte{"allot-1-": []byte("secret-a"), "allot-2-": []byte("secret-b"), "allot-3-": []byte("global")}
	var mu sync.Mutex
	seen := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		key := r.Header.Get(IdempotencyHeader)
		for prefix, secret := range secrets {
			if strings.HasPrefix(key, prefix) && Verify(secret, body, r.Header.Get(SignatureHeader)) {
				mu.Lock()
				seen[r.Method+" "+key]++
				mu.Unlock()
				_, _ = io.WriteString(w, `{"status":"active","msid":"1"}`)
				return
			}
		}
		http.Error(w, "bad signature", http.StatusUnauthorized)
	}))
	defer srv.Close()
	keys := orgKeys{own: map[tenant.OrgID][]byte{1: []byte("secret-a"), 2: []byte("secret-b")}, fallback: []byte("global")}
	g, err := NewOrgGateway(srv.URL, keys, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for org := tenant.OrgID(1); org <= 3; org++ {
		r := ports.CarrierRequest{Key: enrollment.ActivationKey(int64(org), 10), Line: ports.LineState{Org: org, CustomerID: 10, Carrier: "TMB"}}
		if a, err := g.Activate(ctx, r); err != nil || a.Kind != ports.AnswerActive {
			t.Fatalf("org %d: Activate = %+v, %v", org, a, err)
		}
		if a, err := g.Status(ctx, r.Key); err != nil || a.Kind != ports.AnswerActive {
			t.Fatalf("org %d: Status = %+v, %v", org, a, err)
		}
		if seen["POST "+r.Key] != 1 || seen["GET "+r.Key] != 1 {
			t.Fatalf("org %d: the carrier verified %v", org, seen)
		}
	}
	// Organisation 1's line signed with organisation 2's secret is
	// refused by the carrier.
	wrong, _ := NewOrgGateway(srv.URL, orgKeys{own: map[tenant.OrgID][]byte{1: []byte("secret-b")}}, time.Second)
	if _, err := wrong.Activate(ctx, ports.CarrierRequest{Key: enrollment.ActivationKey(1, 11), Line: ports.LineState{Org: 1, CustomerID: 11}}); err == nil {
		t.Fatal("a request signed with another organisation's secret was answered")
	}
	none, _ := NewOrgGateway(srv.URL, orgKeys{}, time.Second)
	if _, err := none.Activate(ctx, ports.CarrierRequest{Key: enrollment.ActivationKey(4, 12), Line: ports.LineState{Org: 4, CustomerID: 12}}); err == nil || !strings.Contains(err.Error(), "no carrier secret") {
		t.Fatalf("without a secret: %v", err)
	}
	if seen["POST "+enrollment.ActivationKey(4, 12)] != 0 {
		t.Fatal("an unsigned request reached the carrier")
	}
}
