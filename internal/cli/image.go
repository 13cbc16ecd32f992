package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"

	ucli "github.com/urfave/cli/v2"

	"github.com/faas-runtime/faas-runtime/internal/flaglist"
	"github.com/faas-runtime/faas-runtime/internal/image/build"
	"github.com/faas-runtime/faas-runtime/internal/image/inspect"
	"github.com/faas-runtime/faas-runtime/internal/image/publish"
	"github.com/faas-runtime/faas-runtime/internal/image/sign"
	"github.com/faas-runtime/faas-runtime/internal/image/source"
	"github.com/faas-runtime/faas-runtime/internal/sbom"
	"github.com/faas-runtime/faas-runtime/runtime/version"
)

func buildCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "build",
		Usage:     "build a Lambda container image without a daemon",
		ArgsUsage: "FUNCTION",
		Description: `Builds one single-arch OCI image per --arch: the base's layers, a layer with
/usr/bin/faas-runtime, and a layer with FUNCTION (a file or directory) under
/var/task. Exactly one output: --push REF, --oci-layout DIR or --tarball FILE.
With --push and several arches the images are tagged REF-amd64, REF-arm64
(Lambda refuses image indexes); --index also writes an index at REF.
Timestamps come from SOURCE_DATE_EPOCH (else 1970): same inputs, same digest.
With --push, an SPDX 2.3 SBOM of each image is attached as an OCI referrer (and
as cosign's sha256-DIGEST.sbom tag), and --sign-key adds a cosign signature
(sha256-DIGEST.sig; cosign verify --key cosign.pub checks it). Neither changes
the image.`,
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "base", Value: "scratch", Usage: "base image: scratch, oci-layout:DIR, tarball:FILE or a registry reference"},
			&ucli.StringFlag{Name: "arch", Value: "amd64", Usage: "architectures, comma-separated: amd64, arm64"},
			&ucli.StringFlag{Name: "handler", Usage: "the image's CMD (default: FUNCTION's file name when FUNCTION is a file)"},
			&ucli.StringFlag{Name: "mode", Value: "exec", Usage: "FAAS_MODE: exec, http or sharedlib"},
			&ucli.StringSliceFlag{Name: "runtime", Usage: "a faas-runtime binary (repeat for each arch; the arch is read from the ELF header)"},
			&ucli.StringSliceFlag{Name: "runtime-package", Usage: "a faas-runtime .deb, .rpm or .apk to take the binary from (repeat for each arch)"},
			&ucli.StringFlag{Name: "push", Usage: "push to this registry tag"},
			&ucli.StringFlag{Name: "oci-layout", Usage: "write an OCI image layout directory"},
			&ucli.StringFlag{Name: "tarball", Usage: "write a docker-save tarball (podman load)"},
			&ucli.StringFlag{Name: "tag", Usage: "name inside --oci-layout (default latest) or --tarball (default faas-function:latest)"},
			&ucli.BoolFlag{Name: "index", Usage: "also write an image index of all arches (not for Lambda)"},
			&ucli.BoolFlag{Name: "insecure", Usage: "plain HTTP to a registry on loopback"},
			&ucli.StringFlag{Name: "user", Value: build.DefaultUser, Usage: "the user the function runs as"},
			&ucli.StringSliceFlag{Name: "env", Usage: "extra KEY=VALUE in the image's environment"},
			&ucli.StringSliceFlag{Name: "label", Usage: "extra KEY=VALUE label"},
			&ucli.BoolFlag{Name: "force", Usage: "replace an existing --oci-layout or --tarball"},
			&ucli.BoolFlag{Name: "sbom", Value: true, Usage: "with --push, attach an SPDX SBOM to each image (OCI referrer and cosign's .sbom tag)"},
			&ucli.StringFlag{Name: "sbom-dir", Usage: "also write each image's SBOM to DIR/ARCH.spdx.json (SPDX 2.3) and DIR/ARCH.cdx.json (CycloneDX 1.6)"},
			&ucli.StringFlag{Name: "sign-key", Usage: "with --push, sign each image with this cosign.key (password in COSIGN_PASSWORD) or PKCS#8 EC key"},
		},
		Action: runBuild,
	}
}

