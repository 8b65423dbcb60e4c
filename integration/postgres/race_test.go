//go:build race

package postgres_test

// raceEnabled passes -race on to the tests this package runs as children.
const raceEnabled = true
