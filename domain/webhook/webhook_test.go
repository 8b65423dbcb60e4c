package webhook

import (
	"encoding/json"
	"errors"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
)

func TestParseEvents(t *testing.T) {
	got, err := ParseEvents(" stock.low, line.activated,LINE.ACTIVATED ")
	if err != nil || len(got) != 2 || got[0] != LineActivated || got[1] != StockLow {
		t.Fatalf("ParseEvents = %v, %v", got, err)
	}
	for _, bad := range []string{"", " , ", "line.activated,line.deleted"} {
		if _, err := ParseEvents(bad); fault.ReasonOf(err) != ReasonEventInvalid {
			t.Errorf("ParseEvents(%q) = %v, want %s", bad, err, ReasonEventInvalid)
		}
	}
}

func TestParseURL(t *testing.T) {
	for _, c := range []struct {
		raw          string
		allowPrivate bool
		reason       string
	}{
		{"https://hooks.example.com/allot", false, ""},
		{"http://hooks.example.com:8080/x?y=1", false, ""},
		{"ftp://hooks.example.com/", false, ReasonURLInvalid},
		{"hooks.example.com/x", false, ReasonURLInvalid},
		{"https://user:pw@hooks.example.com/", false, ReasonURLInvalid},
		{"https:///nohost", false, ReasonURLInvalid},
		{"http://127.0.0.1:9000/", false, ReasonURLPrivate},
		{"http://127.0.0.1:9000/", true, ""},
		{"http://localhost/", false, ReasonURLPrivate},
		{"http://[::1]/", false, ReasonURLPrivate},
		{"http://10.1.2.3/", false, ReasonURLPrivate},
		{"http://169.254.169.254/latest/meta-data", false, ReasonURLPrivate},
		{"http://8.8.8.8/", false, ""},
	} {
		_, err := ParseURL(c.raw, c.allowPrivate)
		if fault.ReasonOf(err) != c.reason || (c.reason == "") != (err == nil) {
			t.Errorf("ParseURL(%q, %v) = %v, want reason %q", c.raw, c.allowPrivate, err, c.reason)
		}
	}
}

func TestPrivateAddr(t *testing.T) {
	for s, want := range map[string]bool{
		"127.0.0.1": true, "10.0.0.1": true, "172.16.5.4": true, "192.168.1.1": true, "169.254.169.254": true,
		"0.0.0.0": true, "100.64.0.1": true, "224.0.0.1": true, "::1": true, "fe80::1": true, "fd00::1": true,
		"::ffff:127.0.0.1": true, "::": true,
		"8.8.8.8": false, "1.1.1.1": false, "2606:4700:4700::1111": false, "::ffff:8.8.8.8": false,
	} {
		if got := PrivateAddr(netip.MustParseAddr(s)); got != want {
			t.Errorf("PrivateAddr(%s) = %v, want %v", s, got, want)
		}
	}
}

func TestCheckDial(t *testing.T) {
	if err := CheckDial("127.0.0.1:80", false); err == nil {
		t.Fatal("loopback dial allowed without allowPrivate")
	}
	if err := CheckDial("127.0.0.1:80", true); err != nil {
		t.Fatalf("loopback dial refused with allowPrivate: %v", err)
	}
	if err := CheckDial("[2606:4700:4700::1111]:443", false); err != nil {
		t.Fatalf("public dial refused: %v", err)
	}
	if err := CheckDial("example.com:80", true); err == nil {
		t.Fatal("a name, not an address, passed")
	}
}

func TestSignVerify(t *testing.T) {
	secret, body := []byte("whsec"), []byte(`{"type":"line.activated"}`)
	now := time.Unix(1_800_000_000, 0)
	ts := strconv.FormatInt(now.Unix(), 10)
	sig := Sign(secret, now, body)
	if err := Verify(secret, sig, ts, body, now.Add(time.Minute)); err != nil {
		t.Fatalf("Verify own delivery: %v", err)
	}
	for name, c := range map[string]struct {
		secret []byte
		sig    string
		ts     string
		body   []byte
		now    time.Time
		reason string
	}{
		"wrong secret":        {[]byte("other"), sig, ts, body, now, ReasonSignatureInvalid},
		"changed body":        {secret, sig, ts, []byte(`{"type":"line.failed"}`), now, ReasonSignatureInvalid},
		"moved timestamp":     {secret, sig, strconv.FormatInt(now.Unix()+1, 10), body, now, ReasonSignatureInvalid},
		"no timestamp":        {secret, sig, "", body, now, ReasonSignatureInvalid},
		"replayed too late":   {secret, sig, ts, body, now.Add(ReplayWindow + time.Second), ReasonTimestampStale},
		"from the far future": {secret, sig, ts, body, now.Add(-ReplayWindow - time.Second), ReasonTimestampStale},
	} {
		err := Verify(c.secret, c.sig, c.ts, c.body, c.now)
		if fault.CodeOf(err) != fault.Unauthorized || fault.ReasonOf(err) != c.reason {
			t.Errorf("%s: Verify = %v, want %s", name, err, c.reason)
		}
	}
}