func runBuild(c *ucli.Context) error {
	args, err := positionalArgs(c)
	if err != nil {
		return err
	}
	if len(args) != 1 {
		return Usagef("build: want exactly one FUNCTION (file or directory), got %d arguments", len(args))
	}
	fn := args[0]
	var outs []string
	for _, f := range []string{"push", "oci-layout", "tarball"} {
		if c.String(f) != "" {
			outs = append(outs, "--"+f)
		}
	}
	if len(outs) != 1 {
		return Usagef("build: want exactly one output (--push REF, --oci-layout DIR or --tarball FILE), got %d", len(outs))
	}
	arches := flaglist.Split(c.String("arch"))
	if len(arches) == 0 {
		return Usagef("build: --arch is empty")
	}
	for _, a := range arches {
		if _, err := build.Platform(a); err != nil {
			return Usagef("build: --arch: %v", err)
		}
	}
	labels := map[string]string{}
	for _, kv := range c.StringSlice("label") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return Usagef("build: --label %q: want KEY=VALUE", kv)
		}
		labels[k] = v
	}
	created, err := build.Epoch(os.Getenv)
	if err != nil {
		return Usagef("build: %v", err)
	}
	runtimes, err := runtimesByArch(c)
	if err != nil {
		return err
	}
	for _, a := range arches {
		if _, ok := runtimes[a]; !ok {
			return Usagef("build: no faas-runtime for %s: pass --runtime FILE (a linux/%s faas-runtime binary) or --runtime-package FILE (our .deb, .rpm or .apk for %s)", a, a, a)
		}
	}
	var signer *sign.Signer
	if k := c.String("sign-key"); k != "" {
		if c.String("push") == "" {
			return Usagef("build: --sign-key signs what is pushed: add --push REF")
		}
		if signer, err = sign.LoadKey(k, os.Getenv); err != nil {
			return Usagef("build: %v", err)
		}
	}
	so := source.Options{Insecure: c.Bool("insecure")}
	baseRef, err := source.Parse(c.String("base"), so)
	if err != nil {
		return Usagef("build: --base: %v", err)
	}
	ctx := c.Context
	if ctx == nil {
		ctx = context.Background()
	}

	// Everything is built (and every error found) before anything is written.
	var imgs []publish.Image
	var sbomFiles []sbomFile
	for _, a := range arches {
		plat, _ := build.Platform(a)
		base, err := source.ForPlatform(ctx, baseRef, plat, so)
		if err != nil {
			return fmt.Errorf("build: %w", err)
		}
		opts := build.Options{Base: base, BaseName: baseName(baseRef), Arch: a, Runtime: runtimes[a].Data, Function: fn,
			Handler: c.String("handler"), Mode: c.String("mode"), User: c.String("user"), Env: c.StringSlice("env"),
			Labels: labels, Created: created, Cache: build.DefaultCache(os.Getenv)}
		if err := opts.Check(); err != nil {
			return Usagef("build: %v", err)
		}
		if err := build.CheckInterpreter(opts); err != nil {
			return Usagef("build: %v", err)
		}
		img, err := build.Image(opts)
		if err != nil {
			return fmt.Errorf("build %s: %w", a, err)
		}
		pi := publish.Image{Arch: a, Platform: plat, Image: img}
		if (c.String("push") != "" && c.Bool("sbom")) || c.String("sbom-dir") != "" {
			d, err := sbom.Image(img, sbomName(c.String("push"), c.Bool("insecure")), sbom.Options{Created: created, Tool: "runtime-init-" + version.Version})
			if err != nil {
				return fmt.Errorf("build %s: %w", a, err)
			}
			if pi.SBOM, err = sbom.Marshal(d); err != nil {
				return err
			}
			if dir := c.String("sbom-dir"); dir != "" {
				cd, err := sbom.CycloneDX(d)
				if err != nil {
					return err
				}
				sbomFiles = append(sbomFiles, sbomFile{filepath.Join(dir, a+".spdx.json"), pi.SBOM}, sbomFile{filepath.Join(dir, a+".cdx.json"), cd})
			}
		}
		imgs = append(imgs, pi)
	}
	if dir := c.String("sbom-dir"); dir != "" {
		if err := writeSBOMs(dir, sbomFiles, c.Bool("force")); err != nil {
			return fmt.Errorf("build: %w", err)
		}
	}
	if !c.Bool("sbom") {
		for i := range imgs {
			imgs[i].SBOM = nil
		}
	}

	var pub publish.Publisher
	switch {
	case c.String("push") != "":
		pub = &publish.Push{Ref: c.String("push"), Insecure: c.Bool("insecure"), Progress: c.App.ErrWriter, Signer: signer, Created: created}
	case c.String("oci-layout") != "":
		pub = &publish.Layout{Dir: c.String("oci-layout"), Tag: c.String("tag"), Force: c.Bool("force")}
	default:
		pub = &publish.Tarball{File: c.String("tarball"), Repo: c.String("tag"), Force: c.Bool("force")}
	}
	res, err := pub.Publish(ctx, imgs, c.Bool("index"))
	if err != nil {
		return fmt.Errorf("build: %w", err)
	}
	for _, p := range res.Refs {
		fmt.Fprintf(c.App.Writer, "%s\t%s\t%s\n", p.Arch, p.Digest, p.Ref)
		for _, a := range p.Attached {
			fmt.Fprintf(c.App.Writer, "%s:%s\t%s\t%s\n", a.Kind, p.Arch, a.Digest, a.Ref)
		}
	}
	if res.Index != nil {
		fmt.Fprintf(c.App.Writer, "index\t%s\t%s\n", res.Index.Digest, res.Index.Ref)
	}
	if c.String("tarball") != "" {
		fmt.Fprintln(c.App.ErrWriter, tarballDigestNote)
	}
	return nil
}

