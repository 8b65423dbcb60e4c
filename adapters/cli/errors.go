package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/allot-io/allot/domain/fault"
)

// exitCodes is the one table from fault codes to process exit codes. Usage
// errors are Invalid, so they exit 2 like any other invalid input.
var exitCodes = map[fault.Code]int{
	fault.Invalid:      2,
	fault.NotFound:     3,
	fault.Conflict:     4,
	fault.Unauthorized: 5,
	fault.Forbidden:    5,
	fault.Unavailable:  6,
	fault.Internal:     1,
}

// ExitCode returns the process exit code for err: 0 for nil, the table's
// code for a fault.Error (1 for a code the table does not know), 2 for a
// usage error and 1 for any other error.
func ExitCode(err error) int {
	if err == nil {
		return 0
	}
	if code, ok := exitCodes[asFault(err).Code]; ok {
		return code
	}
	return 1
}

// reasonUsage marks the Invalid faults that are about the command line
// rather than the data, so that Run adds a usage hint.
const reasonUsage = "USAGE"

// usageError is a mistake on the command line: unknown command or flag,
// missing or extra argument. It carries the command whose help to suggest.
type usageError struct {
	cmd string
	err *fault.Error
}

func (e *usageError) Error() string { return e.err.Message }

// Unwrap makes a usage error an Invalid fault, so that the exit-code table
// applies to it like to every other error.
func (e *usageError) Unwrap() error { return e.err }

// usagef returns a usage error of the command running in c.
func usagef(c *ucli.Context, format string, args ...any) error {
	cmd := "allot"
	if c != nil && c.Command != nil && c.Command.HelpName != "" {
		cmd = c.Command.HelpName
	}
	return &usageError{cmd: cmd, err: fault.Errorf(fault.Invalid, reasonUsage, format, args...)}
}

// onUsageError replaces urfave/cli's reaction to a flag it cannot parse,
// which would print the whole help to stdout, with a short usage error.
func onUsageError(c *ucli.Context, err error, _ bool) error {
	return usagef(c, "%s", flagMessage(err))
}

// flagMessage rewords the flag package's errors with flags spelled as users
// type them ("--limit", not "-limit").
func flagMessage(err error) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		return "unknown flag --" + name
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		return "flag --" + name + " needs a value"
	}
	return strings.Replace(msg, " for flag -", " for flag --", 1)
}

// asFault returns err as a fault.Error: usage errors and the framework's own
// errors are Invalid, and any other error is Internal with err as its cause.
func asFault(err error) *fault.Error {
	if fe, ok := fault.As(err); ok {
		return fe
	}
	// urfave/cli reports a few usage mistakes itself ("No help topic for
	// 'x'") as exit coders; none of our commands return one.
	var ec ucli.ExitCoder
	if errors.As(err, &ec) {
		return fault.New(fault.Invalid, reasonUsage, err.Error())
	}
	return &fault.Error{Code: fault.Internal, Reason: "INTERNAL", Message: "internal error", Err: err}
}

// messages returns the lines that describe err to the operator.
func messages(err error) []string {
	fe := asFault(err)
	switch {
	case fe.Code == fault.Internal:
		// The operator runs the command on their own machine, so the cause
		// is shown to them; a server would only log it.
		if fe.Err != nil {
			return []string{fe.Message + ": " + fe.Err.Error()}
		}
	case fe.Code == fault.Unavailable && fe.Err != nil && !strings.Contains(fe.Message, fe.Err.Error()):
		// "database unavailable" alone does not tell the operator what to fix.
		return []string{fe.Message + ": " + fe.Err.Error()}
	case len(fe.Violations) > 1:
		lines := make([]string, 0, len(fe.Violations))
		for _, v := range fe.Violations {
			lines = append(lines, violationLine(v))
		}
		return lines
	}
	return []string{fe.Message}
}

func violationLine(v fault.Violation) string {
	var b strings.Builder
	if v.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", v.Line)
	}
	if v.Field != "" {
		b.WriteString(v.Field)
		b.WriteString(": ")
	}
	b.WriteString(v.Message)
	return b.String()
}

// report prints err to w, one "allot: " line per message, with secrets
// masked, adds a usage hint to usage errors, and returns the exit code.
func report(w io.Writer, err error, secrets []string) int {
	for _, line := range messages(err) {
		fmt.Fprintf(w, "allot: %s\n", redact(line, secrets))
	}
	var ue *usageError
	switch {
	case errors.As(err, &ue):
		fmt.Fprintf(w, "Run '%s --help' for usage.\n", ue.cmd)
	case asFault(err).Reason == reasonUsage:
		fmt.Fprintln(w, "Run 'allot --help' for usage.")
	}
	return ExitCode(err)
}

// redact masks every secret in s; drivers sometimes quote a DSN, password
// included, in their errors.
func redact(s string, secrets []string) string {
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "xxxxx")
		}
	}
	return s
}
