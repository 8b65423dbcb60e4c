package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/allot-io/allot/ports"
)

// OrgCollector exports allot_org_info{org_id, org} 1 for every
// organisation, read from the store when Prometheus scrapes. The other
// metrics carry the organisation's id, which the use cases have at hand
// and which never changes; this info metric gives each id its code, for a
// join in PromQL:
//
//	sum by (org) (rate(allot_numbers_drawn_total[5m]) * on (org_id) group_left (org) allot_org_info)
type OrgCollector struct {
	store   ports.OrgStore
	timeout time.Duration
	info    *prometheus.Desc
}

var _ prometheus.Collector = (*OrgCollector)(nil)

// NewOrgCollector returns a collector of the organisations of store, each
// read given timeout (DefaultStockTimeout when not positive).
func NewOrgCollector(store ports.OrgStore, timeout time.Duration) *OrgCollector {
	if timeout <= 0 {
		timeout = DefaultStockTimeout
	}
	return &OrgCollector{
		store: store, timeout: timeout,
		info: prometheus.NewDesc(prometheus.BuildFQName(Namespace, "org", "info"),
			"Always 1: the code of the organisation with id org_id.", []string{"org_id", "org"}, nil),
	}
}

// Describe implements prometheus.Collector.
func (o *OrgCollector) Describe(ch chan<- *prometheus.Desc) { ch <- o.info }

// Collect implements prometheus.Collector.
func (o *OrgCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	orgs, err := o.store.ListOrgs(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(o.info, err)
		return
	}
	for _, org := range orgs {
		ch <- prometheus.MustNewConstMetric(o.info, prometheus.GaugeValue, 1, orgLabel(org.ID), org.Code)
	}
}

// WatchOrgs exports allot_org_info for the organisations of store (see
// OrgCollector).
func (m *Metrics) WatchOrgs(store ports.OrgStore) error {
	return m.reg.Register(NewOrgCollector(store, DefaultStockTimeout))
}
