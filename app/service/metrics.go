package service

import (
	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// The use cases report their events to a ports.Metrics from deferred calls
// to these helpers, so that every return path is covered and an event is
// counted only once it has happened (the store has answered nil).

// observeAuth counts err on m when it refuses a caller: Unauthorized (no,
// wrong or spent credentials) or Forbidden (a disabled organisation, an
// agent's action or source). Other errors, such as an unavailable
// database, say nothing about the caller and are not counted.
func observeAuth(m ports.Metrics, api ports.AuthAPI, err error) {
	switch fault.CodeOf(err) {
	case fault.Unauthorized, fault.Forbidden:
		m.AuthFailed(api, fault.ReasonOf(err))
	}
}

// observeCreate counts a stored series.
func (s *Series) observeCreate(org tenant.OrgID, err error) {
	if err == nil {
		s.metrics.SeriesCreated(org)
	}
}

// observeDraw counts the numbers a draw handed out.
func (s *Series) observeDraw(org tenant.OrgID, drawn []series.Drawn, err error) {
	if err != nil {
		return
	}
	var n uint64
	for _, d := range drawn {
		// A run never exceeds series.MaxDraw, so it fits.
		c, _ := d.Range.Count().Uint64()
		n += c
	}
	if n > 0 {
		s.metrics.NumbersDrawn(org, n)
	}
}

// observeLines counts the lines of a stored enrollment by the status each
// starts in.
func observeLines(m ports.Metrics, lines []enrollment.Line) {
	for _, l := range lines {
		m.EnrollmentLineCreated(enrollment.StatusOf(l))
	}
}

// metricsOr returns m, or a Metrics that records nothing when m is nil.
func metricsOr(m ports.Metrics) ports.Metrics {
	if m == nil {
		return ports.NopMetrics{}
	}
	return m
}
