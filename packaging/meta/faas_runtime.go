package meta

func init() {
	Register(Package{
		Name:    "faas-runtime",
		Summary: "AWS Lambda custom runtime (bootstrap) for functions in slim images",
		Description: "faas-runtime is a static AWS Lambda custom runtime: it speaks the Lambda " +
			"Runtime API and hosts a function that is not compiled into it, as an executable " +
			"per invocation (exec mode), a web app child process (http mode) or a C-ABI " +
			"shared library (sharedlib mode). Install it as the image's ENTRYPOINT.",
		Formats: []string{"rpm", "deb", "apk", "archlinux"},
		Arches:  []string{"amd64", "arm64"},
		Section: "utils",
		Files: []File{
			{Kind: Binary, Src: "./cmd/faas-runtime", Dst: "/usr/bin/faas-runtime", Mode: 0o755},
			{Kind: Generated, Src: "man:faas-runtime", Dst: "/usr/share/man/man1/faas-runtime.1.gz", Mode: 0o644, Doc: true},
		},
	})
}
