package bootstrap

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faas-runtime/faas-runtime/runtime/api"
	"github.com/faas-runtime/faas-runtime/runtime/modes"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestModeInference(t *testing.T) {
	root := t.TempDir()
	for _, tc := range []struct {
		args []string
		env  map[string]string
		mode modes.Name
	}{
		{[]string{"fn"}, nil, "exec"},
		{[]string{"libfn.so"}, nil, "sharedlib"},
		{[]string{"fn.DLL"}, nil, "sharedlib"},
		{[]string{"fn.dylib"}, nil, "sharedlib"},
		{[]string{"python3", "app.py"}, map[string]string{"AWS_LWA_PORT": "8000"}, "http"},
		{[]string{"app"}, map[string]string{"FAAS_HTTP_PORT": "8000"}, "http"},
		{[]string{"fn"}, map[string]string{"PORT": "8000"}, "exec"}, // PORT alone does not select http
		{[]string{"app"}, map[string]string{"FAAS_MODE": "HTTP"}, "http"},
	} {
		env := map[string]string{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001", "LAMBDA_TASK_ROOT": root}
		for k, v := range tc.env {
			env[k] = v
		}
		c, err := LoadConfig(tc.args, envOf(env))
		if err != nil || c.Mode != tc.mode {
			t.Errorf("%v %v: mode %q err %v, want %q", tc.args, tc.env, c.Mode, err, tc.mode)
		}
		if _, set := tc.env["FAAS_MODE"]; set == c.ModeInferred {
			t.Errorf("%v: ModeInferred=%v", tc.args, c.ModeInferred)
		}
	}
}

func TestHandlerResolution(t *testing.T) {
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "fn"), []byte("x"), 0o755)
	env := envOf(map[string]string{"AWS_LAMBDA_RUNTIME_API": "x:1", "LAMBDA_TASK_ROOT": root})
	for arg, want := range map[string]string{
		"fn":      filepath.Join(root, "fn"),
		"sub/fn":  filepath.Join(root, "sub/fn"),
		"/abs/fn": "/abs/fn",
		"no-such": filepath.Join(root, "no-such"),
	} {
		c, err := LoadConfig([]string{arg, "a1"}, env)
		if err != nil || c.Command[0] != want || c.Command[1] != "a1" {
			t.Errorf("%s → %v (%v), want %s", arg, c.Command, err, want)
		}
	}
	// A bare name outside the task root comes from PATH (CMD ["sh", ...]).
	if c, _ := LoadConfig([]string{"sh"}, env); !filepath.IsAbs(c.Command[0]) || filepath.Base(c.Command[0]) != "sh" || filepath.Dir(c.Command[0]) == root {
		t.Errorf("sh → %s", c.Command[0])
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		args []string
		typ  string
	}{
		{map[string]string{}, []string{"fn"}, api.ErrTypeBadConfig},
		{map[string]string{"AWS_LAMBDA_RUNTIME_API": "x:1"}, nil, api.ErrTypeInvalidHandler},
		{map[string]string{"AWS_LAMBDA_RUNTIME_API": "x:1", "AWS_LAMBDA_MAX_CONCURRENCY": "0"}, []string{"fn"}, api.ErrTypeBadConfig},
		{map[string]string{"AWS_LAMBDA_RUNTIME_API": "x:1", "AWS_LAMBDA_MAX_CONCURRENCY": "many"}, []string{"fn"}, api.ErrTypeBadConfig},
	} {
		if _, err := LoadConfig(tc.args, envOf(tc.env)); api.TypeOf(err) != tc.typ {
			t.Errorf("%v %v: err %v, want type %s", tc.env, tc.args, err, tc.typ)
		}
	}
	c, err := LoadConfig([]string{"fn"}, envOf(map[string]string{"AWS_LAMBDA_RUNTIME_API": "x:1", "AWS_LAMBDA_MAX_CONCURRENCY": "8"}))
	if err != nil || c.Concurrency != 8 || c.TaskRoot != "/var/task" {
		t.Errorf("%+v %v", c, err)
	}
}

// TestExtensionRole: started as Lambda starts external extensions, the
// runtime takes the extension role; anything else is the runtime role.
func TestExtensionRole(t *testing.T) {
	for _, tc := range []struct {
		argv0 string
		args  []string
		want  bool
	}{
		{"/opt/extensions/faas-runtime", nil, true},
		{"/opt/extensions/lambda-adapter", nil, true},
		{"/opt/extensions/faas-runtime", []string{"app"}, false}, // used as an entrypoint with a CMD
		{"/usr/bin/faas-runtime", nil, false},
		{"faas-runtime", nil, false},
	} {
		if got := IsExtension(tc.argv0, tc.args); got != tc.want {
			t.Errorf("IsExtension(%q, %q) = %v", tc.argv0, tc.args, got)
		}
	}

	base := map[string]string{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001"}
	c, err := LoadExtensionConfig(envOf(base))
	if err != nil || c.Mode != "http" || !c.ModeInferred || len(c.Command) != 0 {
		t.Errorf("extension config %+v, %v", c, err)
	}
	for mode, bad := range map[string]bool{"http": false, "exec": true, "sharedlib": true} {
		env := map[string]string{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001", "FAAS_MODE": mode}
		_, err := LoadExtensionConfig(envOf(env))
		if (err != nil) != bad || (bad && api.TypeOf(err) != api.ErrTypeBadConfig) {
			t.Errorf("FAAS_MODE=%s in the extension role: %v", mode, err)
		}
	}
	if _, err := LoadExtensionConfig(envOf(nil)); err == nil {
		t.Error("no AWS_LAMBDA_RUNTIME_API: no error")
	}
}

// TestModeEnvIsParsed: FAAS_MODE is read by modes.Parse, so a name that is
// no mode is a configuration error that lists the modes.
func TestModeEnvIsParsed(t *testing.T) {
	env := map[string]string{"AWS_LAMBDA_RUNTIME_API": "x:1", "FAAS_MODE": " Exec "}
	if c, err := LoadConfig([]string{"fn"}, envOf(env)); err != nil || c.Mode != modes.Exec || c.ModeInferred {
		t.Errorf("FAAS_MODE=' Exec ': %+v, %v", c, err)
	}
	env["FAAS_MODE"] = "lambda"
	_, err := LoadConfig([]string{"fn"}, envOf(env))
	if api.TypeOf(err) != api.ErrTypeBadConfig || !strings.Contains(err.Error(), "FAAS_MODE") || !strings.Contains(err.Error(), "exec, http, sharedlib") {
		t.Errorf("FAAS_MODE=lambda: %v", err)
	}
	if _, err := LoadExtensionConfig(envOf(env)); api.TypeOf(err) != api.ErrTypeBadConfig {
		t.Errorf("FAAS_MODE=lambda in the extension role: %v", err)
	}
}
