// Package oracle holds the tests that compare the cors middleware's
// header decisions with github.com/rs/cors. It is a module of its own so
// that the kernel's users do not inherit rs/cors, a test-only dependency,
// through the kernel's go.mod.
package oracle
