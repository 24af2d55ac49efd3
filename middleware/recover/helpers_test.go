package recover_test

// catch runs f and returns what it panicked with. It lives in a file that
// does not import the recover package, which would shadow the builtin.
func catch(f func()) (v any) {
	defer func() { v = recover() }()
	f()
	return nil
}
