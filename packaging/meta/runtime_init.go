package meta

func init() {
	Register(Package{
		Name:    "runtime-init",
		Summary: "CLI to scaffold, build, inspect and run faas-runtime Lambda functions",
		Description: "runtime-init is faas-runtime's command line tool for workstations and CI: " +
			"it scaffolds Lambda image projects, builds and inspects images without a Docker " +
			"daemon, and runs functions locally through a Runtime API emulator.",
		Formats: []string{"rpm", "deb", "apk", "archlinux", "msys2"},
		Arches:  []string{"amd64", "arm64"},
		Section: "devel",
		Files: []File{
			{Kind: Binary, Src: "./cmd/runtime-init", Dst: "/usr/bin/runtime-init", Mode: 0o755},
			{Kind: Generated, Src: "man:runtime-init", Dst: "/usr/share/man/man1/runtime-init.1.gz", Mode: 0o644, Doc: true},
			{Kind: Generated, Src: "bash:runtime-init", Dst: "/usr/share/bash-completion/completions/runtime-init", Mode: 0o644},
			{Kind: Generated, Src: "zsh:runtime-init", Dst: "/usr/share/zsh/site-functions/_runtime-init", Mode: 0o644},
			{Kind: Generated, Src: "fish:runtime-init", Dst: "/usr/share/fish/vendor_completions.d/runtime-init.fish", Mode: 0o644},
		},
	})
}
