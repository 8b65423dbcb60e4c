package carrier

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/signature"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

var _ ports.Carrier = (*Gateway)(nil)

// Headers of the carrier gateway protocol.
const (
	// SignatureHeader carries "sha256=" and the hex HMAC-SHA256 of the
	// body under the shared secret.
	SignatureHeader = "X-Allot-Signature"
	// IdempotencyHeader carries the line's activation key: a carrier that
	// sees it again answers the first request's state.
	IdempotencyHeader = "Idempotency-Key"
)

// maxAnswer bounds a carrier's answer body.
const maxAnswer = 64 << 10

// Gateway is ports.Carrier over JSON and HTTP(S): POST base/activations
// with the request, GET base/activations/KEY for its state. Every request
// is signed with the secret of the line's organisation and bounded by a
// timeout; any transport error, timeout, redirect, 401, 403, 429 or 5xx,
// or a missing secret, is a transient error (the job is retried), another
// 4xx (but 404 on a status read: unknown) a rejection.
type Gateway struct {
	base   *url.URL
	keys   ports.CarrierKeys
	client *http.Client
}

// staticKey signs every organisation's requests with one secret.
type staticKey []byte

func (k staticKey) CarrierKey(context.Context, tenant.OrgID) ([]byte, error) { return k, nil }

// NewGateway returns a gateway to the carrier at base (http or https),
// signing every request with secret and giving each request timeout
// (default 10s).
func NewGateway(base string, secret []byte, timeout time.Duration) (*Gateway, error) {
	if len(secret) == 0 {
		return nil, errors.New("the carrier gateway needs a signing secret")
	}
	return NewOrgGateway(base, staticKey(secret), timeout)
}

