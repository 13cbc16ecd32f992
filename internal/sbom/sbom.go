// Package sbom writes SPDX 2.3 JSON software bills of materials for what
// faas-runtime ships: Go binaries (from their build info), packages (rpm,
// deb, apk, archlinux, MSYS2) and images built by runtime-init build. The
// documents go through spdx/tools-golang, not hand-written JSON.
//
// Reproducible: the only time is Options.Created (SOURCE_DATE_EPOCH), the
// namespace is derived from the content, and every list is sorted, so two
// builds of one commit give byte-identical SBOMs.
package sbom

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"time"

	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdx"
	"github.com/spdx/tools-golang/spdx/v2/common"
	"github.com/spdx/tools-golang/spdxlib"
)

// MediaType is the SPDX JSON media type, also the OCI artifactType of an
// attached SBOM.
const MediaType = "application/spdx+json"

// NamespaceBase prefixes every document namespace; the rest is a hash of
// the described content, so the namespace is unique and reproducible.
const NamespaceBase = "https://github.com/faas-runtime/faas-runtime/spdx/"

// Options apply to every document.
type Options struct {
	Created time.Time // SOURCE_DATE_EPOCH; see build.Epoch
	Tool    string    // creator tool, e.g. "runtime-init-1.2.0"
	// Version of a zip or a binary (they carry no package metadata; a Go
	// binary's main module says "(devel)" when built from a checkout);
	// package files read theirs from the file.
	Version string
}

const noAssertion = "NOASSERTION"

// doc builds one document: element IDs stay unique, relationships and
// lists are sorted at the end.
type doc struct {
	d   *spdx.Document
	ids map[string]int
}

func newDoc(name string, o Options) *doc {
	tool := o.Tool
	if tool == "" {
		tool = "faas-runtime"
	}
	return &doc{
		d: &spdx.Document{
			SPDXVersion:    spdx.Version,
			DataLicense:    spdx.DataLicense,
			SPDXIdentifier: "DOCUMENT",
			DocumentName:   name,
			CreationInfo: &spdx.CreationInfo{
				Creators: []common.Creator{{CreatorType: "Tool", Creator: tool}, {CreatorType: "Organization", Creator: "faas-runtime"}},
				Created:  o.Created.UTC().Format(time.RFC3339),
			},
		},
		ids: map[string]int{},
	}
}

var idUnsafe = regexp.MustCompile(`[^A-Za-z0-9.-]+`)

// id makes an SPDX element ID from a readable name (SPDX allows letters,
// digits, '.' and '-'), numbered when it repeats.
func (b *doc) id(kind, name string) common.ElementID {
	s := kind + "-" + strings.Trim(idUnsafe.ReplaceAllString(name, "-"), "-")
	b.ids[s]++
	if n := b.ids[s]; n > 1 {
		s = fmt.Sprintf("%s-%d", s, n)
	}
	return common.ElementID(s)
}

func (b *doc) rel(a common.ElementID, typ string, c common.ElementID) {
	b.d.Relationships = append(b.d.Relationships, &spdx.Relationship{
		RefA: common.MakeDocElementID("", string(a)), RefB: common.MakeDocElementID("", string(c)), Relationship: typ})
}

func (b *doc) pkg(p *spdx.Package) *spdx.Package {
	if p.PackageDownloadLocation == "" {
		p.PackageDownloadLocation = noAssertion
	}
	p.IsFilesAnalyzedTagPresent = true
	b.d.Packages = append(b.d.Packages, p)
	return p
}

// file adds a file with SHA1 (SPDX requires it) and SHA256.
func (b *doc) file(name string, data []byte) *spdx.File {
	s1, s256 := sha1.Sum(data), sha256.Sum256(data)
	f := &spdx.File{
		FileName:           name,
		FileSPDXIdentifier: b.id("File", name),
		Checksums: []common.Checksum{
			{Algorithm: common.SHA1, Value: hex.EncodeToString(s1[:])},
			{Algorithm: common.SHA256, Value: hex.EncodeToString(s256[:])},
		},
		FileTypes:         []string{fileType(data)},
		LicenseConcluded:  noAssertion,
		FileCopyrightText: noAssertion,
	}
	b.d.Files = append(b.d.Files, f)
	return f
}

func fileType(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("\x7fELF")), bytes.HasPrefix(data, []byte("MZ")):
		return "BINARY"
	case bytes.HasPrefix(data, []byte("PK\x03\x04")), bytes.HasPrefix(data, []byte{0x1f, 0x8b}), bytes.HasPrefix(data, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		return "ARCHIVE"
	case isText(data):
		return "TEXT"
	}
	return "OTHER"
}

func isText(data []byte) bool {
	if len(data) > 8192 {
		data = data[:8192]
	}
	return !bytes.ContainsRune(data, 0)
}

