//go:build linux

package sharedlib_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator"
	"github.com/faas-runtime/faas-runtime/internal/lambdasim/emulator/emulatortest"
	"github.com/faas-runtime/faas-runtime/internal/lambdasim/sandbox"
	"github.com/faas-runtime/faas-runtime/internal/testutil"
	"github.com/faas-runtime/faas-runtime/internal/testutil/sharedlibtest"
	"github.com/faas-runtime/faas-runtime/runtime/api"
)

func TestCExample(t *testing.T) {
	rt, _ := sharedlibtest.Runtimes(t)
	lib := sharedlibtest.CLib(t, "examples/sharedlib-c/echo.c", "echo.so")
	sb, log, _ := sharedlibtest.Start(t, []string{rt, lib})

	event, err := os.ReadFile(filepath.Join("..", "..", "..", "examples", "sharedlib-c", "event.json"))
	if err != nil {
		t.Fatal(err)
	}
	res := sharedlibtest.Invoke(t, sb, string(event))
	if res.Outcome != emulator.OutcomeResponse || string(res.Body) != string(event) {
		t.Fatalf("echo: %s %q, want the event back", res.Outcome, res.Body)
	}
	if !log.WaitFor("echo: request " + res.RequestID) {
		t.Errorf("the function's stderr log does not name request %s:\n%s", res.RequestID, log)
	}

	res = sharedlibtest.Invoke(t, sb, `{"error":true}`)
	if res.Outcome != emulator.OutcomeError || res.ErrorType != "EchoError" || !strings.Contains(string(res.Body), `"errorMessage":"the event asked for an error"`) {
		t.Fatalf("error return: %s %s %s", res.Outcome, res.ErrorType, res.Body)
	}
	if n := sb.Starts(); n != 1 {
		t.Errorf("runtime started %d times, want 1 (an error return must not restart it)", n)
	}
}

