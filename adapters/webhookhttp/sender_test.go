package webhookhttp

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/allot-io/allot/ports"
)

// TestLoopbackRefusedWithoutAllowPrivate: an httptest server listens on
// 127.0.0.1; without AllowPrivate the dialler refuses it after resolving
// (the request never arrives), with it the request is delivered. The URL
// names "localhost" so that the refusal is the connect-time check on the
// resolved address, not a check of the URL's text.
func TestLoopbackRefusedWithoutAllowPrivate(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	url := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	s := NewSender(0)
	code, err := s.Post(t.Context(), ports.WebhookPost{URL: url, Body: []byte("{}")})
	if err == nil || code != 0 || !strings.Contains(err.Error(), "private") {
		t.Fatalf("without AllowPrivate: %d, %v; want a refusal", code, err)
	}
	if hits.Load() != 0 {
		t.Fatalf("the refused request reached the server %d times", hits.Load())
	}
	code, err = s.Post(t.Context(), ports.WebhookPost{URL: url, AllowPrivate: true, Body: []byte("{}")})
	if err != nil || code != http.StatusNoContent || hits.Load() != 1 {
		t.Fatalf("with AllowPrivate: %d, %v, %d hits", code, err, hits.Load())
	}
}

// TestRedirectNotFollowed: a 302 is returned as is; its target is never
// asked.
func TestRedirectNotFollowed(t *testing.T) {
	var target atomic.Int32
	dst := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { target.Add(1) }))
	defer dst.Close()
	src := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, dst.URL, http.StatusFound)
	}))
	defer src.Close()
	code, err := NewSender(0).Post(t.Context(), ports.WebhookPost{URL: src.URL, AllowPrivate: true, Body: []byte("{}")})
	if err != nil || code != http.StatusFound {
		t.Fatalf("Post = %d, %v; want 302", code, err)
	}
	if target.Load() != 0 {
		t.Fatal("the redirect was followed")
	}
}

// TestPostSendsHeadersAndBody: the headers given and the body arrive as
// sent.
func TestPostSendsHeadersAndBody(t *testing.T) {
	var got *http.Request
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		body, _ = io.ReadAll(r.Body)
	}))
	defer srv.Close()
	code, err := NewSender(0).Post(t.Context(), ports.WebhookPost{URL: srv.URL, AllowPrivate: true,
		Header: map[string]string{"Allot-Signature": "v1=ab"}, Body: []byte(`{"x":1}`)})
	if err != nil || code != 200 || got.Method != http.MethodPost || got.Header.Get("Allot-Signature") != "v1=ab" ||
		got.Header.Get("Content-Type") != "application/json" || string(body) != `{"x":1}` {
		t.Fatalf("Post = %d, %v; request %v %q", code, err, got, body)
	}
}
