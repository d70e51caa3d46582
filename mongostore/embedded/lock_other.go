//go:build !unix

package embedded

// lockFolder does nothing where flock is missing: there, keep to one
// process per data folder by hand.
func lockFolder(dir string) (unlock func(), err error) { return func() {}, nil }
