package order_test

import (
	"testing"

	"github.com/allot-io/allot/domain/order"
	"github.com/allot-io/allot/domain/series"
)

func TestInvoiceSeries(t *testing.T) {
	for _, tc := range []struct {
		period string
		next   int64
		want   string
		item   string
	}{
		{"2026-05", 1, "INV2026050001-INV2026059999", "INVOICE-2026-05"},
		{"2026-05", 2000, "INV2026052000-INV2026059999", "INVOICE-2026-05"},
		// Past 9999 the month goes on in a series of five digits.
		{"2026-05", 10000, "INV20260510000-INV20260599999", "INVOICE-2026-05"},
		{"", 1, "INVC000000001-INVC999999999", "INVOICE"},
		{"", 318, "INVC000000318-INVC999999999", "INVOICE"},
	} {
		r, err := order.InvoiceRange(tc.period, tc.next)
		if err != nil || r.String() != tc.want {
			t.Errorf("InvoiceRange(%q, %d) = %v, %v; want %s", tc.period, tc.next, r, err, tc.want)
			continue
		}
		if item := order.InvoiceItem(tc.period); item != tc.item {
			t.Errorf("InvoiceItem(%q) = %s, want %s", tc.period, item, tc.item)
		}
		// The counter of the range's first and last numbers round-trips.
		if c, err := order.InvoiceCounter(tc.period, r.First()); err != nil || c != tc.next {
			t.Errorf("InvoiceCounter(%q, %s) = %d, %v; want %d", tc.period, r.First(), c, err, tc.next)
		}
		if c, err := order.InvoiceCounter(tc.period, r.Last()); err != nil || c <= tc.next {
			t.Errorf("InvoiceCounter(%q, %s) = %d, %v", tc.period, r.Last(), c, err)
		}
	}
	for _, tc := range []struct {
		period string
		next   int64
	}{{"2026-5", 1}, {"2026-05", 0}, {"", -1}, {"20x6-05", 1}} {
		if _, err := order.InvoiceRange(tc.period, tc.next); err == nil {
			t.Errorf("InvoiceRange(%q, %d) accepted", tc.period, tc.next)
		}
	}
	for _, tc := range []struct{ period, number string }{
		{"2026-05", "INV2026060001"}, // another month
		{"2026-05", "INVC000000001"}, // the continuous series
		{"", "INV2026050001"},        // a monthly series
		{"2026-05", "MDN2026050001"},
	} {
		if c, err := order.InvoiceCounter(tc.period, series.MustParseNumber(tc.number)); err == nil {
			t.Errorf("InvoiceCounter(%q, %s) = %d, want an error", tc.period, tc.number, c)
		}
	}
	if o := order.InvoiceOwner(); o.Kind != series.Hub || o.Code != order.InvoiceHub {
		t.Errorf("InvoiceOwner = %v", o)
	}
}
