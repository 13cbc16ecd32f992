package cli_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The generated deploy glue agrees with itself: build.sh alone creates the
// ECR repository (main.tf reads it), main.tf's image_tag has no default
// (build.sh never pushes "latest"), and scaffold's next: line and the
// README give the same order.
func TestScaffoldDeployGlue(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "fn")
	out, logs, code := scaffoldCLI(t, nil, "scaffold", "--base", "alpine", dir)
	if code != 0 {
		t.Fatal(logs)
	}
	read := func(name string) string { b, _ := os.ReadFile(filepath.Join(dir, name)); return string(b) }
	tf, build, readme := read("main.tf"), read("build.sh"), read("README.md")
	if strings.Contains(tf, `resource "aws_ecr_repository"`) || !strings.Contains(tf, `data "aws_ecr_repository" "function"`) || !strings.Contains(build, "aws ecr create-repository") {
		t.Error("the ECR repository must be created by build.sh only and read by main.tf")
	}
	if m := regexp.MustCompile(`(?s)variable "image_tag" \{(.*?)\n\}`).FindStringSubmatch(tf); m == nil || strings.Contains(m[1], "default") {
		t.Errorf("variable image_tag: %q", m)
	}
	next := regexp.MustCompile(`next: cd \S+ && (.*)`).FindStringSubmatch(out)
	if next == nil || !strings.HasPrefix(next[1], "./build.sh --local, then ./build.sh") {
		t.Fatalf("next: line: %q in\n%s", next, out)
	}
	// README: the local build, then the push, then the deployments, build before terraform.
	order := []string{"./build.sh --local", "## Deploy", "IMAGE_TAG=v1 ./build.sh", "terraform init", "terraform apply -var image_tag=v1"}
	at := 0
	for _, s := range order {
		i := strings.Index(readme[at:], s)
		if i < 0 {
			t.Fatalf("README.md: %q missing or out of order (want %q)", s, order)
		}
		at += i + len(s)
	}
	if strings.Contains(readme, "-target=aws_ecr_repository") {
		t.Error("README.md still creates the repository with Terraform")
	}
}