func TestContextAndInitInfo(t *testing.T) {
	rt, _ := sharedlibtest.Runtimes(t)
	sb, _, _ := sharedlibtest.Start(t, []string{rt, sharedlibtest.TestLib(t, "testfn.so"), "--flag", "two words"}, "LAMBDA_TASK_ROOT=/var/task-test")
	res := sharedlibtest.Invoke(t, sb, "context", emulator.InvokeOptions{
		ClientContext: `{"client":{"app":"x"}}`, CognitoIdentity: `{"cognitoIdentityId":"id-1"}`,
		TenantID: "tenant-7", TraceID: "Root=1-5e1b4151-5ac6c58f5b5dbd6a7b4a1b2c;Sampled=1",
	})
	if res.Outcome != emulator.OutcomeResponse {
		t.Fatalf("context: %s %s", res.Outcome, res.Body)
	}
	body := string(res.Body)
	for _, want := range []string{
		"size=112 abi=1 deadline=",
		"request_id=" + res.RequestID + "\n",
		"function_arn=arn:aws:lambda:us-east-1:000000000000:function:function\n",
		"trace_id=Root=1-5e1b4151-5ac6c58f5b5dbd6a7b4a1b2c;Sampled=1\n",
		`client_context={"client":{"app":"x"}}` + "\n",
		`cognito_identity={"cognitoIdentityId":"id-1"}` + "\n",
		"tenant_id=tenant-7\n",
		"root=/var/task-test conc=1 nargs=2 --flag two words",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("context output lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "deadline=0\n") || strings.Contains(body, "not NUL-terminated") {
		t.Errorf("bad context:\n%s", body)
	}
}

func TestInitFailures(t *testing.T) {
	rt, _ := sharedlibtest.Runtimes(t)
	notALib := filepath.Join(t.TempDir(), "text.so")
	os.WriteFile(notALib, []byte("not an ELF file\n"), 0o644)
	cases := []struct {
		name, lib, typ string
		want           []string
	}{
		{"wrong ABI version", sharedlibtest.TestLib(t, "wrongabi.so", "-DWRONG_ABI"), api.ErrTypeInvalidHandler,
			[]string{"wrongabi.so was built for faas ABI version 99", "implements version 1", "rebuild it against the faas/function.h"}},
		{"no ABI version symbol", sharedlibtest.TestLib(t, "noversion.so", "-DNO_VERSION"), api.ErrTypeInvalidHandler,
			[]string{"noversion.so does not export faas_abi_version", "FAAS_FUNCTION(0)"}},
		{"no handler symbol", sharedlibtest.TestLib(t, "nohandler.so", "-DNO_HANDLER"), api.ErrTypeInvalidHandler,
			[]string{"nohandler.so does not export faas_handle("}},
		{"init hook fails", sharedlibtest.TestLib(t, "initfail.so", "-DINIT_FAIL"), "ConfigError",
			[]string{"init: the configuration is missing"}},
		{"not a shared library", notALib, api.ErrTypeInvalidHandler,
			[]string{"cannot load " + notALib + " as a shared library"}},
		{"missing file", filepath.Join(t.TempDir(), "missing.so"), api.ErrTypeHandlerNotFound,
			[]string{"missing.so does not exist"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sb, _, allowNone := sharedlibtest.Start(t, []string{rt, c.lib})
			res := sharedlibtest.Invoke(t, sb, "{}")
			allowNone[res.RequestID] = true // never delivered: init failed
			if res.Outcome != emulator.OutcomeInitError || res.ErrorType != c.typ {
				t.Fatalf("got %s %s %s, want an init error of type %s", res.Outcome, res.ErrorType, res.Body, c.typ)
			}
			ie := sb.Emulator().InitError()
			if ie == nil {
				t.Fatal("no /init/error was posted")
			}
			for _, w := range c.want {
				if !strings.Contains(ie.Message, w) {
					t.Errorf("init error %q lacks %q", ie.Message, w)
				}
			}
		})
	}
}

func TestCrashFailsInvocationAndNextStartWorks(t *testing.T) {
	rt, _ := sharedlibtest.Runtimes(t)
	sb, log, allowNone := sharedlibtest.Start(t, []string{rt, sharedlibtest.TestLib(t, "testfn.so")})
	if res := sharedlibtest.Invoke(t, sb, "warm"); res.Outcome != emulator.OutcomeResponse {
		t.Fatalf("warm-up: %s %s", res.Outcome, res.Body)
	}
	res := sharedlibtest.Invoke(t, sb, "crash")
	allowNone[res.RequestID] = true // the process died before it could post
	if res.Outcome != emulator.OutcomeRuntimeExit || res.ErrorType != api.ErrTypeExit {
		t.Fatalf("crash: %s %s %s, want %s", res.Outcome, res.ErrorType, res.Body, api.ErrTypeExit)
	}
	if !strings.Contains(string(res.Body), "SIGSEGV") && !strings.Contains(string(res.Body), "exit status") {
		t.Errorf("crash error does not say how the runtime ended: %s", res.Body)
	}
	if !log.WaitFor("testfn: crashing on purpose") {
		t.Errorf("the library's last log line is missing:\n%s", log)
	}
	res = sharedlibtest.Invoke(t, sb, "after")
	if res.Outcome != emulator.OutcomeResponse || string(res.Body) != "after" {
		t.Fatalf("after the crash: %s %s", res.Outcome, res.Body)
	}
	if n := sb.Starts(); n != 2 {
		t.Errorf("runtime started %d times, want 2 (a fresh start after the crash)", n)
	}
}

func TestOutputGrowthAndLimit(t *testing.T) {
	rt, _ := sharedlibtest.Runtimes(t)
	sb, _, _ := sharedlibtest.Start(t, []string{rt, sharedlibtest.TestLib(t, "testfn.so")})
	// 1 MB: grows the 64 KiB buffer through the grow callback several times.
	res := sharedlibtest.Invoke(t, sb, "big 1000000")
	if res.Outcome != emulator.OutcomeResponse || len(res.Body) != 1000000 || strings.Trim(string(res.Body), "x") != "" {
		t.Fatalf("1 MB response: %s, %d bytes", res.Outcome, len(res.Body))
	}
	// Exactly Lambda's limit works; one byte more is refused by grow.
	res = sharedlibtest.Invoke(t, sb, fmt.Sprint("big ", api.MaxResponse))
	if res.Outcome != emulator.OutcomeResponse || len(res.Body) != api.MaxResponse {
		t.Fatalf("6,291,556-byte response: %s %s, %d bytes", res.Outcome, res.ErrorType, len(res.Body))
	}
	res = sharedlibtest.Invoke(t, sb, fmt.Sprint("big ", api.MaxResponse+1))
	if res.Outcome != emulator.OutcomeError || res.ErrorType != api.ErrTypeResponseTooBig {
		t.Fatalf("response over 6,291,556 bytes: %s %s", res.Outcome, res.ErrorType)
	}
	res = sharedlibtest.Invoke(t, sb, "error-no-message")
	if res.ErrorType != "HandlerError" || !strings.Contains(string(res.Body), "faas_handle returned 7 without an error message") {
		t.Fatalf("error without message: %s %s", res.ErrorType, res.Body)
	}
	if res := sharedlibtest.Invoke(t, sb, "small"); string(res.Body) != "small" {
		t.Fatalf("after the large responses: %s", res.Body)
	}
	if n := sb.Starts(); n != 1 {
		t.Errorf("runtime started %d times, want 1", n)
	}
}

// A library without FAAS_THREAD_SAFE is never called concurrently, even
// with AWS_LAMBDA_MAX_CONCURRENCY=4; a thread-safe one is.
func TestConcurrencyDeclaration(t *testing.T) {
	rt, _ := sharedlibtest.Runtimes(t)
	for _, c := range []struct {
		lib     string
		serial  bool
		defines []string
	}{
		{"serial.so", true, []string{"-DSERIAL"}},
		{"testfn.so", false, nil},
	} {
		t.Run(c.lib, func(t *testing.T) {
			sb, _, _ := sharedlibtest.Start(t, []string{rt, sharedlibtest.TestLib(t, c.lib, c.defines...)}, "AWS_LAMBDA_MAX_CONCURRENCY=4")
			var wg sync.WaitGroup
			bodies := make([]string, 8)
			for i := range bodies {
				wg.Go(func() {
					res := sharedlibtest.Invoke(t, sb, "overlap")
					bodies[i] = string(res.Body)
				})
			}
			wg.Wait()
			most := "0"
			for _, b := range bodies {
				most = max(most, b)
			}
			if c.serial && most != "1" {
				t.Errorf("serial library saw %s calls at once (bodies %q)", most, bodies)
			}
			if !c.serial && most == "1" {
				t.Errorf("thread-safe library was never called concurrently (bodies %q)", bodies)
			}
		})
	}
}

// A handler that does not return cannot be stopped in-process: at the
// function timeout the emulator, like Lambda, reports Sandbox.Timedout and
// resets the environment; the next invocation gets a fresh runtime.
func TestHangIsTimedOutAndNextStartWorks(t *testing.T) {
	rt, _ := sharedlibtest.Runtimes(t)
	log := &testutil.SyncBuffer{}
	led := emulatortest.NewLedger()
	sb, err := sandbox.Start(sandbox.Options{Command: []string{rt, sharedlibtest.TestLib(t, "testfn.so")}, Timeout: time.Second, Stdout: log, Stderr: log, Observe: led.Observe})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	res := sharedlibtest.Invoke(t, sb, "hang")
	if res.Outcome != emulator.OutcomeTimeout || res.ErrorType != api.ErrTypeTimeout {
		t.Fatalf("hang: %s %s %s", res.Outcome, res.ErrorType, res.Body)
	}
	if res := sharedlibtest.Invoke(t, sb, "after"); string(res.Body) != "after" {
		t.Fatalf("after the timeout: %s %s", res.Outcome, res.Body)
	}
	if n := sb.Starts(); n != 2 {
		t.Errorf("runtime started %d times, want 2", n)
	}
	// The hung request is the one allowed to end without a post.
	if err := led.CheckExactlyOnce(map[string]bool{res.RequestID: true}); err != nil {
		t.Error(err)
	}
}
