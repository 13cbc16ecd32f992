package scaffold

import "github.com/faas-runtime/faas-runtime/runtime/modes"

// imageArgs are the Dockerfile ARGs that name images, in Dockerfile order.
var imageArgs = []string{"BASE_IMAGE", "UBI_IMAGE", "DEBIAN_IMAGE", "GOLANG_IMAGE", "RUST_IMAGE"}

// ImageArgs lists the ARG names --image accepts.
func ImageArgs() []string { return append([]string(nil), imageArgs...) }

// baseImages are the final-stage bases, each with its --debug variant.
// distroless static is the default distroless flavour: the runtime and a
// Go or Rust function built by the scaffold are static binaries.
var baseImages = map[string]struct{ normal, debug string }{
	"ubi-minimal": {"registry.access.redhat.com/ubi9/ubi-minimal:9.6", "registry.access.redhat.com/ubi9/ubi-minimal:9.6"},
	"ubi-micro":   {"registry.access.redhat.com/ubi9/ubi-micro:9.6", "registry.access.redhat.com/ubi9/ubi-micro:9.6"},
	"al2023":      {"public.ecr.aws/lambda/provided:al2023", "public.ecr.aws/lambda/provided:al2023"},
	"alpine":      {"docker.io/library/alpine:3.22", "docker.io/library/alpine:3.22"},
	"distroless":  {"gcr.io/distroless/static-debian12:nonroot", "gcr.io/distroless/static-debian12:debug-nonroot"},
}

// sharedlibDistroless is the distroless flavour for --mode sharedlib:
// faas-runtime-sharedlib and the function library need glibc, which
// distroless cc has and static does not.
var sharedlibDistroless = struct{ normal, debug string }{
	"gcr.io/distroless/cc-debian12:nonroot", "gcr.io/distroless/cc-debian12:debug-nonroot",
}

// Builder images, each needed only by some projects.
const (
	UBIImage    = "registry.access.redhat.com/ubi9/ubi:9.6" // ubi-micro: dnf --installroot
	DebianImage = "docker.io/library/debian:12-slim"        // distroless: apt fetches the .deb
	GolangImage = "docker.io/library/golang:1.26-bookworm"
	RustImage   = "docker.io/library/rust:1-bookworm"
)

// ImagesFor returns the image references o's Dockerfile names, by ARG
// name, with o.Images' overrides applied.
func ImagesFor(o Options) map[string]string {
	b := baseImages[o.Base]
	if o.Mode == string(modes.Sharedlib) && o.Base == "distroless" {
		b = sharedlibDistroless
	}
	m := map[string]string{"BASE_IMAGE": b.normal}
	if o.Debug {
		m["BASE_IMAGE"] = b.debug
	}
	switch o.Base {
	case "ubi-micro":
		m["UBI_IMAGE"] = UBIImage
	case "distroless":
		m["DEBIAN_IMAGE"] = DebianImage
	}
	switch o.Lang {
	case "go":
		m["GOLANG_IMAGE"] = GolangImage
	case "rust":
		m["RUST_IMAGE"] = RustImage
	case "c":
		// gcc runs on the base's own distribution, so the library links
		// against the same glibc it will load into.
		if o.Base == "distroless" {
			m["DEBIAN_IMAGE"] = DebianImage
		} else {
			m["UBI_IMAGE"] = UBIImage
		}
	}
	for arg, ref := range o.Images {
		if _, used := m[arg]; used {
			m[arg] = ref
		}
	}
	return m
}
