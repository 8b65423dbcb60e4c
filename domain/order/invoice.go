package order

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
)

// An organisation's invoice numbers are drawn from number series of its
// own inventory, like every other number Allot hands out: the series of
// the organisation's hub InvoiceHub, one item code per counter period
// (InvoiceItemCode). The series number carries the counter: for a monthly
// counter INV + YYYYMM + the counter (INV2026050001 is invoice
// 2026-05-0001); for a continuous counter INVC + the counter, nine digits
// (INVC000000318), the invoice taking the month it is issued in
// (2026-05-0318). A series of more digits follows one that runs out
// (INV20260510000 after INV2026059999), so the counter never stops.

// InvoiceHub is the code of the hub that owns an organisation's invoice
// series.
const InvoiceHub = "INVOICE"

// InvoiceItemCode is the item code of the series of a continuous invoice
// counter, and the stem of the monthly ones' ("INVOICE-2026-05").
const InvoiceItemCode = "INVOICE"

// Prefixes of invoice series numbers, and the fewest counter digits they
// carry.
const (
	monthlyPrefix    = "INV"
	continuousPrefix = "INVC"
	monthlyDigits    = 4
	continuousDigits = 9
)

// InvoiceOwner is the owner of an organisation's invoice series.
func InvoiceOwner() series.Owner { return series.Owner{Kind: series.Hub, Code: InvoiceHub} }

// InvoiceItem returns the item code of the series that period's invoices
// are drawn from (period as Settings.InvoicePeriod gives it):
// "INVOICE-2026-05" for a month, "INVOICE" for a continuous counter.
func InvoiceItem(period string) string {
	if period == "" {
		return InvoiceItemCode
	}
	return InvoiceItemCode + "-" + period
}

// InvoiceActor is the actor recorded in the history of the series when an
// order draws its invoice number.
func InvoiceActor(enrollmentID string) series.Actor { return series.Actor("order:" + enrollmentID) }

// periodDigits returns "202605" for "2026-05", or false when period is not
// a month.
func periodDigits(period string) (string, bool) {
	if len(period) != 7 || period[4] != '-' {
		return "", false
	}
	d := period[:4] + period[5:]
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return "", false
		}
	}
	return d, true
}

// InvoiceRange returns the range of the series in which period's counter
// continues from next (at least 1): from next to the last counter of as
// many digits, at least four for a month and nine for a continuous counter.
// The series of period that run out before it are the ones of fewer
// digits, so the ranges of one period never overlap.
func InvoiceRange(period string, next int64) (series.Range, error) {
	if next < 1 {
		return series.Range{}, invoiceFault(fmt.Sprintf("invoice counter %d is not positive", next))
	}
	prefix, min := continuousPrefix, continuousDigits
	if period != "" {
		d, ok := periodDigits(period)
		if !ok {
			return series.Range{}, invoiceFault(fmt.Sprintf("invoice period %q is not YYYY-MM", period))
		}
		prefix, min = monthlyPrefix+d, monthlyDigits
	}
	n := strconv.FormatInt(next, 10)
	w := max(min, len(n))
	if len(prefix)+w > len(monthlyPrefix)+series.MaxDigits {
		return series.Range{}, invoiceFault(fmt.Sprintf("invoice counter %d has too many digits", next))
	}
	return series.ParseRange(prefix+strings.Repeat("0", w-len(n))+n, prefix+strings.Repeat("9", w))
}

// InvoiceCounter returns the counter a number of period's invoice series
// stands for: 1 for INV2026050001 or INVC000000001.
func InvoiceCounter(period string, n series.Number) (int64, error) {
	d := n.Digits()
	if period != "" {
		pd, ok := periodDigits(period)
		if !ok || n.Prefix() != monthlyPrefix || !strings.HasPrefix(d, pd) {
			return 0, invoiceFault(fmt.Sprintf("%s is not an invoice number of %s", n, period))
		}
		d = d[len(pd):]
	} else if n.Prefix() != continuousPrefix {
		return 0, invoiceFault(fmt.Sprintf("%s is not a continuous invoice number", n))
	}
	c, err := strconv.ParseInt(d, 10, 64)
	if err != nil || d == "" {
		return 0, invoiceFault(fmt.Sprintf("%s does not hold an invoice counter", n))
	}
	return c, nil
}

// invoiceFault is the error of a period, counter or number that is not an
// invoice series' own: a defect, since only the store draws from those
// series, with these rules.
func invoiceFault(msg string) error {
	return fault.New(fault.Internal, ReasonInvalidInvoice, msg)
}
