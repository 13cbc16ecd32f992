package packages

// nfpm's .PKGINFO has no builddate, packager, origin or commit, which
// abuild writes (APKINDEX then shows t:0 and no o:), and nfpm signs only
// over SHA-1 (.SIGN.RSA.). finishAPK takes nfpm's unsigned .apk (control
// and data gzip streams), adds the fields to .PKGINFO and prepends a
// .SIGN.RSA256. signature over the SHA-256 of the new control stream,
// which apk-tools 2.14 and 3.0 verify (packaging/repo TestApkTools).

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"strings"
)

// APKSignaturePrefix names the signature file in an .apk's first stream
// and in APKINDEX.tar.gz: RSA PKCS#1 v1.5 over SHA-256.
const APKSignaturePrefix = ".SIGN.RSA256."

// apkField is one "key = value" line of .PKGINFO.
type apkField struct{ key, value string }

func finishAPK(pkg []byte, fields []apkField, keyName string, sign func(digest []byte) ([]byte, error)) ([]byte, error) {
	control, data, err := splitGzipStream(pkg)
	if err != nil {
		return nil, fmt.Errorf("apk: %w", err)
	}
	control, err = editControl(control, fields)
	if err != nil {
		return nil, fmt.Errorf("apk control: %w", err)
	}
	digest := sha256.Sum256(control)
	sig, err := sign(digest[:])
	if err != nil {
		return nil, err
	}
	out := APKSignatureSegment(APKSignaturePrefix+keyName, sig)
	out = append(out, control...)
	return append(out, data...), nil
}

// splitGzipStream returns the first gzip member of b and the rest.
func splitGzipStream(b []byte) ([]byte, []byte, error) {
	r := bytes.NewReader(b) // an io.ByteReader: gzip reads no further than its member
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, nil, err
	}
	zr.Multistream(false)
	if _, err := io.Copy(io.Discard, zr); err != nil {
		return nil, nil, err
	}
	n := len(b) - r.Len()
	return b[:n], b[n:], nil
}

// editControl adds fields before .PKGINFO's datahash line (abuild's order
// puts them before it too) and returns the control stream rebuilt: a tar
// without end-of-archive blocks, gzip-compressed.
func editControl(stream []byte, fields []apkField) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(stream))
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	tw := tar.NewWriter(zw)
	tr := tar.NewReader(zr)
	found := false
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			return nil, err
		}
		if h.Name == ".PKGINFO" {
			found = true
			var add strings.Builder
			for _, f := range fields {
				if strings.Contains(string(body), "\n"+f.key+" = ") {
					return nil, fmt.Errorf(".PKGINFO already has %s", f.key)
				}
				fmt.Fprintf(&add, "%s = %s\n", f.key, f.value)
			}
			text := string(body)
			i := strings.Index(text, "\ndatahash = ")
			if i < 0 {
				return nil, errors.New(".PKGINFO has no datahash")
			}
			body = []byte(text[:i+1] + add.String() + text[i+1:])
			h.Size = int64(len(body))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(body); err != nil {
			return nil, err
		}
	}
	if !found {
		return nil, errors.New("no .PKGINFO")
	}
	tw.Flush() // not Close: apk concatenates segments without end-of-archive blocks
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// APKSignatureSegment is the gzip stream holding one signature file (a tar
// without end-of-archive blocks), as abuild-sign writes it.
func APKSignatureSegment(name string, sig []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	tw := tar.NewWriter(zw)
	tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(sig)), Typeflag: tar.TypeReg,
		Uname: "root", Gname: "root", Format: tar.FormatUSTAR})
	tw.Write(sig)
	tw.Flush()
	zw.Close()
	return buf.Bytes()
}
