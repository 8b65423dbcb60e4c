package postgres_test

import (
	"bytes"
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/allot-io/allot/adapters/bunstore"
	"github.com/allot-io/allot/adapters/secret"
	"github.com/allot-io/allot/app/service"
	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

type countedHasher struct {
	ports.PasswordHasher
	n atomic.Int64
}

func (h *countedHasher) Verify(hash, secret string) (bool, error) {
	h.n.Add(1)
	return h.PasswordHasher.Verify(hash, secret)
}

// TestVerifiedCredentialsAcrossServers: a server caches the vendor
// credentials it verified (a repeated POST /authenticate hashes nothing),
// and drops them as soon as another process disables the organisation,
// changes the vendor's pin or removes the vendor: the allot_auth
// notification reaches its store's listener.
func TestVerifiedCredentialsAcrossServers(t *testing.T) {
	dsn := srv.NewDatabase(t)
	ctx := t.Context()
	stores := make([]*bunstore.Store, 2)
	for i := range stores {
		st, err := bunstore.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		stores[i] = st
	}
	key := bytes.Repeat([]byte("k"), 32)
	h := &countedHasher{PasswordHasher: secret.NewTestHasher()}
	server := service.New(service.Deps{Store: stores[0], Hasher: h, TokenKey: key}, service.Config{})
	cli := service.New(service.Deps{Store: stores[1], Hasher: secret.NewTestHasher(), TokenKey: key}, service.Config{})
	org, err := cli.Orgs.Create(ctx, "ACME", "")
	if err != nil {
		t.Fatal(err)
	}
	cred := ports.Credentials{VendorID: "V1", Username: "user", Password: "vendor-password-1", Pin: "1234"}
	if _, err := cli.Enrollment.AddVendor(ctx, org.ID, cred.VendorID, cred.Username, cred.Password, cred.Pin); err != nil {
		t.Fatal(err)
	}
	auth := func() (int64, error) {
		before := h.n.Load()
		_, err := server.Enrollment.Authenticate(context.Background(), cred)
		return h.n.Load() - before, err
	}
	// warm authenticates until an authentication hashes nothing: the
	// store's listener connects on first use.
	warm := func(what string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			n, err := auth()
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			if n == 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: every authentication still hashes after 10s", what)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	refusedSoon := func(what, reason string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for {
			n, err := auth()
			if fault.ReasonOf(err) == reason {
				if n == 0 {
					t.Fatalf("%s: refused without hashing", what)
				}
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: the server still answers %v after 5s, want %s", what, err, reason)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}

	warm("before disabling")
	if _, err := cli.Orgs.SetDisabled(ctx, "ACME", true); err != nil {
		t.Fatal(err)
	}
	refusedSoon("an organisation disabled by another process", tenant.ReasonOrgDisabled)
	if _, err := cli.Orgs.SetDisabled(ctx, "ACME", false); err != nil {
		t.Fatal(err)
	}

	warm("before the pin changed")
	pin, err := h.Hash("9999")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stores[1].DB().ExecContext(ctx, "UPDATE vendors SET pin_hash = ? WHERE vendor_id = 'V1'", pin); err != nil {
		t.Fatal(err)
	}
	refusedSoon("a pin changed by another process", enrollment.ReasonCredentials)

	cred.Pin = "9999"
	warm("before the vendor was removed")
	if _, err := stores[1].DB().ExecContext(ctx, "DELETE FROM vendors WHERE vendor_id = 'V1'"); err != nil {
		t.Fatal(err)
	}
	refusedSoon("a vendor removed by another process", enrollment.ReasonCredentials)
}
