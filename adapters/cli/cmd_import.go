package cli

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/schollz/progressbar/v3"
	ucli "github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/series"
	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// importCommand is `allot series import`.
func (s *state) importCommand() *ucli.Command {
	return leaf("import", "allot every series of a CSV file ("+strings.Join(series.ImportColumns, ",")+"), all or none", "FILE",
		[]ucli.Flag{
			dbFlag(), orgFlag(),
			&ucli.BoolFlag{Name: "partial", Usage: "write the good rows even when some are bad"},
			&ucli.BoolFlag{Name: "no-progress", Usage: "no progress bar, even on a terminal"},
		}, s.seriesImport)
}

// readImportFile reads a series import file: a header naming columns of
// series.ImportColumns, then one series per row. Rows keep their line in
// the file (the header is line 1).
func readImportFile(path string) ([]ports.ImportRow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fileError(path, err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1 // a short row is reported by its line, not as a parse error
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, fault.Errorf(fault.Invalid, reasonInvalidFile, "%s is empty; its first line must be the header %s", path, strings.Join(series.ImportColumns, ","))
	}
	if err != nil {
		return nil, fault.Errorf(fault.Invalid, reasonInvalidFile, "%s is not a CSV file: %v", path, err)
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff") // a spreadsheet's byte-order mark
	}
	if err := series.CheckImportHeader(header); err != nil {
		return nil, err
	}
	for i := range header {
		header[i] = strings.ToLower(strings.TrimSpace(header[i]))
	}
	var rows []ports.ImportRow
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			return nil, fault.Errorf(fault.Invalid, reasonInvalidFile, "%s: %v", path, err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		row := ports.ImportRow{Line: line, Fields: make(map[string]string, len(header))}
		if len(rec) != len(header) {
			// Kept as a row so that the report names it with the others.
			row.Err = fault.Errorf(fault.Invalid, reasonInvalidFile, "the row has %d fields; the header names %d", len(rec), len(header))
		}
		for i, v := range rec {
			if i < len(header) {
				row.Fields[header[i]] = v
			}
		}
		rows = append(rows, row)
	}
}

// plainEvery is how often, in rows, the import reports progress when its
// error output is not a terminal.
const plainEvery = 10_000

func (s *state) seriesImport(c *ucli.Context) error {
	a, err := args(c, "FILE")
	if err != nil {
		return err
	}
	code, err := orgCode(c)
	if err != nil {
		return err
	}
	rows, err := readImportFile(a[0])
	if err != nil {
		return err
	}
	errOut := c.App.ErrWriter
	tty := false
	if f, ok := errOut.(*os.File); ok && !c.Bool("no-progress") {
		tty = term.IsTerminal(int(f.Fd()))
	}
	var progress func(int)
	if tty {
		bar := progressbar.NewOptions(len(rows), progressbar.OptionSetWriter(errOut), progressbar.OptionSetDescription("importing"),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionClearOnFinish(),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(errOut) }))
		progress = func(n int) { _ = bar.Set(n) }
		defer func() { _ = bar.Finish() }()
	} else {
		progress = func(n int) {
			if n%plainEvery == 0 || n == len(rows) {
				fmt.Fprintf(errOut, "allot: processed %d of %d rows\n", n, len(rows))
			}
		}
	}
	return s.withOrg(c, code, func(ctx context.Context, svc ports.Services, org tenant.Organisation) error {
		ns, err := numbers(svc)
		if err != nil {
			return err
		}
		rep, err := ns.Import(ctx, org.ID, rows, c.Bool("partial"), cliActor(), progress)
		if err != nil {
			return err
		}
		for _, v := range rep.Bad {
			fmt.Fprintf(errOut, "allot: %s line %d: %s\n", a[0], v.Line, v.Message)
		}
		if len(rep.Bad) > 0 && !c.Bool("partial") {
			return fault.Errorf(fault.Invalid, "IMPORT_REFUSED", "%d of %d rows are bad; nothing was imported (use --partial to import the good rows)", badRows(rep.Bad), rep.Rows)
		}
		return printf(c, "imported %d of %d series\n", rep.Written, rep.Rows)
	})
}

// badRows counts the lines with at least one violation.
func badRows(vs []fault.Violation) int {
	lines := map[int]bool{}
	for _, v := range vs {
		lines[v.Line] = true
	}
	return len(lines)
}