// verificationCode is SPDX's package verification code: SHA1 over the
// sorted SHA1s of the package's files.
func verificationCode(files []*spdx.File) *common.PackageVerificationCode {
	var sums []string
	for _, f := range files {
		sums = append(sums, f.Checksums[0].Value)
	}
	sort.Strings(sums)
	h := sha1.Sum([]byte(strings.Join(sums, "")))
	return &common.PackageVerificationCode{Value: hex.EncodeToString(h[:])}
}

// finish sorts everything, sets the namespace from the content and
// validates the document.
func (b *doc) finish(root common.ElementID, contentDigest string) (*spdx.Document, error) {
	d := b.d
	b.rel("DOCUMENT", "DESCRIBES", root)
	sort.SliceStable(d.Files, func(i, j int) bool { return d.Files[i].FileName < d.Files[j].FileName })
	// The root package first, the rest by ID.
	sort.SliceStable(d.Packages, func(i, j int) bool {
		pi, pj := d.Packages[i].PackageSPDXIdentifier, d.Packages[j].PackageSPDXIdentifier
		if (pi == root) != (pj == root) {
			return pi == root
		}
		return pi < pj
	})
	sort.SliceStable(d.Relationships, func(i, j int) bool { return relKey(d.Relationships[i]) < relKey(d.Relationships[j]) })
	slug := strings.Trim(idUnsafe.ReplaceAllString(d.DocumentName, "-"), "-")
	if h := strings.TrimPrefix(contentDigest, "sha256:"); !strings.Contains(slug, h) {
		slug += "-" + h
	}
	d.DocumentNamespace = NamespaceBase + slug
	if err := Validate(d); err != nil {
		return nil, fmt.Errorf("sbom %s: %w", d.DocumentName, err)
	}
	return d, nil
}

func relKey(r *spdx.Relationship) string {
	// DESCRIBES first, then by elements.
	k := "1"
	if r.Relationship == "DESCRIBES" {
		k = "0"
	}
	return k + string(r.RefA.ElementRefID) + " " + r.Relationship + " " + string(r.RefB.ElementRefID)
}

// Validate runs the library's validator (every relationship names an
// element of the document) and checks the fields SPDX 2.3 requires that
// the library does not.
func Validate(d *spdx.Document) error {
	if err := spdxlib.ValidateDocument(d); err != nil {
		return err
	}
	var errs []error
	if d.SPDXVersion != "SPDX-2.3" || d.DataLicense != "CC0-1.0" || d.SPDXIdentifier != "DOCUMENT" {
		errs = append(errs, fmt.Errorf("header: version %q, data license %q, ID %q", d.SPDXVersion, d.DataLicense, d.SPDXIdentifier))
	}
	if d.DocumentName == "" || !strings.HasPrefix(d.DocumentNamespace, "https://") {
		errs = append(errs, fmt.Errorf("name %q / namespace %q", d.DocumentName, d.DocumentNamespace))
	}
	if d.CreationInfo == nil || len(d.CreationInfo.Creators) == 0 {
		errs = append(errs, errors.New("no creation info"))
	} else if _, err := time.Parse(time.RFC3339, d.CreationInfo.Created); err != nil {
		errs = append(errs, fmt.Errorf("created: %w", err))
	}
	seen := map[common.ElementID]bool{}
	for _, p := range d.Packages {
		if p.PackageName == "" || p.PackageDownloadLocation == "" || seen[p.PackageSPDXIdentifier] {
			errs = append(errs, fmt.Errorf("package %q (%s): needs a name, a download location and a unique ID", p.PackageName, p.PackageSPDXIdentifier))
		}
		seen[p.PackageSPDXIdentifier] = true
	}
	for _, f := range d.Files {
		ok := false
		for _, c := range f.Checksums {
			ok = ok || c.Algorithm == common.SHA1
		}
		if !ok || seen[f.FileSPDXIdentifier] {
			errs = append(errs, fmt.Errorf("file %s: needs a SHA1 checksum and a unique ID", f.FileName))
		}
		seen[f.FileSPDXIdentifier] = true
	}
	described := false
	for _, r := range d.Relationships {
		described = described || (r.RefA.ElementRefID == "DOCUMENT" && r.Relationship == "DESCRIBES")
	}
	if !described {
		errs = append(errs, errors.New("the document DESCRIBES nothing"))
	}
	return errors.Join(errs...)
}

// Write writes the document as indented SPDX JSON.
func Write(w io.Writer, d *spdx.Document) error {
	return spdxjson.Write(d, w, spdxjson.Indent("  "))
}

// Marshal is Write into a byte slice.
func Marshal(d *spdx.Document) ([]byte, error) {
	var buf bytes.Buffer
	if err := Write(&buf, d); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Read parses SPDX JSON (any 2.x version the library knows) as 2.3.
func Read(r io.Reader) (*spdx.Document, error) {
	return spdxjson.Read(r)
}

func sha256Hex(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}
