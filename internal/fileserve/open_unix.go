//go:build unix

package fileserve

import "syscall"

// oNonblock makes open(2) of a named pipe return at once instead of
// waiting, in a blocked OS thread, for a writer to appear. It changes
// nothing for regular files, which never block.
const oNonblock = syscall.O_NONBLOCK
