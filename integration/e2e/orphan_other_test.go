//go:build !linux

package e2e

import "os/exec"

// dieWithParent does nothing where the kernel offers no parent-death
// signal; t.Cleanup still kills the servers.
func dieWithParent(*exec.Cmd) {}
