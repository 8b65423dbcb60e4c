package enrollment_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/allot-io/allot/domain/enrollment"
)

// sampleRequest is the vendor document's sample request, verbatim, from the one
// copy of it the tests share.
var sampleRequest = readSample("testdata/sample_request.json")

// decode turns a JSON body into a RequestInput the way the HTTP adapter is
// expected to: null, absent and "" become "", numbers their decimal text,
// names mapped through Set alone.
func decode(t testing.TB, body string) enrollment.RequestInput {
	t.Helper()
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &raw); err != nil {
		t.Fatal(err)
	}
	var in enrollment.RequestInput
	for k, v := range raw {
		if k == enrollment.LinesField {
			var lines []map[string]json.RawMessage
			if err := json.Unmarshal(v, &lines); err != nil {
				t.Fatal(err)
			}
			for _, m := range lines {
				var l enrollment.LineInput
				for lk, lv := range m {
					l.Set(lk, scalar(t, lv))
				}
				in.Lines = append(in.Lines, l)
			}
			continue
		}
		in.Set(k, scalar(t, v))
	}
	return in
}

func scalar(t testing.TB, v json.RawMessage) string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(v))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil {
		t.Fatal(err)
	}
	switch x := x.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	default:
		return fmt.Sprint(x)
	}
}

func TestSampleRequestValidates(t *testing.T) {
	in := decode(t, sampleRequest)
	r, err := enrollment.Validate(in, enrollment.Limits{})
	if err != nil {
		t.Fatalf("the vendor's sample must validate: %v", err)
	}
	if r.NumLines() != 2 || r.Action() != enrollment.ActionAddLine || r.AgentID() != "ewebsiteapi" ||
		r.Source() != enrollment.SourceWebsite || r.SubSource() != "plans" || r.InvoiceNumber() != "2021-09-1288" {
		t.Fatalf("top level: %v", r)
	}
	// "wn116" in the line and "WN116" as parent are the same id.
	if i, ok := r.ParentIndex(); !ok || i != 0 || !r.ParentIsNew() {
		t.Errorf("ParentIndex = %d, %v; want 0, true", i, ok)
	}
	lines := r.Lines()
	if lines[0].EnrollmentID() != "WN116" || lines[1].EnrollmentID() != "WN118" {
		t.Errorf("enrollment ids %q %q", lines[0].EnrollmentID(), lines[1].EnrollmentID())
	}
	if b := lines[0].BillingAddress(); b.State != "WA" || b.City != "seattle" || b.One != "112 N 41ST st" {
		t.Errorf("billing address %+v", b)
	}
	if d := lines[0].Device(); d.Carrier != "TMB" || d.PhoneType != "" || d.ModelID != "" {
		t.Errorf("device %+v", d)
	}
	if !lines[0].ActivationLater() || lines[0].NotifyBillViaText() {
		t.Error("activation_later Y must be true, empty notify flags false")
	}
	if lines[0].Customer().Password.Reveal() != "1599" || !lines[1].Customer().Password.IsZero() {
		t.Error("password not kept as sent")
	}
	if lines[0].ActivationType() != enrollment.NewActivation || lines[0].EnrollmentType() != enrollment.Shipment {
		t.Error("enums")
	}
}

// readSample reads a shared test file, without its final newline.
func readSample(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	return strings.TrimSuffix(string(b), "\n")
}
