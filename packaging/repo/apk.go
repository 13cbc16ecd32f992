package repo

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/chainguard-dev/go-apk/pkg/apk"
	"github.com/chainguard-dev/go-apk/pkg/expandapk"

	"github.com/faas-runtime/faas-runtime/packaging/packages"
)

// apk: alpine/<arch>/ with the packages and a signed APKINDEX.tar.gz.
func (r *repoBuilder) apk() error {
	paths, err := r.copyArtifacts("apk", func(a packages.Artifact) string { return filepath.Join(AlpineDir, a.Arch) })
	if err != nil {
		return err
	}
	keys := map[string][]byte{}
	for _, k := range r.signers {
		pub, err := k.PublicAPK()
		if err != nil {
			return err
		}
		keys[k.APKName] = pub
	}
	dirs, isNew := map[string]bool{}, map[string]bool{}
	for _, p := range paths {
		dirs[filepath.Dir(p)] = true
		isNew[p] = true
	}
	for _, d := range r.keptDirs(AlpineDir, ".apk") {
		dirs[d] = true
	}
	for dir := range dirs {
		// The index lists every release's packages: apk add NAME=VERSION pins one.
		ps, err := filepath.Glob(filepath.Join(dir, "*.apk"))
		if err != nil {
			return err
		}
		var pkgs []*apk.Package
		for _, p := range ps {
			// A package signed by another key would install nowhere: refuse it
			// here. Earlier releases' were checked when they were published
			// (and may carry a key since rotated out).
			if isNew[p] {
				if err := VerifyAPK(p, keys); err != nil {
					return err
				}
			}
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			pkg, err := apk.ParsePackage(r.ctx, f)
			f.Close()
			if err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
			pkgs = append(pkgs, pkg)
		}
		sort.SliceStable(pkgs, func(i, j int) bool { return pkgs[i].Name < pkgs[j].Name })
		idx, err := r.apkIndex(pkgs, filepath.Base(dir))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "APKINDEX.tar.gz"), idx, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// apkIndex returns a signed APKINDEX.tar.gz: a gzip stream holding the
// signature (a tar without its end-of-archive blocks), then the index
// archive. The signature is over the SHA-256 of the index's gzip stream
// (.SIGN.RSA256., which apk-tools 2.14 and 3 verify; go-apk reads only
// .SIGN.RSA. over SHA-1).
func (r *repoBuilder) apkIndex(pkgs []*apk.Package, arch string) ([]byte, error) {
	rd, err := apk.ArchiveFromIndex(&apk.APKIndex{Packages: pkgs, Description: "faas-runtime " + r.newest().Version + " " + arch})
	if err != nil {
		return nil, err
	}
	index, err := io.ReadAll(rd)
	if err != nil {
		return nil, err
	}
	digest := sha256.Sum256(index)
	var names []string
	var sigs [][]byte
	for _, k := range r.signers {
		sig, err := k.SignSHA256(digest[:])
		if err != nil {
			return nil, err
		}
		names, sigs = append(names, packages.APKSignaturePrefix+k.APKName), append(sigs, sig)
	}
	if len(sigs) == 1 {
		return append(packages.APKSignatureSegment(names[0], sigs[0]), index...), nil
	}
	return append(apkSignatures(names, sigs), index...), nil
}

// apkSignatures is the signature segment with one entry per key: apk-tools
// uses the first whose key is in /etc/apk/keys.
func apkSignatures(names []string, sigs [][]byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	tw := tar.NewWriter(zw)
	for i, name := range names {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(sigs[i])), Typeflag: tar.TypeReg,
			Uname: "root", Gname: "root", Format: tar.FormatUSTAR})
		tw.Write(sigs[i])
	}
	tw.Flush()
	zw.Close()
	return buf.Bytes()
}

// VerifyAPK checks an .apk's signature against keys (file name -> PEM
// public key), the way apk-tools does before installing: RSA over the
// SHA-256 (.SIGN.RSA256.) or SHA-1 (.SIGN.RSA.) of the control segment. go-apk checks index signatures but not
// package ones, so this is hand-written.
func VerifyAPK(path string, keys map[string][]byte) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	exp, err := expandapk.ExpandApk(context.Background(), f, "")
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	defer exp.Close()
	if exp.SignatureFile == "" {
		return fmt.Errorf("%s is not signed", path)
	}
	sf, err := os.Open(exp.SignatureFile)
	if err != nil {
		return err
	}
	defer sf.Close()
	zr, err := gzip.NewReader(sf)
	if err != nil {
		return err
	}
	tr := tar.NewReader(zr)
	hdr, err := tr.Next()
	if err != nil {
		return fmt.Errorf("%s: reading the signature: %w", path, err)
	}
	hash, digest := crypto.SHA1, exp.ControlHash
	name, ok := strings.CutPrefix(hdr.Name, ".SIGN.RSA.")
	if !ok {
		if name, ok = strings.CutPrefix(hdr.Name, packages.APKSignaturePrefix); !ok {
			return fmt.Errorf("%s: unsupported signature %s", path, hdr.Name)
		}
		control, err := os.ReadFile(exp.ControlFile)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(control)
		hash, digest = crypto.SHA256, sum[:]
	}
	sig, err := io.ReadAll(tr)
	if err != nil {
		return err
	}
	pemKey, ok := keys[name]
	if !ok {
		return fmt.Errorf("%s is signed by key %s, which is not trusted (trusted: %s)", path, name, strings.Join(keyNames(keys), ", "))
	}
	pub, err := parseRSAPublic(pemKey)
	if err != nil {
		return err
	}
	if err := rsa.VerifyPKCS1v15(pub, hash, digest, sig); err != nil {
		return fmt.Errorf("%s: signature does not verify with key %s: %w", path, name, err)
	}
	return nil
}

func keyNames(keys map[string][]byte) []string {
	var out []string
	for k := range keys {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func parseRSAPublic(p []byte) (*rsa.PublicKey, error) {
	block, _ := pem.Decode(p)
	if block == nil {
		return nil, errors.New("apk key is not PEM")
	}
	k, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	rk, ok := k.(*rsa.PublicKey)
	if !ok {
		return nil, errors.New("apk key is not RSA")
	}
	return rk, nil
}

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}
