// Package flaglist is the list syntax of the command-line flags that take
// several names in one value (runtime-init's --arch, faas-pkg's --formats
// and --arches), so that every binary reads "amd64, arm64" alike.
package flaglist

import "strings"

// Split returns the comma-separated names in s, spaces around them trimmed
// and empty ones dropped: nil for "" or ",".
func Split(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
