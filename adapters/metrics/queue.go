package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/allot-io/allot/ports"
)

// QueueCollector exports allot_provisioning_queue_depth and
// allot_provisioning_queue_oldest_seconds, read from the store at each
// scrape for the same reason as StockCollector: every server then reports
// the one queue the database holds.
type QueueCollector struct {
	reader  ports.QueueReader
	timeout time.Duration
	depth   *prometheus.Desc
	oldest  *prometheus.Desc
}

var _ prometheus.Collector = (*QueueCollector)(nil)

// NewQueueCollector returns a collector of r's backlog, each read given
// timeout (DefaultStockTimeout when not positive).
func NewQueueCollector(r ports.QueueReader, timeout time.Duration) *QueueCollector {
	if timeout <= 0 {
		timeout = DefaultStockTimeout
	}
	return &QueueCollector{
		reader: r, timeout: timeout,
		depth: prometheus.NewDesc(prometheus.BuildFQName(Namespace, "provisioning_queue", "depth"),
			"Lines waiting for carrier provisioning or being submitted (unfinished jobs).", nil, nil),
		oldest: prometheus.NewDesc(prometheus.BuildFQName(Namespace, "provisioning_queue", "oldest_seconds"),
			"How long the oldest unfinished provisioning job has waited; 0 when the queue is empty.", nil, nil),
	}
}

// Describe implements prometheus.Collector.
func (q *QueueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- q.depth
	ch <- q.oldest
}

// Collect implements prometheus.Collector.
func (q *QueueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), q.timeout)
	defer cancel()
	l, err := q.reader.ProvisioningBacklog(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(q.depth, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(q.depth, prometheus.GaugeValue, float64(l.Depth))
	ch <- prometheus.MustNewConstMetric(q.oldest, prometheus.GaugeValue, l.OldestAge.Seconds())
}
