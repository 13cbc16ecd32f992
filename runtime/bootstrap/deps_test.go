package bootstrap_test

import (
	"os/exec"
	"strings"
	"testing"
)

// runtime/ holds exactly what the bootstrap links, and the bootstrap must
// not link net/http: it would bring TLS, x509 and HTTP/2 back and double the
// binary (OPTIMIZATION.md, "Binary size"). The local Lambda (emulator,
// sandbox), which is built on net/http, lives in internal/lambdasim and must
// stay out of the bootstrap. Both builds are checked: the static one and
// faas-runtime-sharedlib (tags sharedlib).
func TestRuntimeDoesNotLinkNetHTTP(t *testing.T) {
	for _, tags := range []string{"", "sharedlib"} {
		for _, target := range []string{"./cmd/faas-runtime", "./runtime/..."} {
			cmd := exec.Command("go", "list", "-tags", tags, "-deps", target)
			cmd.Dir = "../.."
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("go list -tags %q -deps %s: %v\n%s", tags, target, err, out)
			}
			for _, pkg := range strings.Fields(string(out)) {
				switch {
				case pkg == "net/http", pkg == "crypto/tls", pkg == "crypto/x509":
					t.Errorf("%s (tags %q) depends on %s; use runtime/h1 for HTTP", target, tags, pkg)
				case strings.HasPrefix(pkg, "github.com/faas-runtime/faas-runtime/internal/"):
					t.Errorf("%s (tags %q) depends on %s: the bootstrap links runtime/ only", target, tags, pkg)
				}
			}
		}
	}
}
