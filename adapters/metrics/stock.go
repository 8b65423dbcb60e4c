package metrics

import (
	"context"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/allot-io/allot/ports"
)

// DefaultStockLimit is how many owner and item pairs the stock gauge
// exports.
const DefaultStockLimit = 100

// DefaultStockTimeout bounds the stock query of one scrape.
const DefaultStockTimeout = 5 * time.Second

// StockCollector exports allot_stock_remaining_numbers for the owner and
// item pairs with the least stock left, read from the store when
// Prometheus scrapes, and allot_stock_pairs, how many pairs there are.
//
// Reading at scrape time, rather than keeping gauges updated on writes, is
// what makes the figure right when several servers share one database:
// every server reports what the database holds, not what it saw itself
// drawn; and it costs the write path nothing. The limit keeps both the
// query and the number of series bounded however many customers and items
// an organisation has; the lowest levels are the ones worth an alert.
type StockCollector struct {
	reader    ports.StockReader
	limit     int
	timeout   time.Duration
	remaining *prometheus.Desc
	pairs     *prometheus.Desc
}

var _ prometheus.Collector = (*StockCollector)(nil)

// NewStockCollector returns a collector of the limit lowest stock levels r
// reports (DefaultStockLimit when limit is not positive), each read given
// timeout (DefaultStockTimeout when not positive).
func NewStockCollector(r ports.StockReader, limit int, timeout time.Duration) *StockCollector {
	if limit <= 0 {
		limit = DefaultStockLimit
	}
	if timeout <= 0 {
		timeout = DefaultStockTimeout
	}
	return &StockCollector{
		reader: r, limit: limit, timeout: timeout,
		remaining: prometheus.NewDesc(prometheus.BuildFQName(Namespace, "stock", "remaining_numbers"),
			"Numbers left to draw in the live series of an owner and item code, for the "+strconv.Itoa(limit)+" pairs with the fewest.",
			[]string{"org_id", "owner_kind", "owner", "item"}, nil),
		pairs: prometheus.NewDesc(prometheus.BuildFQName(Namespace, "stock", "pairs"),
			"Owner and item code pairs with live series, exported or not.", nil, nil),
	}
}

// Describe implements prometheus.Collector.
func (s *StockCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- s.remaining
	ch <- s.pairs
}

// Collect implements prometheus.Collector.
func (s *StockCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	levels, total, err := s.reader.LowestStock(ctx, s.limit)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(s.remaining, err)
		return
	}
	for _, l := range levels {
		ch <- prometheus.MustNewConstMetric(s.remaining, prometheus.GaugeValue, float64(l.Remaining),
			orgLabel(l.Org), string(l.Owner.Kind), l.Owner.Code, l.ItemCode)
	}
	ch <- prometheus.MustNewConstMetric(s.pairs, prometheus.GaugeValue, float64(total))
}
