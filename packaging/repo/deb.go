package repo

import (
	"bytes"
	"path/filepath"
	"strings"
	"time"

	"github.com/faas-runtime/faas-runtime/packaging/packages"
)

// deb: pool/ and dists/stable with Packages per arch, Release, InRelease.
func (r *repoBuilder) deb() error {
	if _, err := r.copyArtifacts("deb", func(a packages.Artifact) string {
		return filepath.Join(DebDir, "pool", DebComponent, a.Package[:1], a.Package)
	}); err != nil {
		return err
	}
	dir := filepath.Join(r.out, DebDir)
	var arches []string
	for _, a := range packages.Arches {
		deb, _ := packages.ArchName("deb", a)
		arches = append(arches, deb)
		var pk bytes.Buffer
		if err := r.run(dir, &pk, "apt-ftparchive", "--arch", deb, "packages", "pool"); err != nil {
			return err
		}
		rel := filepath.Join(DebDir, "dists", DebSuite, DebComponent, "binary-"+deb)
		if err := r.write(filepath.Join(rel, "Packages"), pk.Bytes()); err != nil {
			return err
		}
		if err := r.write(filepath.Join(rel, "Packages.gz"), gzipBytes(pk.Bytes())); err != nil {
			return err
		}
	}
	var rel bytes.Buffer
	date := r.sde().Format(time.RFC1123Z)
	if err := r.run(dir, &rel, "apt-ftparchive",
		"-o", "APT::FTPArchive::Release::Origin=faas-runtime",
		"-o", "APT::FTPArchive::Release::Label=faas-runtime",
		"-o", "APT::FTPArchive::Release::Suite="+DebSuite,
		"-o", "APT::FTPArchive::Release::Codename="+DebSuite,
		"-o", "APT::FTPArchive::Release::Architectures="+strings.Join(arches, " "),
		"-o", "APT::FTPArchive::Release::Components="+DebComponent,
		"-o", "APT::FTPArchive::Release::Description=faas-runtime packages",
		"-o", "APT::FTPArchive::Release::Date="+date,
		// Clients fetch the indexes by their hash (by-hash/SHA256|SHA512/…,
		// written beside them), so a bucket being published never serves
		// an InRelease whose Packages is half-replaced (faas-pkg publish).
		"-o", "APT::FTPArchive::Release::Acquire-By-Hash=yes",
		"-o", "APT::FTPArchive::DoByHash=true",
		"release", filepath.Join("dists", DebSuite)); err != nil {
		return err
	}
	suite := filepath.Join(DebDir, "dists", DebSuite)
	if err := r.write(filepath.Join(suite, "Release"), rel.Bytes()); err != nil {
		return err
	}
	in, err := r.signers.ClearSign(rel.Bytes())
	if err != nil {
		return err
	}
	if err := r.write(filepath.Join(suite, "InRelease"), in); err != nil {
		return err
	}
	return r.signFile(filepath.Join(r.out, suite, "Release"), true, ".gpg")
}
