package scaffold

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestNames(t *testing.T) {
	for _, ok := range []string{"a", "hello", "my-func-2", strings.Repeat("a", 64)} {
		if err := ValidateName(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "Hello", "2fast", "-a", "a-", "a--b", "a_b", "a.b", "a b", strings.Repeat("a", 65), "é"} {
		if err := ValidateName(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	for dir, want := range map[string]string{"My_Func": "my-func", "hello": "hello", "2024 app!": "app", "...": "function", "ÜBER": "ber"} {
		if got := NameFromDir(dir); got != want {
			t.Errorf("NameFromDir(%q) = %q, want %q", dir, got, want)
		}
	}
}

func TestValidateListsChoices(t *testing.T) {
	o := Options{Name: "x", Base: "debian", Arch: "amd64", Mode: "exec", Lang: "go"}
	var ce *ChoiceError
	if err := o.Validate(); !errors.As(err, &ce) || ce.Flag != "base" || !strings.Contains(err.Error(), "ubi-minimal, ubi-micro, al2023, alpine, distroless") {
		t.Fatalf("got %v", err)
	}
}

func TestRenderIsDeterministic(t *testing.T) {
	o := fixed(Options{Name: "x", Base: "ubi-micro", Arch: "arm64", Mode: "http", Lang: "rust"})
	a, _ := Render(o)
	b, _ := Render(o)
	if len(a) != len(b) {
		t.Fatal("different file counts")
	}
	for i := range a {
		if a[i].Path != b[i].Path || !bytes.Equal(a[i].Data, b[i].Data) {
			t.Fatalf("%s differs between two renders", a[i].Path)
		}
	}
}

func TestPrompter(t *testing.T) {
	var out bytes.Buffer
	p := NewPrompter(strings.NewReader("\n2\nbogus\nalpine\nBad\nok-name\n"), &out)
	steps := []struct {
		got  func() (string, error)
		want string
	}{
		{func() (string, error) { return p.Choose("--base", Bases, "distroless") }, "distroless"}, // empty: default
		{func() (string, error) { return p.Choose("--arch", Arches, "amd64") }, "arm64"},          // by number
		{func() (string, error) { return p.Choose("--base", Bases, "distroless") }, "alpine"},     // asks again
		{func() (string, error) { return p.Text("--name", "fn", ValidateName) }, "ok-name"},       // asks again
	}
	for i, s := range steps {
		got, err := s.got()
		if err != nil || got != s.want {
			t.Fatalf("step %d: %q, %v; want %q\n%s", i, got, err, s.want, out.String())
		}
	}
	if !strings.Contains(out.String(), `"bogus" is not one of`) || !strings.Contains(out.String(), "invalid --name") {
		t.Errorf("wrong answers are not explained:\n%s", out.String())
	}
	if _, err := p.Choose("--mode", Modes, "exec"); err == nil {
		t.Error("end of input: want an error, not an endless loop")
	}
}
