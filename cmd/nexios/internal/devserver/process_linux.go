//go:build linux

package devserver

import "syscall"

// sysProcAttr puts the app in a process group of its own, so that
// stopping it stops its children, and asks the kernel to end it if
// nexios dev dies without stopping it (Pdeathsig), so nothing is left
// behind even then.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}
