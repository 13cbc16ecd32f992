package packages_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"debug/elf"
	"encoding/pem"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"

	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/packaging/packages"
	"github.com/faas-runtime/faas-runtime/packaging/signing"
)

func noEnv(string) string { return "" }

func testKeys(t *testing.T) *signing.Keys {
	t.Helper()
	k, err := signing.Load(noEnv, t.TempDir(), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// Two builds of the same commit with the same SOURCE_DATE_EPOCH give
// byte-identical packages; the second replaces the first's directory and
// leaves none of its stale files behind.
func TestReproducible(t *testing.T) {
	testutil.Slow(t, "builds every package twice")
	testutil.Need(t, "git", "go")
	root := testutil.RepoRoot(t)
	keys := testKeys(t)
	a, b := filepath.Join(t.TempDir(), "packages"), filepath.Join(t.TempDir(), "first")
	opts := packages.Options{Root: root, Keys: keys, SourceDateEpoch: 1700000000, Out: a}
	r1, err := packages.Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	// Keep the first build's bytes, leave a stale file, build again in place.
	if err := os.Rename(a, b); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(a, "rpm"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(a, packages.ManifestName), []byte("{}"), 0o644)
	stale := filepath.Join(a, "rpm", "faas-runtime-0.0.1-1.x86_64.rpm")
	os.WriteFile(stale, []byte("left over from an earlier build"), 0o644)
	r2, err := packages.Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("a stale file from the earlier build survived: %v", err)
	}
	kinds := map[string]int{}
	for _, f := range r1.Files {
		kinds[f.Kind]++
		x, _ := os.ReadFile(filepath.Join(b, f.Path))
		y, _ := os.ReadFile(filepath.Join(a, f.Path))
		if len(x) == 0 || !bytes.Equal(x, y) {
			t.Errorf("%s: the two builds' bytes differ (or are empty)", f.Path)
		}
	}
	if len(r1.Files) != len(r2.Files) {
		t.Errorf("builds made %d and %d files", len(r1.Files), len(r2.Files))
	}
	want := map[string]int{"layer": 2, "source": 1, "formula": 1, "pkgbuild": 1, "srcinfo": 1}
	targets, _ := packages.Targets(nil, nil)
	for _, tg := range targets {
		want[tg.Format]++
	}
	for kind, n := range want {
		if kinds[kind] != n {
			t.Errorf("%d %s artifacts, want %d", kinds[kind], kind, n)
		}
	}
	t.Run("layers", func(t *testing.T) { checkLayers(t, a, r1) })
}

// The Lambda layer zips hold an executable bootstrap at the root (so it is
// /opt/bootstrap) built for the layer's arch.
func checkLayers(t *testing.T, dir string, r *packages.Result) {
	for arch, machine := range map[string]elf.Machine{"x86_64": elf.EM_X86_64, "arm64": elf.EM_AARCH64} {
		layers := r.Find("layer", "", arch)
		if len(layers) != 1 {
			t.Fatalf("%s layers: %v", arch, layers)
		}
		zr, err := zip.OpenReader(filepath.Join(dir, layers[0].Path))
		if err != nil {
			t.Fatal(err)
		}
		if len(zr.File) != 1 || zr.File[0].Name != "bootstrap" || zr.File[0].Mode()&0o111 == 0 {
			t.Fatalf("%s: want one executable file named bootstrap at the root, got %v", layers[0].Path, zr.File)
		}
		rc, _ := zr.File[0].Open()
		data, _ := io.ReadAll(rc)
		rc.Close()
		zr.Close()
		f, err := elf.NewFile(bytes.NewReader(data))
		if err != nil || f.Machine != machine {
			t.Errorf("%s bootstrap: %v, machine %v", arch, err, f)
		}
		tmp := filepath.Join(t.TempDir(), "bootstrap")
		os.WriteFile(tmp, data, 0o755)
		var out []byte
		if arch == "arm64" {
			testutil.Need(t, "qemu-aarch64-static")
			out, err = exec.Command("qemu-aarch64-static", tmp, "--version").CombinedOutput()
		} else {
			out, err = exec.Command(tmp, "--version").CombinedOutput()
		}
		if err != nil || !strings.Contains(string(out), r.Version) {
			t.Errorf("%s bootstrap --version: %v %s", arch, err, out)
		}
	}
}

func TestBadInput(t *testing.T) {
	root := testutil.RepoRoot(t)
	keys := testKeys(t)
	for _, c := range []struct {
		name string
		opts packages.Options
		want string
	}{
		{"unknown format", packages.Options{Formats: []string{"snap"}}, `unknown package format "snap"`},
		{"unknown arch", packages.Options{Arches: []string{"riscv64"}}, `unknown architecture "riscv64"`},
		{"not semver", packages.Options{Version: "latest"}, "not a semantic version"},
		{"apk prerelease", packages.Options{Version: "1.0.0-nightly.5"}, "apk cannot represent prerelease"},
		{"pacman metadata", packages.Options{Version: "1.0.0+git.5", Formats: []string{"archlinux"}}, "archlinux cannot represent build metadata"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "dist", "packages")
			o := c.opts
			o.Root, o.Out, o.Keys = root, out, keys
			_, err := packages.Run(context.Background(), o)
			var ie *packages.InputError
			if err == nil || !strings.Contains(err.Error(), c.want) || !errors.As(err, &ie) {
				t.Fatalf("error %v, want an InputError with %q", err, c.want)
			}
			if entries, _ := os.ReadDir(filepath.Dir(out)); len(entries) != 0 {
				t.Errorf("a failed build left %v behind", entries)
			}
		})
	}
	t.Run("foreign output directory", func(t *testing.T) {
		out := t.TempDir()
		os.WriteFile(filepath.Join(out, "precious.txt"), []byte("mine"), 0o644)
		_, err := packages.Run(context.Background(), packages.Options{Root: root, Out: out, Keys: keys})
		if err == nil || !strings.Contains(err.Error(), "was not made by this tool") {
			t.Fatalf("error %v", err)
		}
		if b, _ := os.ReadFile(filepath.Join(out, "precious.txt")); string(b) != "mine" {
			t.Error("the foreign directory was touched")
		}
	})
}

