package client_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The bootstrap must not link net/http: it would bring TLS, x509 and HTTP/2
// back and double the binary (see OPTIMIZATION.md, "Binary size").
func TestBootstrapDoesNotLinkNetHTTP(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/faas-runtime/faas-runtime/cmd/faas-runtime").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		switch pkg {
		case "net/http", "crypto/tls", "crypto/x509":
			t.Errorf("cmd/faas-runtime depends on %s; use runtime/h1 for HTTP", pkg)
		}
	}
}
