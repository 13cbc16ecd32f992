package testutil

import "testing"

func TestBookwormURI(t *testing.T) {
	for _, c := range []struct{ name, data, want string }{
		{"deb822, security and deb-src stanzas skipped", `Types: deb
URIs: http://sec.example/debian-security
Suites: bookworm-security

Types: deb-src
URIs: http://src.example/debian
Suites: bookworm

Types: deb
# a comment: line
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main
`, "http://mirror.example/debian"},
		{"one-line", "# deb http://old.example/debian bookworm main\ndeb [arch=amd64] http://opt.example/debian bookworm main\ndeb http://mirror.example/debian bookworm main\n", "http://mirror.example/debian"},
		{"another release only", "deb http://mirror.example/debian trixie main\n", ""},
	} {
		if got := bookwormURI(c.data); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
