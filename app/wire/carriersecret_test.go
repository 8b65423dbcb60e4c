package wire_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/allot-io/allot/adapters/carrier"
	"github.com/allot-io/allot/adapters/cli"
	"github.com/allot-io/allot/adapters/httpapi"
	"github.com/allot-io/allot/adapters/secret"
	"github.com/allot-io/allot/app/wire"
	"github.com/allot-io/allot/cmd/allot/command"
	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/ports"
)

// TestCarrierSecretPerOrganisation: `allot carrier secret` gives ACME and
// BETA secrets of their own, printed once; the gateway then signs ACME's
// requests with ACME's (the in-test carrier accepts nothing else), and
// ACME's callbacks are refused under BETA's secret or ALLOT_CARRIER_SECRET
// and accepted under its own, while GAMMA, without one, is still checked
// with ALLOT_CARRIER_SECRET; an unknown organisation's path is refused as
// a bad signature.
func TestCarrierSecretPerOrganisation(t *testing.T) {
	ctx := context.Background()
	db := "sqlite:" + filepath.Join(t.TempDir(), "allot.db")
	key := strings.Repeat("cd", 32)
	t.Setenv(secret.EnvKey, key)
	run := func(args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		deps := command.Deps(os.Getenv, wire.Config{Hasher: secret.NewTestHasher()})
		deps.Stdout, deps.Stderr = &out, &errOut
		if code := cli.Run(ctx, deps, append([]string{"allot"}, args...)); code != 0 {
			t.Fatalf("allot %v: exit %d; stderr %s", args, code, errOut.String())
		}
		return out.String()
	}
	for _, org := range []string{"ACME", "BETA", "GAMMA"} {
		run("org", "create", "--db", db, org)
	}
	first := strings.TrimSpace(run("carrier", "secret", "--db", db, "--org", "ACME"))
	secretA := strings.TrimSpace(run("carrier", "secret", "--db", db, "--org", "ACME"))
	secretB := strings.TrimSpace(run("carrier", "secret", "--db", db, "--org", "BETA"))
	if !strings.HasPrefix(secretA, "csec_") || len(secretA) != len("csec_")+64 || secretA == first || secretA == secretB {
		t.Fatalf("secrets %q, %q, %q: want three distinct csec_ secrets", first, secretA, secretB)
	}

	gw := &asyncGateway{secret: []byte(secretA), answers: map[string]map[string]string{}, posts: map[string]int{}}
	gsrv := httptest.NewServer(gw)
	defer gsrv.Close()
	p, err := wire.Open(ctx, db, wire.Config{Hasher: secret.NewTestHasher(), SecretKey: key, CarrierURL: gsrv.URL, CarrierSecret: "global"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	svc := p.Services
	acme, err := svc.Orgs.ByCode(ctx, "ACME")
	if err != nil {
		t.Fatal(err)
	}
	ids := portInLines(t, db, acme.ID, 1)
	prov := svc.Lines.(ports.LineProvisioner)
	// The carrier verifies ACME's requests with ACME's secret only.
	if _, err := prov.Provision(ctx, acme.ID, ids[0], 1); err != nil {
		t.Fatalf("Provision under ACME's secret: %v", err)
	}
	if n := gw.posts[enrollment.ActivationKey(int64(acme.ID), ids[0])]; n != 1 {
		t.Fatalf("the carrier took %d of ACME's requests signed with ACME's secret", n)
	}

	api := httptest.NewServer(httpapi.New(httpapi.Config{}, svc, nil))
	defer api.Close()
	post := func(org string, with string) (int, string) {
		t.Helper()
		body, _ := json.Marshal(map[string]string{"key": enrollment.ActivationKey(int64(acme.ID), ids[0]), "status": "resolution_required",
			"reason": "account number mismatch", "sent_at": time.Now().UTC().Format(time.RFC3339)})
		req, _ := http.NewRequest(http.MethodPost, api.URL+"/carrier/callback/"+org, bytes.NewReader(body))
		req.Header.Set(httpapi.CarrierSignatureHeader, carrier.Sign([]byte(with), body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var a struct {
			Error struct {
				Reason string `json:"reason"`
			} `json:"error"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&a)
		return resp.StatusCode, a.Error.Reason
	}
	for _, c := range []struct {
		what, org, secret string
		code              int
		reason            string
	}{
		{"ACME under the global secret", "ACME", "global", http.StatusUnauthorized, enrollment.ReasonCallbackSignature},
		{"ACME under BETA's secret", "ACME", secretB, http.StatusUnauthorized, enrollment.ReasonCallbackSignature},
		{"ACME under its replaced secret", "ACME", first, http.StatusUnauthorized, enrollment.ReasonCallbackSignature},
		{"GAMMA under ACME's secret", "GAMMA", secretA, http.StatusUnauthorized, enrollment.ReasonCallbackSignature},
		// Signed as GAMMA's must be; the line is ACME's, so not GAMMA's.
		{"GAMMA under the global secret", "GAMMA", "global", http.StatusNotFound, enrollment.ReasonLineNotFound},
		{"an unknown organisation", "NOPE", "global", http.StatusUnauthorized, enrollment.ReasonCallbackSignature},
	} {
		if code, reason := post(c.org, c.secret); code != c.code || reason != c.reason {
			t.Errorf("%s: HTTP %d %q, want %d %q", c.what, code, reason, c.code, c.reason)
		}
	}
	if st, _, _ := svc.Lines.Line(ctx, acme.ID, ids[0]); st.Status != enrollment.StatusPortPending {
		t.Fatalf("a refused callback moved the line to %s", st.Status)
	}
	if code, reason := post("ACME", secretA); code != http.StatusOK {
		t.Fatalf("ACME under its own secret: HTTP %d %q", code, reason)
	}
	if st, _, _ := svc.Lines.Line(ctx, acme.ID, ids[0]); st.Status != enrollment.StatusPortResolutionRequired {
		t.Fatalf("after ACME's callback the line is %s", st.Status)
	}
}
