package db

// PageMath exposes pageMath to the fuzz test.
var PageMath = pageMath
