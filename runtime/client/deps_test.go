package client_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The bootstrap must not link net/http: it would bring TLS, x509 and HTTP/2
// back and double the binary (see OPTIMIZATION.md, "Binary size").
// Both builds are checked: the static one and faas-runtime-sharedlib.
func TestBootstrapDoesNotLinkNetHTTP(t *testing.T) {
	for _, tags := range []string{"", "sharedlib"} {
		out, err := exec.Command("go", "list", "-tags", tags, "-deps", "github.com/faas-runtime/faas-runtime/cmd/faas-runtime").CombinedOutput()
		if err != nil {
			t.Fatalf("go list -tags %q: %v\n%s", tags, err, out)
		}
		for _, pkg := range strings.Fields(string(out)) {
			switch pkg {
			case "net/http", "crypto/tls", "crypto/x509":
				t.Errorf("cmd/faas-runtime (tags %q) depends on %s; use runtime/h1 for HTTP", tags, pkg)
			}
		}
	}
}
