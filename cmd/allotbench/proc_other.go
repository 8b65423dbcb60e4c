//go:build !linux

package main

import (
	"errors"
	"os"
	"os/exec"
)

// runAs is the system user PostgreSQL runs as; only Linux can switch to one.
type runAs struct{}

func pgRunAs(string) (*runAs, error) {
	if os.Geteuid() == 0 {
		return nil, errors.New("PostgreSQL refuses to run as root; run allotbench as another user")
	}
	return nil, nil
}

func (*runAs) own(string) error { return nil }

func (*runAs) apply(*exec.Cmd) {}

func dieWithParent(*exec.Cmd) {}

func peakRSS(int) (int64, error) { return 0, errors.New("peak RSS is read from /proc: Linux only") }
