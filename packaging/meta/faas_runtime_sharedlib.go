package meta

func init() {
	Register(Package{
		Name:    "faas-runtime-sharedlib",
		Summary: "faas-runtime with sharedlib mode: in-process C-ABI function libraries",
		Description: "faas-runtime-sharedlib is the faas-runtime bootstrap with sharedlib mode: it " +
			"loads a function built as a C-ABI shared library (C, C++, Rust cdylib, Zig) into " +
			"the runtime process and calls it per invocation, besides exec and http mode. It is " +
			"linked against glibc (purego), so it runs on glibc bases (UBI, distroless cc/base, " +
			"Debian), not on Alpine. Includes the ABI header /usr/include/faas/function.h.",
		// glibc systems only: no apk (musl), no msys2.
		Formats: []string{"rpm", "deb", "archlinux"},
		Arches:  []string{"amd64", "arm64"},
		Section: "utils",
		// The same main package as faas-runtime, built with the sharedlib tag.
		// It is dynamically linked anyway (purego), so it is built as PIE,
		// which Go's linker emits with RELRO (lintian's hardening checks).
		BuildEnv: []string{"GOFLAGS=-tags=sharedlib -buildmode=pie"},
		Depends:  map[string][]string{"deb": {"libc6"}, "rpm": {"glibc"}, "archlinux": {"glibc"}},
		Files: []File{
			{Kind: Binary, Src: "./cmd/faas-runtime", Dst: "/usr/bin/faas-runtime-sharedlib", Mode: 0o755},
			{Kind: Source, Src: "include/faas/function.h", Dst: "/usr/include/faas/function.h", Mode: 0o644},
			{Kind: Generated, Src: "man:faas-runtime-sharedlib", Dst: "/usr/share/man/man1/faas-runtime-sharedlib.1.gz", Mode: 0o644, Doc: true},
		},
	})
}
