package porttest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/ports"
)

// StockStore is a store that also reads stock levels.
type StockStore interface {
	ports.Store
	ports.StockReader
}

// RunStock checks ports.StockReader over the stores newStore makes (fresh,
// migrated and empty, as for RunStore): levels summed per owner and item
// over live series only, fewest first, across organisations, limited, with
// the count of every pair.
func RunStock(t *testing.T, newStore func(t *testing.T) StockStore) {
	t.Run("LowestStock", func(t *testing.T) {
		s := newStore(t)
		levels, total, err := s.LowestStock(ctx(t), 10)
		must(t, err, "LowestStock on an empty store")
		if len(levels) != 0 || total != 0 {
			t.Fatalf("an empty store has stock %v (%d pairs)", levels, total)
		}
		_, _, err = s.LowestStock(ctx(t), 0)
		if fault.CodeOf(err) != fault.Invalid {
			t.Fatalf("LowestStock(0) = %v, want Invalid", err)
		}

		a, b := mkOrg(t, s, "a"), mkOrg(t, s, "b")
		insert(t, s, a, newSeries(customer("C"), rng("V001", "V010"), "I")) // 10
		insert(t, s, a, newSeries(customer("C"), rng("V101", "V105"), "I")) // +5
		insert(t, s, a, newSeries(customer("C"), rng("W001", "W003"), "J")) // 3
		insert(t, s, a, newSeries(hub("H"), rng("X001", "X020"), "I"))      // 20
		insert(t, s, b, newSeries(customer("C"), rng("V001", "V004"), "I")) // 4
		gone := insert(t, s, b, newSeries(customer("D"), rng("Y001", "Y002"), "I"))
		must(t, s.DeleteSeries(ctx(t), b, []int64{gone.ID}, base.Add(time.Hour)), "DeleteSeries")
		_, err = s.DrawNext(ctx(t), a, ports.DrawQuery{Owner: customer("C"), ItemCode: "I", Count: 12})
		must(t, err, "DrawNext")
		_, err = s.DrawNext(ctx(t), b, ports.DrawQuery{Owner: customer("C"), ItemCode: "I", Count: 1})
		must(t, err, "DrawNext")

		render := func(ls []ports.StockLevel) string {
			var out []string
			for _, l := range ls {
				out = append(out, fmt.Sprintf("%d/%s/%s=%d", l.Org, l.Owner, l.ItemCode, l.Remaining))
			}
			return strings.Join(out, " ")
		}
		// a: C/I 15-12=3, C/J 3, H/I 20; b: C/I 4-1=3; b's D is deleted.
		levels, total, err = s.LowestStock(ctx(t), 10)
		must(t, err, "LowestStock")
		want := fmt.Sprintf("%[1]d/%[3]s/I=3 %[1]d/%[3]s/J=3 %[2]d/%[3]s/I=3 %[1]d/%[4]s/I=20", a, b, customer("C"), hub("H"))
		if got := render(levels); got != want || total != 4 {
			t.Fatalf("LowestStock(10) = %s (%d pairs), want %s (4 pairs)", got, total, want)
		}
		levels, total, err = s.LowestStock(ctx(t), 2)
		must(t, err, "LowestStock")
		if got := render(levels); len(levels) != 2 || !strings.HasPrefix(want, got) || total != 4 {
			t.Fatalf("LowestStock(2) = %s (%d pairs), want the first two of %s (4 pairs)", got, total, want)
		}
	})
}
