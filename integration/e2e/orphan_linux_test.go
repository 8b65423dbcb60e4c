package e2e

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes the kernel kill cmd's process when the test binary
// dies, for the cases where no cleanup runs (a -timeout panic, a SIGKILL).
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
