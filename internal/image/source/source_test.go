package source

import "testing"

func TestParse(t *testing.T) {
	cases := []struct {
		in, kind, scheme string
		insecure         bool
	}{
		{"scratch", Scratch, "", false},
		{"oci-layout:/tmp/x", Layout, "", false},
		{"tarball:x.tar", Tarball, "", false},
		{"127.0.0.1:5000/fn:v1", Registry, "http", true},
		{"localhost:5000/fn:v1", Registry, "http", true},
		// --insecure never downgrades a remote registry to plain HTTP.
		{"registry.example.com/fn:v1", Registry, "https", true},
		{"127.0.0.1:5000/fn:v1", Registry, "http", false}, // ggcr's own rule for loopback
	}
	for _, c := range cases {
		r, err := Parse(c.in, Options{Insecure: c.insecure})
		if err != nil || r.Kind != c.kind {
			t.Errorf("%s: %+v %v", c.in, r, err)
			continue
		}
		if c.scheme != "" && r.Name.Context().Scheme() != c.scheme {
			t.Errorf("%s insecure=%v: scheme %s, want %s", c.in, c.insecure, r.Name.Context().Scheme(), c.scheme)
		}
	}
	for _, bad := range []string{"", "oci-layout:", "tarball:", "UPPER/Case:x"} {
		if _, err := Parse(bad, Options{}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
