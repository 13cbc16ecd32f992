package publish

import (
	"slices"
	"testing"
)

// The order is the publisher's whole promise, so it is checked on its own
// (no server needed): content, then indexes with each signature right
// after its index, InRelease last of apt's, REPO.json last of all.
func TestOrdered(t *testing.T) {
	keys := []string{
		"REPO.json", "README.txt", "faas-runtime.asc",
		"alpine/x86_64/APKINDEX.tar.gz", "alpine/x86_64/faas-runtime-0.2.0-r1.apk",
		"rpm/repodata/repomd.xml.asc", "rpm/repodata/repomd.xml", "rpm/repodata/abc-primary.xml.gz", "rpm/x86_64/faas-runtime-0.2.0-1.x86_64.rpm",
		"deb/dists/stable/InRelease", "deb/dists/stable/Release", "deb/dists/stable/Release.gpg",
		"deb/dists/stable/main/binary-amd64/Packages.gz", "deb/dists/stable/main/binary-amd64/by-hash/SHA256/00ff",
		"archlinux/x86_64/faas-runtime.db", "archlinux/x86_64/faas-runtime.db.sig",
		"archlinux/x86_64/faas-runtime.db.tar.gz", "archlinux/x86_64/faas-runtime.db.tar.gz.sig",
		"archlinux/x86_64/faas-runtime.files", "archlinux/x86_64/faas-runtime-0.2.0-1-x86_64.pkg.tar.zst",
		"archlinux/x86_64/faas-runtime-0.2.0-1-x86_64.pkg.tar.zst.sig",
	}
	got := ordered(keys)
	pos := func(k string) int { return slices.Index(got, k) }
	if got[len(got)-1] != "REPO.json" {
		t.Errorf("REPO.json is not last: %v", got)
	}
	lastContent := max(pos("alpine/x86_64/faas-runtime-0.2.0-r1.apk"), pos("rpm/repodata/abc-primary.xml.gz"),
		pos("deb/dists/stable/main/binary-amd64/by-hash/SHA256/00ff"), pos("archlinux/x86_64/faas-runtime-0.2.0-1-x86_64.pkg.tar.zst.sig"),
		pos("faas-runtime.asc"), pos("README.txt"))
	for _, idx := range []string{"alpine/x86_64/APKINDEX.tar.gz", "rpm/repodata/repomd.xml", "deb/dists/stable/InRelease",
		"deb/dists/stable/main/binary-amd64/Packages.gz", "archlinux/x86_64/faas-runtime.db", "archlinux/x86_64/faas-runtime.files"} {
		if pos(idx) < lastContent {
			t.Errorf("index %s goes up before content (at %d, content until %d): %v", idx, pos(idx), lastContent, got)
		}
	}
	for index, sig := range map[string]string{
		"rpm/repodata/repomd.xml":                 "rpm/repodata/repomd.xml.asc",
		"archlinux/x86_64/faas-runtime.db":        "archlinux/x86_64/faas-runtime.db.sig",
		"archlinux/x86_64/faas-runtime.db.tar.gz": "archlinux/x86_64/faas-runtime.db.tar.gz.sig",
		"deb/dists/stable/Release":                "deb/dists/stable/Release.gpg",
	} {
		if pos(sig) != pos(index)+1 {
			t.Errorf("%s at %d does not follow %s at %d", sig, pos(sig), index, pos(index))
		}
	}
	if pos("deb/dists/stable/InRelease") < pos("deb/dists/stable/Release.gpg") || pos("deb/dists/stable/InRelease") < pos("deb/dists/stable/main/binary-amd64/Packages.gz") {
		t.Errorf("InRelease is not apt's last: %v", got)
	}
	if !immutable("rpm/x86_64/faas-runtime-0.2.0-1.x86_64.rpm") || immutable("rpm/repodata/repomd.xml") || immutable("README.txt") {
		t.Error("immutable() misclassifies")
	}
}
