// Package pkgversion turns the release version (a semver string from the git
// tag or VERSION=) into each package format's spelling, and refuses
// versions a format cannot represent instead of mangling them.
package pkgversion

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
)

// Version is a parsed semantic version.
type Version struct {
	Major, Minor, Patch int
	Pre                 string // "rc.1" (without the '-')
	Meta                string // build metadata (without the '+')
}

// The grammar of semver.org, anchored; a leading 'v' is accepted and dropped.
var semverRE = regexp.MustCompile(`^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)` +
	`(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?` +
	`(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$`)

// Parse parses a semantic version such as 1.2.3, v1.2.3-rc.1 or 1.2.3+git.5.
func Parse(s string) (Version, error) {
	m := semverRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return Version{}, fmt.Errorf("version %q is not a semantic version (MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD])", s)
	}
	var v Version
	v.Major, _ = strconv.Atoi(m[1])
	v.Minor, _ = strconv.Atoi(m[2])
	v.Patch, _ = strconv.Atoi(m[3])
	v.Pre, v.Meta = m[4], m[5]
	return v, nil
}

// String is the semver spelling without 'v' (what --version prints).
func (v Version) String() string {
	s := fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
	if v.Pre != "" {
		s += "-" + v.Pre
	}
	if v.Meta != "" {
		s += "+" + v.Meta
	}
	return s
}

// Core is MAJOR.MINOR.PATCH.
func (v Version) Core() string { return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch) }

// Formatted is a version split the way nfpm.Info takes it (VersionSchema
// "none"): nfpm joins the parts with each format's separator.
type Formatted struct {
	Version, Prerelease, Metadata, Release string
}

// apk orders only these prerelease suffixes before the release (apk-tools'
// version grammar: _alpha, _beta, _pre, _rc, each with optional digits).
var apkPreRE = regexp.MustCompile(`^(alpha|beta|pre|rc)\.?(\d*)$`)

// For maps v to format's rules; it fails when the format cannot represent v.
func (v Version) For(format string) (Formatted, error) {
	f := Formatted{Version: v.Core(), Release: "1"}
	switch format {
	case "rpm":
		// rpm sorts '~' before the release; '-' is the release separator, so
		// nfpm turns hyphens inside the prerelease into '_'. '+' is legal.
		f.Prerelease, f.Metadata = v.Pre, v.Meta
	case "deb":
		// Debian: '~' sorts before the release; '+' is legal; hyphens are
		// legal in the upstream version because a revision follows.
		f.Prerelease, f.Metadata = v.Pre, v.Meta
	case "apk":
		if v.Pre != "" {
			m := apkPreRE.FindStringSubmatch(v.Pre)
			if m == nil {
				return f, fmt.Errorf("apk cannot represent prerelease %q of version %s: apk allows only alpha, beta, pre or rc followed by digits (e.g. 1.2.0-rc.1)", v.Pre, v)
			}
			f.Prerelease = m[1] + m[2]
		}
		if v.Meta != "" {
			return f, fmt.Errorf("apk cannot represent build metadata %q of version %s", v.Meta, v)
		}
	case "archlinux", "msys2":
		// pkgver may not contain '-' (nfpm turns it into '_'); a prerelease is
		// appended directly (1.2.0rc.1), which vercmp sorts before 1.2.0.
		f.Prerelease = v.Pre
		if v.Meta != "" {
			return f, fmt.Errorf("%s cannot represent build metadata %q of version %s (pkgver has no build-metadata field)", format, v.Meta, v)
		}
	default:
		return f, fmt.Errorf("unknown package format %q", format)
	}
	return f, nil
}

// Current is the version every build uses: $VERSION when set (it must be
// semantic), else FromGit(dir).
func Current(dir string) (Version, error) {
	if v := os.Getenv("VERSION"); v != "" {
		return Parse(v)
	}
	return FromGit(dir)
}

