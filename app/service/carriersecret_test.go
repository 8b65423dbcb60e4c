package service_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"path/filepath"
	"strings"
	"testing"

	"github.com/allot-io/allot/adapters/bunstore"
	"github.com/allot-io/allot/adapters/secret"
	"github.com/allot-io/allot/app/service"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/tenant"
)

// TestCarrierSecrets: an organisation signs with its own secret once it
// has one (sealed in the store, never in the clear), the others with the
// fallback; without a fallback they have none; without a secret key none
// can be given.
func TestCarrierSecrets(t *testing.T) {
	ctx := context.Background()
	st, err := bunstore.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	a, err := st.CreateOrg(ctx, tenant.Organisation{Code: "A", Name: "A"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := st.CreateOrg(ctx, tenant.Organisation{Code: "B", Name: "B"})
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := secret.NewGCM(bytes.Repeat([]byte("k"), 32))
	if err != nil {
		t.Fatal(err)
	}
	cs := service.NewCarrierSecrets(st, sealer, rand.Reader, []byte("global"))
	own, err := cs.Rotate(ctx, a.ID)
	if err != nil || !strings.HasPrefix(own, "csec_") {
		t.Fatalf("Rotate = %q, %v", own, err)
	}
	if sealed, _ := st.CarrierSecret(ctx, a.ID); len(sealed) == 0 || bytes.Contains(sealed, []byte(own)) {
		t.Fatalf("stored %q: want it sealed", sealed)
	}
	if k, err := cs.CarrierKey(ctx, a.ID); err != nil || string(k) != own {
		t.Fatalf("CarrierKey(A) = %q, %v; want its own", k, err)
	}
	if k, err := cs.CarrierKey(ctx, b.ID); err != nil || string(k) != "global" {
		t.Fatalf("CarrierKey(B) = %q, %v; want the fallback", k, err)
	}
	if _, err := cs.Rotate(ctx, a.ID+b.ID+10); fault.ReasonOf(err) != tenant.ReasonOrgNotFound {
		t.Fatalf("Rotate of an unknown organisation: %v", err)
	}
	none := service.NewCarrierSecrets(st, sealer, rand.Reader, nil)
	if _, err := none.CarrierKey(ctx, b.ID); fault.ReasonOf(err) != service.ReasonCarrierSecretMissing {
		t.Fatalf("CarrierKey without a fallback: %v", err)
	}
	if k, err := none.CarrierKey(ctx, a.ID); err != nil || string(k) != own {
		t.Fatalf("CarrierKey(A) without a fallback = %q, %v", k, err)
	}
	unsealed := service.NewCarrierSecrets(st, nil, rand.Reader, []byte("global"))
	if _, err := unsealed.Rotate(ctx, b.ID); fault.CodeOf(err) != fault.Unavailable {
		t.Fatalf("Rotate without a secret key: %v", err)
	}
	if _, err := unsealed.CarrierKey(ctx, a.ID); fault.ReasonOf(err) != service.ReasonCarrierSecretMissing {
		t.Fatalf("CarrierKey of a sealed secret without a secret key: %v", err)
	}
}
