//go:build !unix

package devserver

import (
	"os/exec"
	"syscall"
)

// sysProcAttr has nothing to set where there are no process groups.
func sysProcAttr() *syscall.SysProcAttr { return nil }

// killGroup ends the process: without process groups and signals, stop
// and kill are the same.
func killGroup(cmd *exec.Cmd, _ bool) { _ = cmd.Process.Kill() }
