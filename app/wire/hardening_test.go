package wire_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/allot-io/allot/adapters/httpapi"
	"github.com/allot-io/allot/app/wire"
)

// twoKeys serves the real API over SQLite with organisation ACME, customer
// SL1981 and two API keys of ACME.
func twoKeys(t *testing.T) (base, key1, key2 string) {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	b, err := wire.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "allot.db"), wire.Config{Log: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	org, err := b.Services.Orgs.Create(ctx, "ACME", "Acme Logistics")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Services.Customers.Add(ctx, org.ID, "SL1981", "Sample Customer"); err != nil {
		t.Fatal(err)
	}
	key1, _, err = b.Services.APIKeys.Create(ctx, org.ID)
	if err != nil {
		t.Fatal(err)
	}
	key2, _, err = b.Services.APIKeys.Create(ctx, org.ID)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.New(httpapi.Config{}, b.Services, log))
	t.Cleanup(srv.Close)
	return srv.URL + httpapi.SeriesPath, key1, key2
}

func send(t *testing.T, url, key, body, idemKey string) (int, map[string]any, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewBufferString(body))
	req.Header.Set("Authorization", "Basic "+key)
	req.Header.Set("Content-Type", "application/json")
	if idemKey != "" {
		req.Header.Set("Idempotency-Key", idemKey)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m, resp.Header
}

// TestDefect7IdempotencyFollowsTheAnchors checks the three behaviours
// Stripe documents and the IETF draft describes, each of which differed:
// a request rejected by validation was stored under its key, so the
// corrected retry got 422; the same JSON re-ordered got 422; and a second
// API key of the organisation received the first key's response.
func TestDefect7IdempotencyFollowsTheAnchors(t *testing.T) {
	base, key1, key2 := twoKeys(t)
	create := base + "/create"

	// 1. A validation failure stores nothing: the corrected retry runs.
	if s, m, _ := send(t, create, key1, `{"start":"V10000071","end":"V10000080","client_code":"SL1981"}`, "k-fix"); s != 400 {
		t.Fatalf("invalid first request: %d %v", s, m)
	}
	if s, m, h := send(t, create, key1, `{"start":"V10000071","end":"V10000080","client_code":"SL1981","item_code":"P7"}`, "k-fix"); s != 200 || h.Get("Idempotent-Replayed") != "" {
		t.Fatalf("corrected retry: %d %v (replayed %q)", s, m, h.Get("Idempotent-Replayed"))
	}

	// 2. The same JSON re-ordered and re-spaced is the same request.
	if s, m, _ := send(t, create, key1, `{"start":"V20000001","end":"V20000010","client_code":"SL1981","item_code":"P7"}`, "k-order"); s != 200 {
		t.Fatalf("first: %d %v", s, m)
	}
	s, m, h := send(t, create, key1, `{ "item_code": "P7", "client_code": "SL1981", "end": "V20000010", "start": "V20000001" }`, "k-order")
	if s != 200 || h.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("re-ordered retry: %d %v (replayed %q)", s, m, h.Get("Idempotent-Replayed"))
	}

	// 3. Keys belong to the API key: the second key's "k-order" is its own.
	s, m, h = send(t, create, key2, `{"start":"V20000001","end":"V20000010","client_code":"SL1981","item_code":"P7"}`, "k-order")
	if h.Get("Idempotent-Replayed") != "" {
		t.Fatalf("the second API key received the first key's response: %d %v", s, m)
	}
	if s != 400 || m["error"].(map[string]any)["reason"] != "SERIES_OVERLAP" {
		t.Fatalf("the second key's own request should run and overlap: %d %v", s, m)
	}
}

// TestDefect4GuessingLimitsOverHTTP: 80 wrong vendor passwords in 2.8 s,
// then the right one worked; 40 chained wrong agent passwords; 1,500
// random API keys without a 429. Each is now limited per credential and
// per client address, answered in each API's terms.
func TestDefect4GuessingLimitsOverHTTP(t *testing.T) {
	t.Run("vendor credentials", func(t *testing.T) {
		b := newBSS(t, 0)
		var got []string
		for range 12 {
			r := b.call(t, "POST", "/authenticate", "", `{"vendor_id":"ACMEVENDOR","username":"acmeapi","password":"guess","pin":"1"}`)
			got = append(got, r.MsgCode+" "+r.Msg)
		}
		if got[9] != "RESTAPI001 Invalid credentials!!" || got[10] != "RESTAPI001 Too many attempts; try again later" {
			t.Fatalf("answers %q", got)
		}
		// The right credentials wait for the window too.
		r := b.call(t, "POST", "/authenticate", "", fmt.Sprintf(`{"vendor_id":"ACMEVENDOR","username":"acmeapi","password":%q,"pin":%s}`, vendorPassword, vendorPin))
		if r.MsgCode != "RESTAPI001" || r.Msg != "Too many attempts; try again later" {
			t.Fatalf("the right password after 12 guesses: %s", r.raw)
		}
	})
	t.Run("agent passwords", func(t *testing.T) {
		b := newBSS(t, 0)
		tok := b.authenticate(t)
		var got []string
		for range 12 {
			r := b.call(t, "POST", "/plan", tok, `{"action":"plan_list","agent_id":"guarded","agent_password":"guess","source":"WEBSITE"}`)
			got = append(got, r.MsgCode+" "+r.Msg)
			tok = r.token(t)
		}
		if got[9] != "RESTAPI104 Invalid Agent ID or Password" || got[10] != "RESTAPI104 Too many attempts; try again later" {
			t.Fatalf("answers %q", got)
		}
	})
	t.Run("API keys", func(t *testing.T) {
		base, key1, _ := twoKeys(t)
		statuses := map[int]int{}
		var retryAfter string
		for i := range 40 {
			req, _ := http.NewRequest(http.MethodGet, base, nil)
			req.Header.Set("Authorization", fmt.Sprintf("Basic ak_live_guess%04d", i))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			statuses[resp.StatusCode]++
			if resp.StatusCode == http.StatusTooManyRequests {
				retryAfter = resp.Header.Get("Retry-After")
			}
		}
		if statuses[http.StatusUnauthorized] != 29 || statuses[http.StatusTooManyRequests] != 11 || retryAfter == "" {
			t.Fatalf("statuses %v, Retry-After %q", statuses, retryAfter)
		}
		// The address is refused until the window ends, whatever the key.
		req, _ := http.NewRequest(http.MethodGet, base, nil)
		req.Header.Set("Authorization", "Basic "+key1)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusTooManyRequests {
			t.Errorf("a valid key from the refused address: %d", resp.StatusCode)
		}
	})
}