// Spelling is v as format's own tools show it and as a pin names it (rpm
// -q, dpkg -s, apk info, pacman -Q): the parts For splits, joined the way
// nfpm joins them (its formatVersion is unexported, so the joining is
// restated here, next to the splitting it has to agree with).
func (v Version) Spelling(format string) (string, error) {
	f, err := v.For(format)
	if err != nil {
		return "", err
	}
	switch format {
	case "rpm", "deb":
		pre := f.Prerelease
		if format == "rpm" {
			pre = strings.ReplaceAll(pre, "-", "_") // '-' separates rpm's release
		}
		s := f.Version
		if pre != "" {
			s += "~" + pre
		}
		if f.Metadata != "" {
			s += "+" + f.Metadata
		}
		return s + "-" + f.Release, nil
	case "apk":
		s := f.Version
		if f.Prerelease != "" {
			s += "_" + f.Prerelease
		}
		return s + "-r" + f.Release, nil
	default: // archlinux, msys2
		return f.Version + strings.ReplaceAll(f.Prerelease, "-", "_") + "-" + f.Release, nil
	}
}

// Pin is v as a pin on format's package manager names it: Spelling without
// the package release, which the install lines add or match (dnf install
// NAME-PIN, apt-get install NAME=PIN*, apk add NAME~PIN). A build between
// tags, 0.1.1-pre.3, pins rpm and deb 0.1.1~pre.3, apk 0.1.1_pre3.
func (v Version) Pin(format string) (string, error) {
	s, err := v.Spelling(format)
	if err != nil {
		return "", err
	}
	return s[:strings.LastIndex(s, "-")], nil
}

// FromGit derives the version from `git describe`: an exact tag vX.Y.Z
// gives X.Y.Z; N commits after it give X.Y.(Z+1)-pre.N, which every format
// sorts after X.Y.Z and before the next release; no tag gives 0.1.0.
func FromGit(dir string) (Version, error) {
	cmd := exec.Command("git", "describe", "--tags", "--match", "v[0-9]*", "--long")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return Parse("0.1.0")
	}
	return fromDescribe(strings.TrimSpace(string(out)))
}

var describeRE = regexp.MustCompile(`^(.*)-(\d+)-g[0-9a-f]+$`)

func fromDescribe(d string) (Version, error) {
	m := describeRE.FindStringSubmatch(d)
	if m == nil {
		return Version{}, fmt.Errorf("unexpected git describe output %q", d)
	}
	v, err := Parse(m[1])
	if err != nil {
		return v, fmt.Errorf("tag: %w", err)
	}
	n, _ := strconv.Atoi(m[2])
	if n == 0 {
		return v, nil
	}
	v.Meta = ""
	if v.Pre == "" {
		v.Patch++
		v.Pre = "pre." + strconv.Itoa(n)
	} else {
		v.Pre += "." + strconv.Itoa(n)
	}
	return v, nil
}

// Compare orders versions by semver precedence: -1 if a < b, 0 if equal
// (build metadata is ignored), 1 if a > b. A repository with history uses it
// to know which release is the newest.
func Compare(a, b Version) int {
	for _, d := range [][2]int{{a.Major, b.Major}, {a.Minor, b.Minor}, {a.Patch, b.Patch}} {
		if d[0] != d[1] {
			return cmpInt(d[0], d[1])
		}
	}
	switch {
	case a.Pre == b.Pre:
		return 0
	case a.Pre == "":
		return 1
	case b.Pre == "":
		return -1
	}
	pa, pb := strings.Split(a.Pre, "."), strings.Split(b.Pre, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		if pa[i] == pb[i] {
			continue
		}
		na, ea := strconv.Atoi(pa[i])
		nb, eb := strconv.Atoi(pb[i])
		switch {
		case ea == nil && eb == nil:
			return cmpInt(na, nb)
		case ea == nil: // numeric identifiers sort first
			return -1
		case eb == nil:
			return 1
		}
		return strings.Compare(pa[i], pb[i])
	}
	return cmpInt(len(pa), len(pb))
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