// tarballDigestNote explains why build --tarball and inspect tarball:
// (or podman load) show different digests for the same image.
const tarballDigestNote = "runtime-init: note: a docker-save tarball stores no manifest: podman load and `runtime-init inspect tarball:` " +
	"make one with Docker media types, so their digest differs from the OCI manifest digest build prints " +
	"(--oci-layout and --push keep that one); the image's layers and config (podman's image ID) are the same"

// countImages says how many images were named, and how many of them are
// not in a registry, in words.
func countImages(n int, repos []*name.Repository) string {
	local := 0
	for _, r := range repos {
		if r == nil {
			local++
		}
	}
	s := fmt.Sprintf("%d images", n)
	if n == 1 {
		s = "1 image"
	}
	if local > 0 {
		s += fmt.Sprintf(", %d not in a registry", local)
	}
	return s
}

// sbomName is the repository an image SBOM names (its purl), without the
// tag: the same image may get several.
func sbomName(push string, insecure bool) string {
	if push == "" {
		return ""
	}
	var o []name.Option
	if insecure {
		o = append(o, name.Insecure)
	}
	if t, err := name.NewTag(push, o...); err == nil {
		return t.Context().Name()
	}
	return ""
}

type sbomFile struct {
	path string
	data []byte
}

// writeSBOMs writes the --sbom-dir files, refusing to overwrite any
// without --force (checked for all before the first is written).
func writeSBOMs(dir string, files []sbomFile, force bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, f := range files {
		if _, err := os.Lstat(f.path); err == nil && !force {
			return fmt.Errorf("%s exists: pass --force to replace it", f.path)
		}
	}
	for _, f := range files {
		if err := os.WriteFile(f.path, f.data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func baseName(r source.Ref) string {
	if r.Kind == source.Registry {
		return r.Name.String()
	}
	return r.Raw
}

// runtimesByArch reads --runtime and --runtime-package, one per arch.
func runtimesByArch(c *ucli.Context) (map[string]build.Runtime, error) {
	out := map[string]build.Runtime{}
	add := func(r build.Runtime) error {
		if old, ok := out[r.Arch]; ok {
			return Usagef("build: two faas-runtime binaries for %s: %s and %s", r.Arch, old.Source, r.Source)
		}
		out[r.Arch] = r
		return nil
	}
	for _, p := range c.StringSlice("runtime") {
		r, err := build.RuntimeFromFile(p)
		if err != nil {
			return nil, Usagef("build: %v", err)
		}
		if err := add(r); err != nil {
			return nil, err
		}
	}
	for _, p := range c.StringSlice("runtime-package") {
		r, err := build.RuntimeFromPackage(p)
		if err != nil {
			return nil, Usagef("build: %v", err)
		}
		if err := add(r); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func inspectCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "inspect",
		Usage:     "show the layers, sizes and config of images, and the layers they share",
		ArgsUsage: "IMAGE... (registry reference, oci-layout:DIR, tarball:FILE)",
		Flags: []ucli.Flag{
			&ucli.BoolFlag{Name: "json", Usage: "write JSON for scripts"},
			&ucli.BoolFlag{Name: "insecure", Usage: "plain HTTP to a registry on loopback"},
			&ucli.BoolFlag{Name: "sbom", Usage: "print the SPDX SBOM attached to the image (one registry image) instead"},
		},
		Action: func(c *ucli.Context) error {
			args, err := positionalArgs(c)
			if err != nil {
				return err
			}
			if len(args) == 0 {
				return Usagef("inspect: name at least one image")
			}
			ctx := c.Context
			if ctx == nil {
				ctx = context.Background()
			}
			so := source.Options{Insecure: c.Bool("insecure")}
			var all []source.Named
			var repos []*name.Repository // per image; nil: not in a registry
			for _, a := range args {
				r, err := source.Parse(a, so)
				if err != nil {
					return Usagef("inspect: %v", err)
				}
				imgs, err := source.Images(ctx, r, so)
				if err != nil {
					return fmt.Errorf("inspect: %w", err)
				}
				all = append(all, imgs...)
				for range imgs {
					var repo *name.Repository
					if r.Kind == source.Registry {
						rp := r.Name.Context()
						repo = &rp
					}
					repos = append(repos, repo)
				}
			}
			ro := source.RemoteOptions(ctx, so)
			if c.Bool("sbom") {
				if len(all) != 1 || repos[0] == nil {
					return Usagef("inspect --sbom: name one registry image (got %s)", countImages(len(all), repos))
				}
				b, err := inspect.SBOM(*repos[0], all[0].Digest, ro)
				if err != nil {
					return fmt.Errorf("inspect: %w", err)
				}
				_, err = c.App.Writer.Write(b)
				return err
			}
			rep, err := inspect.Build(all)
			if err != nil {
				return fmt.Errorf("inspect: %w", err)
			}
			for i, n := range all {
				if repos[i] == nil {
					continue
				}
				if rep.Images[i].Referrers, err = inspect.Referrers(*repos[i], n.Digest, ro); err != nil {
					return fmt.Errorf("inspect: %w", err)
				}
			}
			if c.Bool("json") {
				return rep.WriteJSON(c.App.Writer)
			}
			if err := rep.WriteText(c.App.Writer); err != nil {
				return err
			}
			for _, a := range args {
				if r, _ := source.Parse(a, so); r.Kind == source.Tarball {
					fmt.Fprintln(c.App.ErrWriter, tarballDigestNote)
					break
				}
			}
			return nil
		},
	}
}
