package pkgversion

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, s := range []string{"1.2.3", "v1.2.3", "1.2.3-rc.1", "1.2.3-rc.1+git.5", "0.1.0+build"} {
		v, err := Parse(s)
		if err != nil {
			t.Fatalf("Parse(%q): %v", s, err)
		}
		if got, want := v.String(), strings.TrimPrefix(s, "v"); got != want {
			t.Errorf("Parse(%q).String() = %q", s, got)
		}
	}
	for _, s := range []string{"", "1.2", "01.2.3", "1.2.3-", "1.2.3-rc..1", "latest", "1.2.3 rc"} {
		if _, err := Parse(s); err == nil {
			t.Errorf("Parse(%q) accepted a non-semver string", s)
		}
	}
}

func TestFor(t *testing.T) {
	cases := []struct {
		in, format string
		want       Formatted
		err        string
	}{
		{"1.2.0", "rpm", Formatted{"1.2.0", "", "", "1"}, ""},
		{"1.2.0-rc.1", "rpm", Formatted{"1.2.0", "rc.1", "", "1"}, ""},
		{"1.2.0-rc.1+g1", "deb", Formatted{"1.2.0", "rc.1", "g1", "1"}, ""},
		{"1.2.0-rc.1", "apk", Formatted{"1.2.0", "rc1", "", "1"}, ""},
		{"1.2.0-beta", "apk", Formatted{"1.2.0", "beta", "", "1"}, ""},
		{"1.2.0-nightly.3", "apk", Formatted{}, "apk cannot represent prerelease"},
		{"1.2.0+git.1", "apk", Formatted{}, "apk cannot represent build metadata"},
		{"1.2.0-rc.1", "archlinux", Formatted{"1.2.0", "rc.1", "", "1"}, ""},
		{"1.2.0+git.1", "archlinux", Formatted{}, "archlinux cannot represent build metadata"},
		{"1.2.0", "snap", Formatted{}, `unknown package format "snap"`},
	}
	for _, c := range cases {
		v, err := Parse(c.in)
		if err != nil {
			t.Fatal(err)
		}
		got, err := v.For(c.format)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s for %s: error %v, want %q", c.in, c.format, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s for %s = %+v, %v; want %+v", c.in, c.format, got, err, c.want)
		}
	}
}

func TestFromDescribe(t *testing.T) {
	for in, want := range map[string]string{
		"v1.2.0-0-gabc123":      "1.2.0",
		"v1.2.0-3-gabc123":      "1.2.1-pre.3",
		"v1.2.0-rc.1-0-gabc123": "1.2.0-rc.1",
		"v1.2.0-rc.1-2-gabc123": "1.2.0-rc.1.2",
	} {
		v, err := fromDescribe(in)
		if err != nil || v.String() != want {
			t.Errorf("fromDescribe(%q) = %v, %v; want %s", in, v, err, want)
		}
	}
	if _, err := fromDescribe("v1.x-1-gabc"); err == nil {
		t.Error("fromDescribe accepted a non-semver tag")
	}
}

func TestCompare(t *testing.T) {
	// In semver precedence order.
	order := []string{"0.1.0", "0.2.0-pre.1", "0.2.0-pre.2", "0.2.0-pre.10", "0.2.0-rc.1", "0.2.0", "0.10.0", "1.0.0"}
	for i := range order {
		for j := range order {
			a, _ := Parse(order[i])
			b, _ := Parse(order[j])
			want := cmpInt(i, j)
			if got := Compare(a, b); got != want {
				t.Errorf("Compare(%s, %s) = %d, want %d", order[i], order[j], got, want)
			}
		}
	}
	a, _ := Parse("1.0.0+build.1")
	b, _ := Parse("1.0.0")
	if Compare(a, b) != 0 {
		t.Errorf("build metadata changed precedence")
	}
}

// A build between tags (X.Y.Z-pre.N) as each package manager spells it:
// what a Dockerfile must pin for the install line to find the package.
func TestSpelling(t *testing.T) {
	cases := []struct{ in, format, want string }{
		{"1.2.0", "rpm", "1.2.0-1"},
		{"0.1.1-pre.3", "rpm", "0.1.1~pre.3-1"},
		{"1.2.0-rc.1+g1", "rpm", "1.2.0~rc.1+g1-1"},
		{"0.1.1-pre.3", "deb", "0.1.1~pre.3-1"},
		{"1.2.0", "apk", "1.2.0-r1"},
		{"0.1.1-pre.3", "apk", "0.1.1_pre3-r1"},
		{"0.1.1-pre.3", "archlinux", "0.1.1pre.3-1"},
		{"0.1.1-pre.3", "msys2", "0.1.1pre.3-1"},
	}
	for _, c := range cases {
		v, err := Parse(c.in)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := v.Spelling(c.format); err != nil || got != c.want {
			t.Errorf("%s in %s = %q, %v; want %q", c.in, c.format, got, err, c.want)
		}
	}
	v, _ := Parse("1.2.0+git.1")
	if _, err := v.Spelling("apk"); err == nil {
		t.Error("apk spelled build metadata it cannot represent")
	}
}

func TestPin(t *testing.T) {
	v, _ := Parse("0.1.1-pre.3")
	for format, want := range map[string]string{"rpm": "0.1.1~pre.3", "deb": "0.1.1~pre.3", "apk": "0.1.1_pre3", "archlinux": "0.1.1pre.3"} {
		if got, err := v.Pin(format); err != nil || got != want {
			t.Errorf("pin of %s in %s = %q, %v; want %q", v, format, got, err, want)
		}
	}
	r, _ := Parse("1.2.0")
	if got, _ := r.Pin("apk"); got != "1.2.0" {
		t.Errorf("a release pins as itself, got %q", got)
	}
}
