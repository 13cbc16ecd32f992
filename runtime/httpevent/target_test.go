package httpevent_test

import (
	"testing"

	"github.com/faas-runtime/faas-runtime/runtime/httpevent"
)

func TestPathEscaping(t *testing.T) {
	e := V2Event()
	e.RawPath = "/a b/%zz/ok%20/q?#x"
	r := translate(t, e, nil)
	if r.Path != "/a%20b/%25zz/ok%20/q%3F%23x" {
		t.Errorf("path %q", r.Path)
	}
}

func TestOptions(t *testing.T) {
	e := V2Event()
	e.RawPath = "/api/echo"
	e.Headers["x-api-key"] = "Bearer k"
	r := translate(t, e, &httpevent.Options{RemoveBasePath: "/api", AuthorizationSource: "X-Api-Key"})
	if r.Path != "/echo" {
		t.Errorf("base path not removed: %q", r.Path)
	}
	if r.Header.Get("Authorization") != "Bearer k" || r.Header.Get("X-Api-Key") != "" {
		t.Errorf("authorization source: %v", r.Header)
	}
	e.RawPath = "/apiary"
	if r := translate(t, e, &httpevent.Options{RemoveBasePath: "/api"}); r.Path != "/apiary" {
		t.Errorf("/apiary is not under /api: %q", r.Path)
	}
}
