package sbom

import (
	"fmt"
	"net/url"
	"path"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/spdx/tools-golang/spdx"
	"github.com/spdx/tools-golang/spdx/v2/common"

	"github.com/faas-runtime/faas-runtime/internal/image/build"
	"github.com/faas-runtime/faas-runtime/internal/pkgfile"
)

// Image describes an image built by runtime-init build: the base's layers
// as given (digest and what made them; their contents are the base's own
// business), the faas-runtime binary of the runtime layer with its Go
// modules, and every file of the function layer with its hashes (and the
// Go modules of a Go handler). name is the repository, for the purl.
func Image(img v1.Image, name string, o Options) (*spdx.Document, error) {
	dig, err := img.Digest()
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	layers, err := img.Layers()
	if err != nil {
		return nil, err
	}
	var hist []v1.History
	for _, h := range cf.History {
		if !h.EmptyLayer {
			hist = append(hist, h)
		}
	}
	roles := make([]string, len(layers))
	last := map[string]int{}
	for i := range layers {
		if i < len(hist) {
			switch hist[i].Comment {
			case build.CommentRuntime:
				last["runtime"] = i
			case build.CommentFunction:
				last["function"] = i
			}
		}
	}
	rt, okRT := last["runtime"]
	fn, okFn := last["function"]
	if !okRT || !okFn {
		return nil, fmt.Errorf("image %s: no runtime and function layers (not built by runtime-init build)", dig)
	}
	roles[rt], roles[fn] = "runtime", "function"

	title := name
	if title == "" {
		title = "image"
	}
	b := newDoc(path.Base(title)+"@"+dig.String(), o)
	root := b.id("Package", "image-"+path.Base(title))
	arch := cf.Architecture
	if cf.Variant != "" {
		arch += "/" + cf.Variant
	}
	b.pkg(&spdx.Package{
		PackageName: title, PackageSPDXIdentifier: root, PackageVersion: dig.String(),
		PackageChecksums:      []common.Checksum{{Algorithm: common.SHA256, Value: dig.Hex}},
		PrimaryPackagePurpose: "CONTAINER", PackageLicenseConcluded: noAssertion, PackageLicenseDeclared: noAssertion,
		PackageCopyrightText: noAssertion, PackageComment: cf.OS + "/" + arch,
		PackageExternalReferences: []*spdx.PackageExternalReference{purl(ociPURL(name, dig, cf.Architecture))},
	})
	for i, l := range layers {
		ld, err := l.Digest()
		if err != nil {
			return nil, err
		}
		by := ""
		if i < len(hist) {
			by = hist[i].CreatedBy
		}
		switch roles[i] {
		case "":
			p := b.pkg(&spdx.Package{
				PackageName: fmt.Sprintf("base layer %d", i+1), PackageSPDXIdentifier: b.id("Package", fmt.Sprintf("base-layer-%d", i+1)),
				PackageVersion: ld.String(), PackageChecksums: []common.Checksum{{Algorithm: common.SHA256, Value: ld.Hex}},
				PrimaryPackagePurpose: "ARCHIVE", PackageLicenseConcluded: noAssertion, PackageLicenseDeclared: noAssertion,
				PackageCopyrightText: noAssertion, PackageComment: strings.TrimSpace("base layer, as given; created by: " + by),
			})
			b.rel(root, "CONTAINS", p.PackageSPDXIdentifier)
		case "runtime", "function":
			if err := b.layerFiles(root, l, roles[i] == "runtime"); err != nil {
				return nil, fmt.Errorf("%s layer %s: %w", roles[i], ld, err)
			}
		}
	}
	return b.finish(root, dig.String())
}

// layerFiles adds each regular file of one of our layers, and the Go
// modules of the binaries among them; in the runtime layer only the
// faas-runtime binary counts.
func (b *doc) layerFiles(root common.ElementID, l v1.Layer, runtimeOnly bool) error {
	rc, err := l.Uncompressed()
	if err != nil {
		return err
	}
	defer rc.Close()
	return pkgfile.WalkTar(rc, "tar", func(name string, data []byte) error {
		name = "/" + name
		if runtimeOnly && name != build.RuntimePath {
			return nil
		}
		f := b.file(name, data)
		b.rel(root, "CONTAINS", f.FileSPDXIdentifier)
		ok, err := b.goModules(f.FileSPDXIdentifier, data)
		if err != nil {
			return err
		}
		if runtimeOnly && !ok {
			return fmt.Errorf("%s has no Go build info", name)
		}
		return nil
	})
}

// ociPURL is pkg:oci/NAME@DIGEST?arch=..&repository_url=.. per the purl
// spec (NAME is the last path element, lowercase).
func ociPURL(repo string, dig v1.Hash, arch string) string {
	n := strings.ToLower(path.Base(repo))
	if n == "" || n == "." || n == "/" {
		n = "image"
	}
	u := "pkg:oci/" + n + "@" + url.QueryEscape(dig.String()) + "?arch=" + arch
	if strings.Contains(repo, "/") {
		u += "&repository_url=" + url.QueryEscape(repo)
	}
	return u
}
