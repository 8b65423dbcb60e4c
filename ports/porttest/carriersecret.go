package porttest

import (
	"bytes"
	"testing"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// CarrierSecretStores is what RunCarrierSecretStore tests: a store that
// also keeps organisations' carrier secrets.
type CarrierSecretStores interface {
	ports.Store
	ports.CarrierSecretStore
}

// RunCarrierSecretStore runs the conformance suite of
// ports.CarrierSecretStore: none until set, one per organisation, a new
// one replacing the old, an unknown organisation refused.
func RunCarrierSecretStore(t *testing.T, newStore func(t *testing.T) CarrierSecretStores) {
	t.Run("PerOrganisation", func(t *testing.T) {
		s := newStore(t)
		a, b := mkOrg(t, s, "CSA"), mkOrg(t, s, "CSB")
		if got, err := s.CarrierSecret(ctx(t), a); err != nil || got != nil {
			t.Fatalf("CarrierSecret before any = %x, %v; want nil", got, err)
		}
		must(t, s.SetCarrierSecret(ctx(t), a, []byte("sealed-a-1")), "SetCarrierSecret(a)")
		must(t, s.SetCarrierSecret(ctx(t), b, []byte("sealed-b")), "SetCarrierSecret(b)")
		must(t, s.SetCarrierSecret(ctx(t), a, []byte("sealed-a-2")), "SetCarrierSecret(a) again")
		for org, want := range map[string][]byte{"CSA": []byte("sealed-a-2"), "CSB": []byte("sealed-b")} {
			got, err := s.CarrierSecret(ctx(t), orgOf(t, s, org))
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("CarrierSecret(%s) = %q, %v; want %q", org, got, err, want)
			}
		}
		wantFault(t, s.SetCarrierSecret(ctx(t), a+b+100, []byte("x")), fault.NotFound, tenant.ReasonOrgNotFound)
		if got, err := s.CarrierSecret(ctx(t), a+b+100); err != nil || got != nil {
			t.Errorf("CarrierSecret of an unknown organisation = %x, %v", got, err)
		}
	})
}
