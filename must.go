package nexios

// Must returns v, or panics when err is not nil. It is for start-up code
// whose constructors report configuration errors:
//
//	app.Use(nexios.Must(cors.New(cors.Config{AllowOrigins: []string{"https://example.com"}})))
func Must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
