//go:build !unix

package fileserve

// oNonblock is zero where opening a file cannot wait for a writer.
const oNonblock = 0
