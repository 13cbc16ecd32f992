package build

import (
	"archive/tar"
	"bufio"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// ShellBase is the base suggested for a /bin/sh script (scaffold's alpine).
const ShellBase = "docker.io/library/alpine:3.22"

// Interpreter returns the interpreter a script's "#!" line names, with the
// program /usr/bin/env is asked to find, if any ("" for a binary).
func Interpreter(file string) (interp, envProg string, err error) {
	f, err := os.Open(file)
	if err != nil {
		return "", "", err
	}
	defer f.Close()
	line, err := bufio.NewReader(io.LimitReader(f, 256)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", "", err
	}
	if !strings.HasPrefix(line, "#!") {
		return "", "", nil
	}
	fields := strings.Fields(line[2:])
	if len(fields) == 0 {
		return "", "", nil
	}
	interp = fields[0]
	if path.Base(interp) == "env" {
		for _, a := range fields[1:] {
			if !strings.HasPrefix(a, "-") { // env -S prog
				return interp, a, nil
			}
		}
	}
	return interp, "", nil
}

// CheckInterpreter refuses an exec-mode script whose interpreter the base
// lacks: the image would build, and then every invocation would fail with
// "no such file or directory" about a handler that exists. Call it after
// Check.
func CheckInterpreter(o Options) error {
	if o.Mode != "exec" || filepath.IsAbs(o.Handler) {
		return nil
	}
	handlerFile := o.handlerFile()
	interp, envProg, err := Interpreter(handlerFile)
	if err != nil || interp == "" {
		return err
	}
	var fs baseFiles
	var pathEnv string
	if o.Base != nil {
		if fs, err = listFiles(o.Base); err != nil {
			return fmt.Errorf("reading the base's files: %w", err)
		}
		if cf, err := o.Base.ConfigFile(); err == nil {
			for _, kv := range cf.Config.Env {
				if v, ok := strings.CutPrefix(kv, "PATH="); ok {
					pathEnv = v
				}
			}
		}
	}
	base := o.BaseName
	if base == "" {
		base = "scratch"
	}
	suggest := "build on a base that has it"
	if path.Base(interp) == "sh" || envProg == "sh" {
		suggest += " (--base " + ShellBase + ")"
	}
	suggest += ", or make the function a binary"
	if !fs.exists(interp) {
		return fmt.Errorf("handler %s is a script for %s (its #! line), which base %s does not have: %s",
			filepath.Base(handlerFile), interp, base, suggest)
	}
	if envProg != "" && !path.IsAbs(envProg) {
		if pathEnv == "" {
			pathEnv = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
		}
		for _, d := range strings.Split(pathEnv, ":") {
			if fs.exists(path.Join(d, envProg)) {
				return nil
			}
		}
		return fmt.Errorf("handler %s is a script for %s %s (its #! line), and base %s has no %s in its PATH (%s): %s",
			filepath.Base(handlerFile), interp, envProg, base, envProg, pathEnv, suggest)
	}
	return nil
}

// baseFiles maps each path in an image's file system (without a leading
// slash) to its tar header: enough to follow symlinks.
type baseFiles map[string]*tar.Header

// listFiles reads the headers of the image's flattened file system
// (whiteouts applied).
func listFiles(img v1.Image) (baseFiles, error) {
	rc := mutate.Extract(img)
	defer rc.Close()
	fs := baseFiles{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return fs, nil
		}
		if err != nil {
			return nil, err
		}
		p := strings.TrimPrefix(path.Clean("/"+h.Name), "/")
		fs[p] = h
		// Layers may omit the entries of parent directories.
		for d := path.Dir(p); d != "." && d != "/" && fs[d] == nil; d = path.Dir(d) {
			fs[d] = &tar.Header{Typeflag: tar.TypeDir, Name: d}
		}
	}
}

// exists reports whether p names a file, following symlinks as the kernel
// does when it starts the interpreter.
func (fs baseFiles) exists(p string) bool { return fs.resolve(p, 0) }

func (fs baseFiles) resolve(p string, depth int) bool {
	if depth > 40 { // ELOOP
		return false
	}
	parts := strings.Split(strings.TrimPrefix(path.Clean("/"+p), "/"), "/")
	cur := ""
	for i, part := range parts {
		next := path.Join(cur, part)
		h, ok := fs[next]
		if !ok {
			return false
		}
		if h.Typeflag == tar.TypeSymlink {
			target := h.Linkname
			if !path.IsAbs(target) {
				target = path.Join("/", cur, target)
			}
			return fs.resolve(path.Join(append([]string{target}, parts[i+1:]...)...), depth+1)
		}
		cur = next
	}
	return true
}
