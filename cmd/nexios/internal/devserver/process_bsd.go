//go:build unix && !linux

package devserver

import "syscall"

// sysProcAttr puts the app in a process group of its own, so that
// stopping it stops its children.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
