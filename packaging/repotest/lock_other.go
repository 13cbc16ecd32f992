//go:build !unix

package repotest

// lock is a no-op where flock does not exist; the repository tests run on Linux.
func lock(string) (func(), error) { return func() {}, nil }