func TestBadKeys(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, data, 0o600)
		return p
	}
	good := testKeys(t)
	var sec bytes.Buffer
	signing.WriteSecret(&sec, good.PGP)
	pgp := write("secret.asc", sec.Bytes())
	pub, _ := good.PublicPGP(true)
	pubPath := write("public.asc", pub)
	apkPEM := write("apk.pem", pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(good.APK)}))
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecDER, _ := x509.MarshalPKCS8PrivateKey(ec)
	ecPath := write("ec.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecDER}))
	ed, _ := openpgp.NewEntity("ed", "", "ed@example.invalid", &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA})
	var edBuf bytes.Buffer
	aw, _ := armor.Encode(&edBuf, openpgp.PrivateKeyType, nil)
	ed.SerializePrivate(aw, nil)
	aw.Close()
	edPath := write("ed.asc", edBuf.Bytes())
	locked, _ := signing.NewPGP("locked", "locked@example.invalid")
	locked.EncryptPrivateKeys([]byte("s3cret"), nil)
	var lockedBuf bytes.Buffer
	signing.WriteSecret(&lockedBuf, locked)
	lockedPath := write("locked.asc", lockedBuf.Bytes())

	for _, c := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"only pgp", map[string]string{signing.EnvPGPKey: pgp}, "FAAS_PGP_KEY is set but FAAS_APK_KEY is not"},
		{"only apk", map[string]string{signing.EnvAPKKey: apkPEM}, "FAAS_APK_KEY is set but FAAS_PGP_KEY is not"},
		{"missing file", map[string]string{signing.EnvPGPKey: filepath.Join(dir, "nope.asc"), signing.EnvAPKKey: apkPEM}, "no such file"},
		{"unreadable (a directory)", map[string]string{signing.EnvPGPKey: pgp, signing.EnvAPKKey: dir}, "is a directory"},
		{"public key", map[string]string{signing.EnvPGPKey: pubPath, signing.EnvAPKKey: apkPEM}, "is a public key"},
		{"not an OpenPGP key", map[string]string{signing.EnvPGPKey: apkPEM, signing.EnvAPKKey: apkPEM}, "is not an OpenPGP key"},
		{"OpenPGP not RSA", map[string]string{signing.EnvPGPKey: edPath, signing.EnvAPKKey: apkPEM}, "is not an RSA key"},
		{"passphrase missing", map[string]string{signing.EnvPGPKey: lockedPath, signing.EnvAPKKey: apkPEM}, "set FAAS_PGP_PASSPHRASE"},
		{"passphrase wrong", map[string]string{signing.EnvPGPKey: lockedPath, signing.EnvPGPPassphrase: "nope", signing.EnvAPKKey: apkPEM}, "wrong passphrase"},
		{"apk not PEM", map[string]string{signing.EnvPGPKey: pgp, signing.EnvAPKKey: pgp}, "is not a PEM file"},
		{"apk not RSA", map[string]string{signing.EnvPGPKey: pgp, signing.EnvAPKKey: ecPath}, "not an RSA key"},
		{"apk key name", map[string]string{signing.EnvPGPKey: pgp, signing.EnvAPKKey: apkPEM, signing.EnvAPKKeyName: "../x"}, "must be a file name ending in .rsa.pub"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := signing.Load(func(k string) string { return c.env[k] }, filepath.Join(dir, "throwaway"), io.Discard)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
		})
	}
	// The right keys load, and a passphrase unlocks a protected one.
	if _, err := signing.Load(func(k string) string {
		return map[string]string{signing.EnvPGPKey: lockedPath, signing.EnvPGPPassphrase: "s3cret", signing.EnvAPKKey: apkPEM}[k]
	}, dir, io.Discard); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "throwaway")); !os.IsNotExist(err) {
		t.Error("throwaway keys were made although keys were given")
	}
}

// Without keys the tool says loudly that it signs with throwaway keys.
func TestThrowawayWarning(t *testing.T) {
	var buf bytes.Buffer
	k, err := signing.Load(noEnv, t.TempDir(), &buf)
	if err != nil || !k.Throwaway || !strings.Contains(buf.String(), "THROWAWAY") {
		t.Fatalf("%v %v %q", k, err, buf.String())
	}
}

// faas-pkg exits 2 for bad input.
func TestCLIExitCodes(t *testing.T) {
	bin := testutil.GoBuild(t, t.TempDir(), "./cmd/faas-pkg", "faas-pkg")
	for _, args := range [][]string{{"packages", "--formats", "snap"}, {"packages", "--arches", "mips"}, {"frobnicate"}, {"packages", "--version", "x.y"}} {
		cmd := exec.Command(bin, append(args, "--dist", t.TempDir())...)
		if args[0] == "frobnicate" {
			cmd = exec.Command(bin, args...)
		}
		cmd.Dir = testutil.RepoRoot(t)
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 {
			t.Errorf("faas-pkg %v: %v, want exit 2\n%s", args, err, out)
		}
	}
}