func TestLineNotices(t *testing.T) {
	at := time.Unix(1_800_000_000, 0)
	types := func(ns []Notice) []EventType {
		var out []EventType
		for _, n := range ns {
			out = append(out, n.Event)
		}
		return out
	}
	tr := func(ev enrollment.Event, from, to enrollment.LineStatus) enrollment.Transition {
		return enrollment.Transition{Event: ev, From: from, To: to, Message: "m"}
	}
	newLine := Line{Org: 7, CustomerID: 42, EnrollmentID: "E1", ActivationType: enrollment.NewActivation, MDN: "2125550100"}
	port := newLine
	port.ActivationType = enrollment.PortIn
	for name, c := range map[string]struct {
		l    Line
		t    enrollment.Transition
		want []EventType
	}{
		"submit":            {newLine, tr(enrollment.EventSubmit, enrollment.StatusQueued, enrollment.StatusSubmitted), nil},
		"activate":          {newLine, tr(enrollment.EventActivate, enrollment.StatusSubmitted, enrollment.StatusActive), []EventType{LineActivated}},
		"fail":              {newLine, tr(enrollment.EventFail, enrollment.StatusSubmitted, enrollment.StatusFailed), []EventType{LineFailed}},
		"port submit":       {port, tr(enrollment.EventSubmit, enrollment.StatusQueued, enrollment.StatusPortPending), []EventType{PortStatusChanged}},
		"port resolution":   {port, tr(enrollment.EventRequireResolution, enrollment.StatusPortPending, enrollment.StatusPortResolutionRequired), []EventType{PortStatusChanged}},
		"port active":       {port, tr(enrollment.EventActivate, enrollment.StatusPortPending, enrollment.StatusActive), []EventType{PortStatusChanged, LineActivated}},
		"port cancel":       {port, tr(enrollment.EventCancel, enrollment.StatusPortResolutionRequired, enrollment.StatusCancelled), []EventType{PortStatusChanged}},
		"new-line cancel":   {newLine, tr(enrollment.EventCancel, enrollment.StatusFailed, enrollment.StatusCancelled), nil},
		"port queued retry": {port, tr(enrollment.EventRetry, enrollment.StatusFailed, enrollment.StatusQueued), nil},
	} {
		ns := LineNotices(c.l, c.t, at)
		if got := types(ns); len(got) != len(c.want) || (len(got) > 0 && !equal(got, c.want)) {
			t.Errorf("%s: events %v, want %v", name, got, c.want)
		}
		for _, n := range ns {
			var body struct {
				Type string         `json:"type"`
				Org  int64          `json:"org_id"`
				At   string         `json:"occurred_at"`
				Data map[string]any `json:"data"`
			}
			if err := json.Unmarshal(n.Body, &body); err != nil || body.Type != string(n.Event) || body.Org != 7 ||
				body.Data["customer_id"] != float64(42) || body.Data["status"] != string(c.t.To) || body.At == "" {
				t.Errorf("%s: body %s (%v)", name, n.Body, err)
			}
		}
	}
}

func equal(a, b []EventType) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestStockCrossed(t *testing.T) {
	for _, c := range []struct {
		before, after, level uint64
		want                 bool
	}{
		{11, 10, 10, true}, {20, 3, 10, true}, {11, 11, 10, false}, {10, 9, 10, false}, {5, 0, 10, false}, {1, 0, 0, true},
	} {
		if got := StockCrossed(c.before, c.after, c.level); got != c.want {
			t.Errorf("StockCrossed(%d, %d, %d) = %v", c.before, c.after, c.level, got)
		}
	}
}

func TestRetryAndOutcome(t *testing.T) {
	if RetryDelay(1) != RetryBase || RetryDelay(2) != 2*RetryBase || RetryDelay(30) != RetryCap {
		t.Fatalf("RetryDelay: %v %v %v", RetryDelay(1), RetryDelay(2), RetryDelay(30))
	}
	at := time.Unix(0, 0)
	if a := Outcome(1, 204, nil, at); a.Status != Delivered || a.Error != "" {
		t.Fatalf("204: %+v", a)
	}
	if a := Outcome(1, 302, nil, at); a.Status != Retrying || a.Error == "" {
		t.Fatalf("302: %+v", a)
	}
	if a := Outcome(2, 0, errors.New("refused"), at); a.Status != Retrying || a.Error != "refused" {
		t.Fatalf("transport: %+v", a)
	}
	if a := Outcome(MaxAttempts, 500, nil, at); a.Status != Failed {
		t.Fatalf("last attempt: %+v", a)
	}
}

func TestTakenFromStock(t *testing.T) {
	got := TakenFromStock([]series.Entry{
		{SeriesID: 1, Count: 3, Before: series.Available, After: series.Used},
		{SeriesID: 1, Count: 2, Before: series.Used, After: series.Available},
		{SeriesID: 2, Count: 4, Before: series.Available, After: series.Void},
		{SeriesID: 2, Count: 1, Before: series.Used, After: series.Void},
	})
	if len(got) != 2 || got[1] != 3 || got[2] != 4 {
		t.Fatalf("TakenFromStock = %v", got)
	}
}
