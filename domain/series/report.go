package series

import "math"

// StockWindowDays is the window of the usage rate a stock report divides
// by: the last 7 days.
const StockWindowDays = 7

// OwnerStock is the stock of an owner and item code over all its live
// series: their summed sizes, draw pointers and Marks (Tally is linear, so
// the sums tally like one series), and the numbers used in the window.
type OwnerStock struct {
	Owner    Owner
	ItemCode string
	Series   uint64
	Size     uint64
	Drawn    uint64
	Marks    Marks
	// UsedInWindow counts the numbers drawn or consumed in the last
	// StockWindowDays days.
	UsedInWindow uint64
}

// StockLine is one line of a stock report.
type StockLine struct {
	Owner     Owner
	ItemCode  string
	Series    uint64
	Available uint64
	// Threshold is the owner's low-stock level for the item, nil when none
	// is set; Low says Available is at or below it.
	Threshold *uint64
	Low       bool
	// DaysLeft is how many days Available lasts at the window's rate of
	// use; +Inf when nothing was used in the window.
	DaysLeft float64
}

// Report turns an owner's stock and threshold (nil when none) into its
// report line.
func Report(s OwnerStock, threshold *uint64) StockLine {
	st := Tally(s.Size, s.Drawn, s.Marks, 0)
	line := StockLine{Owner: s.Owner, ItemCode: s.ItemCode, Series: s.Series, Available: st.Available, Threshold: threshold, DaysLeft: math.Inf(1)}
	if threshold != nil {
		line.Low = st.Available <= *threshold
	}
	if s.UsedInWindow > 0 {
		line.DaysLeft = float64(st.Available) / (float64(s.UsedInWindow) / StockWindowDays)
	}
	return line
}

// CrossedThreshold reports whether a draw or consume that took available
// stock of an owner and item code from before to after went from above
// level to at or below it: the moment a low-stock alert is due, once, and
// not again on every later draw while stock stays low.
func CrossedThreshold(before, after, level uint64) bool {
	return before > level && after <= level
}
