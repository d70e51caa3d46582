//go:build race

package media

// raceDetector reports whether the tests run with -race, whose
// instrumentation makes the measurements ten times slower and changes
// nothing they measure.
const raceDetector = true
