//go:build unix

package devserver

import (
	"os/exec"
	"syscall"
)

// killGroup signals the process group of cmd: SIGTERM, or SIGKILL when
// kill is set. A group that is gone already is no error.
func killGroup(cmd *exec.Cmd, kill bool) {
	sig := syscall.SIGTERM
	if kill {
		sig = syscall.SIGKILL
	}
	_ = syscall.Kill(-cmd.Process.Pid, sig)
}
