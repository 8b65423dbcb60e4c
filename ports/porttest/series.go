package porttest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// sameSeries reports how got differs from want, or "" when it does not.
func sameSeries(got, want series.Series) string {
	switch {
	case got.ID != want.ID:
		return fmt.Sprintf("ID %d, want %d", got.ID, want.ID)
	case got.Owner != want.Owner:
		return fmt.Sprintf("owner %v, want %v", got.Owner, want.Owner)
	case got.Type != want.Type:
		return fmt.Sprintf("type %q, want %q", got.Type, want.Type)
	case got.Range != want.Range:
		return fmt.Sprintf("range %s, want %s", got.Range, want.Range)
	case got.ItemCode != want.ItemCode:
		return fmt.Sprintf("item code %q, want %q", got.ItemCode, want.ItemCode)
	case got.CreatorHub != want.CreatorHub:
		return fmt.Sprintf("creator hub %q, want %q", got.CreatorHub, want.CreatorHub)
	case got.Drawn != want.Drawn:
		return fmt.Sprintf("drawn %d, want %d", got.Drawn, want.Drawn)
	case !got.CreatedAt.Equal(want.CreatedAt):
		return fmt.Sprintf("created at %v, want %v", got.CreatedAt, want.CreatedAt)
	case !slices.Equal(got.ServiceTypes, want.ServiceTypes) && (len(got.ServiceTypes) > 0 || len(want.ServiceTypes) > 0):
		return fmt.Sprintf("service types %v, want %v", got.ServiceTypes, want.ServiceTypes)
	}
	return ""
}

func ids(ss []series.Series) []int64 {
	out := make([]int64, len(ss))
	for i, s := range ss {
		out[i] = s.ID
	}
	return out
}

