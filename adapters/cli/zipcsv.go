package cli

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
)

// zipHeader is the header a service-area CSV file must start with.
var zipHeader = []string{"zip", "city", "state"}

// reasonInvalidFile is the reason of a CSV file that cannot be imported
// as a whole (empty, no header).
const reasonInvalidFile = "INVALID_FILE"

// readZipFile opens and parses the service-area CSV file at path; see
// parseZips.
func readZipFile(path string) ([]enrollment.ServiceZip, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fileError(path, err)
	}
	defer f.Close()
	return parseZips(path, f)
}

// fileError turns a failure to open or read path into a fault the operator
// can act on.
func fileError(path string, err error) error {
	cause := err
	var pe *fs.PathError
	if errors.As(err, &pe) {
		cause = pe.Err
	}
	code := fault.Invalid
	switch {
	case errors.Is(err, fs.ErrNotExist):
		code = fault.NotFound
	case errors.Is(err, fs.ErrPermission):
		code = fault.Forbidden
	}
	return fault.Errorf(code, reasonInvalidFile, "cannot read %s: %v", path, cause)
}

// parseZips reads a service-area CSV file named name: a header that is
// exactly zip,city,state (case-insensitive, spaces around names allowed),
// then one row per zip, each validated with enrollment.NewServiceZip. It
// returns every zip, or an Invalid fault with one violation per problem,
// each message starting with "NAME:LINE: ", so that the operator can fix
// every bad row at once: wrong field counts, invalid values and zips
// repeated in the file (naming both lines).
func parseZips(name string, r io.Reader) ([]enrollment.ServiceZip, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // checked here, so that every bad row is reported

	header, err := cr.Read()
	if err == io.EOF {
		return nil, fault.Errorf(fault.Invalid, reasonInvalidFile,
			"%s is empty; its first line must be the header %s", name, strings.Join(zipHeader, ","))
	}
	if err != nil {
		return nil, csvError(name, err)
	}
	headerLine, _ := cr.FieldPos(0)
	if err := checkZipHeader(name, headerLine, header); err != nil {
		return nil, err
	}

	var (
		zips  []enrollment.ServiceZip
		vs    fault.Violations
		first = map[string]int{} // zip -> line of its first row
		rows  int
	)
	bad := func(line int, reason, format string, a ...any) {
		vs.Add(fault.Violation{Reason: reason, Message: fmt.Sprintf("%s:%d: ", name, line) + fmt.Sprintf(format, a...)})
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			// The reader resumes at the next record, so the rest of the
			// file is still checked.
			bad(pe.Line, reasonInvalidFile, "%v", pe.Err)
			rows++
			continue
		}
		if err != nil {
			return nil, fileError(name, err)
		}
		rows++
		line, _ := cr.FieldPos(0)
		if len(rec) != len(zipHeader) {
			bad(line, enrollment.ReasonInvalidZip, "want %d fields (%s), got %d",
				len(zipHeader), strings.Join(zipHeader, ","), len(rec))
			continue
		}
		z, err := enrollment.NewServiceZip(rec[0], rec[1], rec[2])
		if err != nil {
			zipOK := true
			for _, v := range violationsOf(err) {
				bad(line, v.Reason, "%s", v.Message)
				zipOK = zipOK && v.Field != "zip"
			}
			if !zipOK {
				continue // a malformed zip cannot be a meaningful duplicate
			}
		}
		if at, dup := first[z.Zip]; dup {
			bad(line, enrollment.ReasonInvalidZip, "zip %s is repeated; it is already on line %d", z.Zip, at)
			continue
		}
		first[z.Zip] = line
		if err == nil {
			zips = append(zips, z)
		}
	}
	if err := vs.Err(); err != nil {
		return nil, err
	}
	if rows == 0 {
		return nil, fault.Errorf(fault.Invalid, reasonInvalidFile,
			"%s has a header but no zips; add one zip,city,state row per zip", name)
	}
	return zips, nil
}

// checkZipHeader checks the header row read from line of file name.
func checkZipHeader(name string, line int, header []string) error {
	got := make([]string, len(header))
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff") // spreadsheet exports often start with a BOM
		}
		got[i] = strings.ToLower(strings.TrimSpace(h))
	}
	if slices.Equal(got, zipHeader) {
		return nil
	}
	want := strings.Join(zipHeader, ",")
	if len(got) > 0 && got[0] != "" && strings.Trim(got[0], "0123456789") == "" {
		// The first row is data: the file has no header at all.
		return fault.Errorf(fault.Invalid, reasonInvalidFile,
			"%s:%d: missing header; the first line must be %s", name, line, want)
	}
	return fault.Errorf(fault.Invalid, reasonInvalidFile,
		"%s:%d: the header must be %s, not %q", name, line, want, strings.Join(header, ","))
}

// csvError reports a CSV syntax error of file name with its line.
func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fault.Errorf(fault.Invalid, reasonInvalidFile, "%s:%d: %v", name, pe.Line, pe.Err)
	}
	return fileError(name, err)
}

// violationsOf returns the violations of err, or one made of its message.
func violationsOf(err error) []fault.Violation {
	fe, ok := fault.As(err)
	if !ok {
		return []fault.Violation{{Message: err.Error()}}
	}
	if len(fe.Violations) == 0 {
		return []fault.Violation{{Reason: fe.Reason, Message: fe.Message}}
	}
	return fe.Violations
}
