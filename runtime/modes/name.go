package modes

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// Name is a mode's name, as FAAS_MODE and the CLI's --mode spell it.
type Name string

// The modes. Every build knows all three names; a build registers the
// implementations it links (sharedlib only in faas-runtime-sharedlib).
const (
	Exec      Name = "exec"      // run the handler executable per invocation
	HTTP      Name = "http"      // proxy to a web app (the Web Adapter's model)
	Sharedlib Name = "sharedlib" // call a C-ABI shared library in-process
)

// All lists every mode name, in the order the CLI shows them.
var All = []Name{Exec, HTTP, Sharedlib}

// Strings returns All as strings, for flag help and option lists.
func Strings() []string {
	s := make([]string, len(All))
	for i, n := range All {
		s[i] = string(n)
	}
	return s
}

// Parse reads a mode name, case-insensitively: one of All, or a name this
// build registered besides them (a test's mode).
func Parse(s string) (Name, error) {
	n := Name(strings.ToLower(strings.TrimSpace(s)))
	if slices.Contains(All, n) {
		return n, nil
	}
	if _, ok := Lookup(n); ok && n != "" {
		return n, nil
	}
	return "", fmt.Errorf("mode %q: want one of %s", s, strings.Join(Strings(), ", "))
}

// Infer is the mode for a handler when FAAS_MODE is not set: a shared
// library by its extension, http when a traffic port is configured
// (AWS_LWA_PORT or FAAS_HTTP_PORT), else exec. The bootstrap, runtime-init
// and the image builder all ask it, so they cannot disagree about the same
// handler. PORT alone does not select http mode: many images set it for
// other reasons, and the adapter, which reads it, always runs in http mode
// (in the extension layout faas-runtime does too).
func Infer(handler string, getenv func(string) string) Name {
	if isLibraryName(filepath.Base(handler)) {
		return Sharedlib
	}
	if getenv("AWS_LWA_PORT") != "" || getenv("FAAS_HTTP_PORT") != "" {
		return HTTP
	}
	return Exec
}

// isLibraryName reports a shared library's file name: NAME.so, NAME.dylib,
// NAME.dll, or a versioned soname such as libz.so.1 or libfoo.so.1.2.3.
// Written out rather than a regexp: the bootstrap does not link regexp.
func isLibraryName(name string) bool {
	name = strings.ToLower(name)
	switch filepath.Ext(name) {
	case ".so", ".dylib", ".dll":
		return true
	}
	for {
		i := strings.LastIndexByte(name, '.')
		if i < 0 || i == len(name)-1 || strings.Trim(name[i+1:], "0123456789") != "" {
			return false
		}
		name = name[:i]
		if strings.HasSuffix(name, ".so") && len(name) > len(".so") {
			return true
		}
	}
}