// NewOrgGateway returns a gateway to the carrier at base (http or https)
// signing each request with the secret keys gives for the line's
// organisation, and giving each request timeout (default 10s).
func NewOrgGateway(base string, keys ports.CarrierKeys, timeout time.Duration) (*Gateway, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("carrier URL %q must be http:// or https:// with a host", base)
	}
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	return &Gateway{base: u, keys: keys, client: &http.Client{
		Timeout: timeout,
		// A carrier answers where it was asked: a redirect is an error.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}, nil
}

// Sign returns the signature header value of body under secret.
func Sign(secret, body []byte) string { return signature.Body(secret, body) }

// Verify reports whether sig is body's signature under secret.
func Verify(secret, body []byte, sig string) bool { return signature.BodyValid(secret, body, sig) }

// wireRequest is an activation as the gateway sends it.
type wireRequest struct {
	Key            string `json:"key"`
	CustomerID     int64  `json:"customer_id"`
	EnrollmentID   string `json:"enrollment_id"`
	ActivationType string `json:"activation_type"`
	PlanID         string `json:"plan_id"`
	FirstName      string `json:"first_name"`
	LastName       string `json:"last_name"`
	Carrier        string `json:"carrier"`
	SIM            string `json:"sim,omitempty"`
	ESN            string `json:"esn,omitempty"`
	ZIP            string `json:"zip"`
	PortNumber     string `json:"port_number,omitempty"`
}

// wireAnswer is a carrier's answer.
type wireAnswer struct {
	Status string `json:"status"`
	MDN    string `json:"mdn,omitempty"`
	MSID   string `json:"msid,omitempty"`
	Reason string `json:"reason,omitempty"`
}

func (a wireAnswer) answer() (ports.CarrierAnswer, error) {
	k := ports.AnswerKind(a.Status)
	switch k {
	case ports.AnswerAccepted, ports.AnswerActive, ports.AnswerResolutionRequired, ports.AnswerRejected, ports.AnswerCancelled, ports.AnswerUnknown:
		return ports.CarrierAnswer{Kind: k, MDN: a.MDN, MSID: a.MSID, Reason: a.Reason}, nil
	}
	return ports.CarrierAnswer{}, fmt.Errorf("the carrier answered status %q", a.Status)
}

// Activate implements ports.Carrier.
func (g *Gateway) Activate(ctx context.Context, r ports.CarrierRequest) (ports.CarrierAnswer, error) {
	l := r.Line
	body, err := json.Marshal(wireRequest{Key: r.Key, CustomerID: l.CustomerID, EnrollmentID: l.EnrollmentID,
		ActivationType: string(l.ActivationType), PlanID: l.PlanID, FirstName: l.FirstName, LastName: l.LastName,
		Carrier: l.Carrier, SIM: l.SIM, ESN: l.ESN, ZIP: l.ZIP, PortNumber: l.PortNumber})
	if err != nil {
		return ports.CarrierAnswer{}, err
	}
	return g.do(ctx, l.Org, http.MethodPost, "activations", r.Key, body)
}

// Status implements ports.Carrier.
func (g *Gateway) Status(ctx context.Context, key string) (ports.CarrierAnswer, error) {
	// A key that is not Allot's names no organisation: organisation 0
	// gets the deployment's secret.
	org, _, err := enrollment.ParseActivationKey(key)
	if err != nil {
		org = 0
	}
	return g.do(ctx, tenant.OrgID(org), http.MethodGet, "activations/"+url.PathEscape(key), key, nil)
}

func (g *Gateway) do(ctx context.Context, org tenant.OrgID, method, path, key string, body []byte) (ports.CarrierAnswer, error) {
	secret, err := g.keys.CarrierKey(ctx, org)
	if err != nil {
		return ports.CarrierAnswer{}, fmt.Errorf("carrier %s %s: %w", method, path, err)
	}
	u := g.base.JoinPath(path)
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
	if err != nil {
		return ports.CarrierAnswer{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(IdempotencyHeader, key)
	req.Header.Set(SignatureHeader, Sign(secret, body))
	resp, err := g.client.Do(req)
	if err != nil {
		return ports.CarrierAnswer{}, fmt.Errorf("carrier %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return ports.CarrierAnswer{}, fmt.Errorf("carrier %s %s: %w", method, path, err)
	}
	switch {
	case method == http.MethodGet && resp.StatusCode == http.StatusNotFound:
		return ports.CarrierAnswer{Kind: ports.AnswerUnknown}, nil
	// A refused signature is a configuration error to fix, not a
	// rejection of the line: retried like an outage.
	case resp.StatusCode >= 500, resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode >= 300 && resp.StatusCode < 400,
		resp.StatusCode == http.StatusUnauthorized, resp.StatusCode == http.StatusForbidden:
		return ports.CarrierAnswer{}, fmt.Errorf("carrier %s %s: HTTP %d", method, path, resp.StatusCode)
	case resp.StatusCode >= 400:
		return ports.CarrierAnswer{Kind: ports.AnswerRejected, Reason: fmt.Sprintf("HTTP %d: %s", resp.StatusCode, strings.TrimSpace(string(raw)))}, nil
	}
	var a wireAnswer
	if err := json.Unmarshal(raw, &a); err != nil {
		return ports.CarrierAnswer{}, fmt.Errorf("carrier %s %s: bad answer: %w", method, path, err)
	}
	return a.answer()
}

// Simulator serves the gateway protocol over a Fake, checking every
// request's signature: a loopback carrier for end-to-end tests and for
// watching the lifecycle on a laptop.
type Simulator struct {
	Fake   *Fake
	Secret []byte
	// Delay, when set, holds the answer to each activation this long
	// after the Fake has taken it, as a carrier working on a request
	// does: a worker killed meanwhile has activated the line and lost the
	// answer, which its retry must recover under the same key.
	Delay time.Duration
}

// ServeHTTP implements http.Handler.
func (s *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxAnswer))
	if err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	if !Verify(s.Secret, body, r.Header.Get(SignatureHeader)) {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var a ports.CarrierAnswer
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/activations":
		var in wireRequest
		if err := json.Unmarshal(body, &in); err != nil || in.Key == "" || in.Key != r.Header.Get(IdempotencyHeader) {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		a, err = s.Fake.Activate(r.Context(), ports.CarrierRequest{Key: in.Key, Line: ports.LineState{CustomerID: in.CustomerID, Carrier: in.Carrier}})
		if err == nil && s.Delay > 0 {
			select {
			case <-time.After(s.Delay):
			case <-r.Context().Done():
				return
			}
		}
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/activations/"):
		a, err = s.Fake.Status(r.Context(), strings.TrimPrefix(r.URL.Path, "/activations/"))
		if err == nil && a.Kind == ports.AnswerUnknown {
			http.NotFound(w, r)
			return
		}
	default:
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(wireAnswer{Status: string(a.Kind), MDN: a.MDN, MSID: a.MSID, Reason: a.Reason})
}