func (h harness) series(t *testing.T) {
	h.run(t, "InsertAndGet", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		in := series.Series{
			Owner:        customer("SL1981"),
			Type:         series.Physical,
			Range:        rng("V10000051", "V10000060"),
			ItemCode:     "ITEM-1",
			ServiceTypes: []string{"STD", "EXP"},
			CreatorHub:   "BF074",
			CreatedAt:    base,
		}
		got := insert(t, s, org, in)
		if got.ID == 0 {
			t.Fatal("InsertSeries assigned no ID")
		}
		want := in
		want.ID = got.ID
		if d := sameSeries(got, want); d != "" {
			t.Fatalf("InsertSeries returned %s", d)
		}
		byID, err := s.SeriesByID(ctx(t), org, got.ID)
		must(t, err, "SeriesByID")
		if d := sameSeries(byID, want); d != "" {
			t.Fatalf("SeriesByID: %s", d)
		}
		if byID.Size() != 10 || byID.Remaining() != 10 {
			t.Fatalf("size %d remaining %d, want 10 and 10", byID.Size(), byID.Remaining())
		}
	})
	h.run(t, "Defaults", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		got := insert(t, s, org, series.Series{Owner: hub("BF074"), Range: rng("1", "5"), ItemCode: "I"})
		if got.Type != series.Virtual {
			t.Fatalf("type = %q, want virtual when empty", got.Type)
		}
		if got.CreatedAt.IsZero() {
			t.Fatal("CreatedAt not assigned")
		}
		byID, err := s.SeriesByID(ctx(t), org, got.ID)
		must(t, err, "SeriesByID")
		if d := sameSeries(byID, got); d != "" {
			t.Fatalf("SeriesByID: %s", d)
		}
		if len(byID.ServiceTypes) != 0 || byID.CreatorHub != "" {
			t.Fatalf("unexpected service types %v or creator hub %q", byID.ServiceTypes, byID.CreatorHub)
		}
	})
	h.run(t, "NotFound", func(t *testing.T, s ports.Store) {
		a, b := mkOrg(t, s, "a"), mkOrg(t, s, "b")
		sr := insert(t, s, a, newSeries(customer("C"), rng("V001", "V010"), "I"))
		_, err := s.SeriesByID(ctx(t), a, sr.ID+1000)
		wantFault(t, err, fault.NotFound, series.ReasonNotFound)
		_, err = s.SeriesByID(ctx(t), b, sr.ID)
		wantFault(t, err, fault.NotFound, series.ReasonNotFound)
	})
	h.run(t, "Overlap", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		insert(t, s, org, series.Series{Owner: customer("A"), Type: series.Virtual, Range: rng("V011", "V020"), ItemCode: "I"})
		// Whatever the owner, type or item code, a shared number conflicts.
		for _, r := range []series.Range{
			rng("V011", "V020"), // equal
			rng("V005", "V011"), // ends on the first
			rng("V020", "V030"), // starts on the last
			rng("V015", "V015"), // inside, one number
			rng("V001", "V999"), // around
			rng("v012", "v013"), // prefix is case-insensitive
		} {
			_, err := s.InsertSeries(ctx(t), org, series.Series{Owner: hub("H"), Type: series.Physical, Range: r, ItemCode: "OTHER"})
			wantFault(t, err, fault.Conflict, series.ReasonOverlap)
		}
		list, total, err := s.ListSeries(ctx(t), org, ports.SeriesQuery{})
		must(t, err, "ListSeries")
		if total != 1 || len(list) != 1 {
			t.Fatalf("a rejected series was stored: total %d", total)
		}
	})
	h.run(t, "NoOverlap", func(t *testing.T, s ports.Store) {
		a, b := mkOrg(t, s, "a"), mkOrg(t, s, "b")
		insert(t, s, a, newSeries(customer("C"), rng("V011", "V020"), "I"))
		for _, tc := range []struct {
			org tenant.OrgID
			r   series.Range
		}{
			{a, rng("V001", "V010")},   // touches below
			{a, rng("V021", "V030")},   // touches above
			{a, rng("W011", "W020")},   // another prefix
			{a, rng("011", "020")},     // no prefix
			{a, rng("V0011", "V0020")}, // another width: V0011 is not V011
			{b, rng("V011", "V020")},   // another organisation
		} {
			insert(t, s, tc.org, newSeries(customer("C"), tc.r, "I"))
		}
	})
	h.run(t, "TwentyDigits", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		// Beyond int64 (9223372036854775807) and even uint64.
		first := insert(t, s, org, newSeries(customer("C"), rng("89012601234567890120", "89012601234567890129"), "SIM"))
		insert(t, s, org, newSeries(customer("C"), rng("99999999999999999990", "99999999999999999999"), "SIM"))
		_, err := s.InsertSeries(ctx(t), org, newSeries(customer("C"), rng("89012601234567890129", "89012601234567890135"), "SIM"))
		wantFault(t, err, fault.Conflict, series.ReasonOverlap)
		_, err = s.InsertSeries(ctx(t), org, newSeries(customer("C"), rng("99999999999999999999", "99999999999999999999"), "SIM"))
		wantFault(t, err, fault.Conflict, series.ReasonOverlap)
		insert(t, s, org, newSeries(customer("C"), rng("89012601234567890130", "89012601234567890139"), "SIM"))
		insert(t, s, org, newSeries(customer("C"), rng("89012601234567890110", "89012601234567890119"), "SIM"))

		got, err := s.SeriesHolding(ctx(t), org, series.MustParseNumber("89012601234567890125"))
		must(t, err, "SeriesHolding")
		if got.ID != first.ID || got.Range != first.Range {
			t.Fatalf("SeriesHolding = %d %s, want %d %s", got.ID, got.Range, first.ID, first.Range)
		}
	})
	h.run(t, "DeletedFreesRange", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		old := insert(t, s, org, newSeries(customer("C"), rng("V001", "V010"), "I"))
		must(t, s.DeleteSeries(ctx(t), org, []int64{old.ID}, base), "DeleteSeries")
		_, err := s.SeriesByID(ctx(t), org, old.ID)
		wantFault(t, err, fault.NotFound, series.ReasonNotFound)
		_, err = s.SeriesHolding(ctx(t), org, series.MustParseNumber("V005"))
		wantFault(t, err, fault.NotFound, series.ReasonNumberFree)
		list, total, err := s.ListSeries(ctx(t), org, ports.SeriesQuery{})
		must(t, err, "ListSeries")
		if total != 0 || len(list) != 0 {
			t.Fatalf("ListSeries shows a deleted series: %v", ids(list))
		}
		again := insert(t, s, org, newSeries(hub("H"), rng("V005", "V015"), "I"))
		if again.ID == old.ID {
			t.Fatal("a new series reused a deleted series' ID")
		}
	})
	h.run(t, "List", func(t *testing.T, s ports.Store) {
		a, b := mkOrg(t, s, "a"), mkOrg(t, s, "b")
		mk := func(owner series.Owner, typ series.Type, first, last, item string) series.Series {
			return insert(t, s, a, series.Series{Owner: owner, Type: typ, Range: rng(first, last), ItemCode: item, ServiceTypes: []string{"STD"}})
		}
		s1 := mk(customer("C1"), series.Virtual, "A001", "A010", "I1")
		s2 := mk(customer("C2"), series.Physical, "A011", "A020", "I1")
		s3 := mk(hub("C1"), series.Virtual, "A021", "A030", "I2") // a hub whose code is a customer's
		s4 := mk(customer("C1"), series.Physical, "A031", "A040", "I2")
		insert(t, s, b, newSeries(customer("C1"), rng("A001", "A010"), "I1"))

		for _, tc := range []struct {
			name string
			q    ports.SeriesQuery
			want []int64
		}{
			{"all", ports.SeriesQuery{}, []int64{s1.ID, s2.ID, s3.ID, s4.ID}},
			{"client", ports.SeriesQuery{ClientCode: "C1"}, []int64{s1.ID, s4.ID}},
			{"hub", ports.SeriesQuery{HubCode: "C1"}, []int64{s3.ID}},
			{"item", ports.SeriesQuery{ItemCode: "I2"}, []int64{s3.ID, s4.ID}},
			{"type", ports.SeriesQuery{Type: series.Physical}, []int64{s2.ID, s4.ID}},
			{"client+item", ports.SeriesQuery{ClientCode: "C1", ItemCode: "I1"}, []int64{s1.ID}},
			{"client+type", ports.SeriesQuery{ClientCode: "C1", Type: series.Physical}, []int64{s4.ID}},
			{"none", ports.SeriesQuery{ClientCode: "nobody"}, nil},
		} {
			got, total, err := s.ListSeries(ctx(t), a, tc.q)
			must(t, err, "ListSeries")
			if !slices.Equal(ids(got), tc.want) && len(tc.want)+len(got) > 0 {
				t.Errorf("%s: ListSeries = %v, want %v", tc.name, ids(got), tc.want)
			}
			if total != len(tc.want) {
				t.Errorf("%s: total = %d, want %d", tc.name, total, len(tc.want))
			}
		}
		got, _, err := s.ListSeries(ctx(t), a, ports.SeriesQuery{ClientCode: "C2"})
		must(t, err, "ListSeries")
		if len(got) != 1 || sameSeries(got[0], s2) != "" {
			t.Fatalf("listed series differs from the stored one: %s", sameSeries(got[0], s2))
		}
	})
	h.run(t, "ListPaging", func(t *testing.T, s ports.Store) {
		org := mkOrg(t, s, "acme")
		var want []int64
		for i := range 60 {
			r := rng(fmt.Sprintf("P%03d0", i), fmt.Sprintf("P%03d9", i))
			want = append(want, insert(t, s, org, newSeries(customer("C"), r, "I")).ID)
		}
		got, total, err := s.ListSeries(ctx(t), org, ports.SeriesQuery{})
		must(t, err, "ListSeries")
		if total != 60 || !slices.Equal(ids(got), want[:50]) {
			t.Fatalf("default page: total %d, %d series, want 60 and the oldest 50", total, len(got))
		}
		got, total, err = s.ListSeries(ctx(t), org, ports.SeriesQuery{Query: ports.Query{Limit: 4, Offset: 57}})
		must(t, err, "ListSeries")
		if total != 60 || !slices.Equal(ids(got), want[57:]) {
			t.Fatalf("last page: total %d, %v, want 60 and %v", total, ids(got), want[57:])
		}
	})
	h.run(t, "Holding", func(t *testing.T, s ports.Store) {
		a, b := mkOrg(t, s, "a"), mkOrg(t, s, "b")
		low := insert(t, s, a, newSeries(customer("C"), rng("V001", "V010"), "I"))
		high := insert(t, s, a, newSeries(hub("H"), rng("V101", "V110"), "I"))
		for _, tc := range []struct {
			n    string
			want int64
		}{
			{"V001", low.ID}, {"v005", low.ID}, {"V010", low.ID},
			{"V101", high.ID}, {"V110", high.ID},
		} {
			got, err := s.SeriesHolding(ctx(t), a, series.MustParseNumber(tc.n))
			must(t, err, "SeriesHolding "+tc.n)
			if got.ID != tc.want {
				t.Errorf("SeriesHolding(%s) = %d, want %d", tc.n, got.ID, tc.want)
			}
		}
		for _, n := range []string{"V000", "V011", "V100", "V111", "V0005", "W005", "005"} {
			_, err := s.SeriesHolding(ctx(t), a, series.MustParseNumber(n))
			wantFault(t, err, fault.NotFound, series.ReasonNumberFree)
		}
		_, err := s.SeriesHolding(ctx(t), b, series.MustParseNumber("V005"))
		wantFault(t, err, fault.NotFound, series.ReasonNumberFree)
	})
	h.run(t, "Delete", func(t *testing.T, s ports.Store) {
		a, b := mkOrg(t, s, "a"), mkOrg(t, s, "b")
		s1 := insert(t, s, a, newSeries(customer("C"), rng("V001", "V010"), "I"))
		s2 := insert(t, s, a, newSeries(customer("C"), rng("V011", "V020"), "I"))
		s3 := insert(t, s, a, newSeries(customer("D"), rng("V021", "V030"), "I"))
		other := insert(t, s, b, newSeries(customer("C"), rng("V001", "V010"), "I"))
		_, err := s.DrawNext(ctx(t), a, ports.DrawQuery{Owner: customer("D"), ItemCode: "I", Count: 1})
		must(t, err, "DrawNext")

		alive := func(ids ...int64) {
			t.Helper()
			for _, id := range ids {
				if _, err := s.SeriesByID(ctx(t), a, id); err != nil {
					t.Fatalf("series %d is gone after a failed delete: %v", id, err)
				}
			}
		}
		wantFault(t, s.DeleteSeries(ctx(t), a, []int64{s1.ID, s2.ID + 1000}, base), fault.NotFound, series.ReasonNotFound)
		alive(s1.ID)
		wantFault(t, s.DeleteSeries(ctx(t), a, []int64{s1.ID, other.ID}, base), fault.NotFound, series.ReasonNotFound)
		alive(s1.ID)
		wantFault(t, s.DeleteSeries(ctx(t), a, []int64{s1.ID, s3.ID}, base), fault.Conflict, series.ReasonHasDrawn)
		alive(s1.ID, s3.ID)

		must(t, s.DeleteSeries(ctx(t), a, []int64{s1.ID, s2.ID}, base), "DeleteSeries")
		for _, id := range []int64{s1.ID, s2.ID} {
			_, err := s.SeriesByID(ctx(t), a, id)
			wantFault(t, err, fault.NotFound, series.ReasonNotFound)
		}
		wantFault(t, s.DeleteSeries(ctx(t), a, []int64{s1.ID}, base.Add(time.Hour)), fault.NotFound, series.ReasonNotFound)
		if _, err := s.SeriesByID(ctx(t), b, other.ID); err != nil {
			t.Fatalf("another organisation's series was touched: %v", err)
		}
	})
}
