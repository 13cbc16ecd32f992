// Package build assembles a Lambda container image for one architecture
// without a daemon, the way ko does: the base's layers untouched, then a
// layer with the faas-runtime binary, then a layer with the function (last,
// because it changes most), and a config that runs the function through the
// runtime. Publishing the result is internal/image/publish's concern.
package build

import (
	"archive/tar"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/faas-runtime/faas-runtime/internal/image/layer"
	"github.com/faas-runtime/faas-runtime/runtime/modes"
)

// Fixed paths and defaults of every image.
const (
	RuntimePath = "/usr/bin/faas-runtime"
	TaskRoot    = "/var/task"
	DefaultUser = "65532" // distroless's "nonroot"
	DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	// DefaultHTTPPort is AWS Lambda Web Adapter's default AWS_LWA_PORT.
	DefaultHTTPPort = "8080"
)

// Comments in the history entries; inspect uses them to tell the layers apart.
const (
	CommentRuntime  = "faas-runtime: runtime layer"
	CommentFunction = "faas-runtime: function layer"
)

// Options describe one single-arch image.
type Options struct {
	Base      v1.Image // nil: scratch
	BaseName  string   // for the org.opencontainers.image.base.name label
	Arch      string   // amd64, arm64
	Runtime   []byte   // the faas-runtime binary for Arch
	Function  string   // file or directory copied under /var/task
	Handler   string   // the image's Cmd
	Mode      string   // FAAS_MODE
	User      string   // default DefaultUser
	Env       []string // extra KEY=VALUE, override the rest
	Labels    map[string]string
	Created   time.Time // all timestamps; see Epoch
	GzipLevel int       // 0: DefaultGzipLevel
	// Cache keeps the compressed runtime layer between builds; nil: none.
	Cache *Cache
}

// DefaultGzipLevel: level 9 saved 0.3% of the runtime layer for 4x the
// time (OPTIMIZATION.md, "Daemonless image build").
const DefaultGzipLevel = 6

// Epoch is SOURCE_DATE_EPOCH when set, else the Unix epoch: the only time
// that goes into an image, so that builds are reproducible.
func Epoch(getenv func(string) string) (time.Time, error) {
	v := getenv("SOURCE_DATE_EPOCH")
	if v == "" {
		return time.Unix(0, 0).UTC(), nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH=%q: want Unix seconds", v)
	}
	return time.Unix(n, 0).UTC(), nil
}

// Platform is the image platform for a Lambda architecture.
func Platform(arch string) (v1.Platform, error) {
	switch arch {
	case "amd64":
		return v1.Platform{OS: "linux", Architecture: "amd64"}, nil
	case "arm64":
		return v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}, nil
	}
	return v1.Platform{}, fmt.Errorf("architecture %q: Lambda runs amd64 and arm64", arch)
}

// Check validates the function, handler and mode before anything is built.
func (o *Options) Check() error {
	fi, err := os.Stat(o.Function)
	if err != nil {
		return fmt.Errorf("function %s: %w", o.Function, err)
	}
	mode, err := modes.Parse(o.Mode)
	if err != nil {
		return err
	}
	o.Mode = string(mode)
	if o.Handler == "" {
		if fi.IsDir() {
			return fmt.Errorf("function %s is a directory: --handler names the file to run in it", o.Function)
		}
		o.Handler = filepath.Base(o.Function)
	}
	// In http mode the handler may be a program of the base ("python3").
	if o.Mode != "http" && !filepath.IsAbs(o.Handler) {
		p := o.Function
		if fi.IsDir() {
			p = filepath.Join(o.Function, filepath.FromSlash(o.Handler))
		} else if o.Handler != filepath.Base(o.Function) {
			return fmt.Errorf("handler %q: the function is the single file %s", o.Handler, filepath.Base(o.Function))
		}
		hi, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("handler %q not found in %s", o.Handler, o.Function)
		}
		// Windows has no executable bit: there the handler is made 0755.
		if o.Mode == "exec" && hi.Mode()&0o111 == 0 && runtime.GOOS != "windows" {
			return fmt.Errorf("handler %s is not executable (exec mode runs it): chmod +x it", p)
		}
	}
	if _, err := Platform(o.Arch); err != nil {
		return err
	}
	if len(o.Runtime) == 0 {
		return errors.New("no faas-runtime binary")
	}
	for _, kv := range o.Env {
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
			return fmt.Errorf("env %q: want KEY=VALUE", kv)
		}
	}
	return nil
}

// handlerFile is the handler's file on this machine (Check has found it).
func (o *Options) handlerFile() string {
	if fi, err := os.Stat(o.Function); err == nil && fi.IsDir() {
		return filepath.Join(o.Function, filepath.FromSlash(o.Handler))
	}
	return o.Function
}

// Image builds the image. Nothing is written anywhere: layers are in memory
// (a runtime is a few MB, a function usually less) and the base's layers
// stay where they are until the image is published.
func Image(o Options) (v1.Image, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	plat, _ := Platform(o.Arch)
	level := o.GzipLevel
	if level == 0 {
		level = DefaultGzipLevel
	}
	rt := layer.New()
	if err := rt.Add(layer.Entry{Name: strings.TrimPrefix(RuntimePath, "/"), Type: tar.TypeReg, Mode: 0o755, Data: o.Runtime}); err != nil {
		return nil, err
	}
	rtLayer, err := cachedLayer(o.Cache, rt, o.Runtime, o.Created, level)
	if err != nil {
		return nil, err
	}
	fn := layer.New()
	if err := fn.AddTree(o.Function, strings.TrimPrefix(TaskRoot, "/")); err != nil {
		return nil, fmt.Errorf("function layer: %w", err)
	}
	if o.Mode == "exec" && !filepath.IsAbs(o.Handler) {
		fn.MarkExecutable(path.Join(strings.TrimPrefix(TaskRoot, "/"), o.Handler))
	}
	fnLayer, err := gzLayer(fn, o.Created, level)
	if err != nil {
		return nil, err
	}

	base := o.Base
	var baseCfg *v1.ConfigFile
	var baseLayers []v1.Layer
	if base != nil {
		if baseCfg, err = base.ConfigFile(); err != nil {
			return nil, fmt.Errorf("base config: %w", err)
		}
		baseCfg = baseCfg.DeepCopy()
		if baseLayers, err = base.Layers(); err != nil {
			return nil, fmt.Errorf("base layers: %w", err)
		}
	} else {
		baseCfg = &v1.ConfigFile{}
	}

	// Start from an empty OCI image and append the base's layers with OCI
	// media types: the blobs (and digests) stay the same, but buildah and
	// podman refuse Docker media types inside an OCI manifest.
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	adds := make([]mutate.Addendum, 0, len(baseLayers)+2)
	for _, l := range baseLayers {
		adds = append(adds, mutate.Addendum{Layer: ociLayer{l}})
	}
	hist := []v1.History{
		{Created: v1.Time{Time: o.Created}, CreatedBy: "runtime-init build: COPY faas-runtime " + RuntimePath, Comment: CommentRuntime},
		{Created: v1.Time{Time: o.Created}, CreatedBy: fmt.Sprintf("runtime-init build: COPY %s %s", filepath.Base(o.Function), TaskRoot), Comment: CommentFunction},
	}
	adds = append(adds, mutate.Addendum{Layer: rtLayer}, mutate.Addendum{Layer: fnLayer})
	if img, err = mutate.Append(img, adds...); err != nil {
		return nil, err
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cfg = cfg.DeepCopy()
	// The base's history stays as it was (empty-layer entries included).
	baseHist := baseCfg.History
	if len(baseHist) == 0 {
		for range baseLayers {
			baseHist = append(baseHist, v1.History{Comment: "base layer (no history)"})
		}
	}
	cfg.History = append(append([]v1.History{}, baseHist...), hist...)
	cfg.Created = v1.Time{Time: o.Created}
	cfg.OS, cfg.Architecture, cfg.Variant = plat.OS, plat.Architecture, plat.Variant
	cfg.Author = "runtime-init"
	c := baseCfg.Config
	c.Entrypoint = []string{RuntimePath}
	c.Cmd = []string{o.Handler}
	c.WorkingDir = TaskRoot
	c.User = o.User
	if c.User == "" {
		c.User = DefaultUser
	}
	c.Env = env(baseCfg.Config.Env, o)
	c.Labels = labels(baseCfg.Config.Labels, o)
	c.Healthcheck = nil
	cfg.Config = c
	return mutate.ConfigFile(img, cfg)
}

// env keeps the base's environment (PATH above all), then sets the task
// root and the mode, then the user's own variables.
func env(base []string, o Options) []string {
	m := map[string]string{}
	var order []string
	set := func(kv string) {
		k, v, _ := strings.Cut(kv, "=")
		if _, ok := m[k]; !ok {
			order = append(order, k)
		}
		m[k] = v
	}
	for _, kv := range base {
		set(kv)
	}
	if _, ok := m["PATH"]; !ok {
		set("PATH=" + DefaultPath)
	}
	set("LAMBDA_TASK_ROOT=" + TaskRoot)
	set("FAAS_MODE=" + o.Mode)
	if o.Mode == "http" {
		if _, ok := m["AWS_LWA_PORT"]; !ok {
			set("AWS_LWA_PORT=" + DefaultHTTPPort)
		}
	}
	for _, kv := range o.Env {
		set(kv)
	}
	out := make([]string, 0, len(order))
	for _, k := range order {
		out = append(out, k+"="+m[k])
	}
	return out
}

func labels(base map[string]string, o Options) map[string]string {
	l := map[string]string{}
	for k, v := range base {
		// The base's own title/version/etc. describe the base, not us.
		if !strings.HasPrefix(k, "org.opencontainers.image.") {
			l[k] = v
		}
	}
	l["org.opencontainers.image.created"] = o.Created.Format(time.RFC3339)
	l["org.opencontainers.image.title"] = filepath.Base(o.Function)
	l["org.opencontainers.image.description"] = "AWS Lambda function on faas-runtime (" + o.Mode + " mode)"
	if o.BaseName != "" {
		l["org.opencontainers.image.base.name"] = o.BaseName
	}
	if o.Base != nil {
		if d, err := o.Base.Digest(); err == nil {
			l["org.opencontainers.image.base.digest"] = d.String()
		}
	}
	keys := make([]string, 0, len(o.Labels))
	for k := range o.Labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		l[k] = o.Labels[k]
	}
	return l
}

// ociLayer reports a base layer's Docker media type as its OCI equivalent;
// the bytes are the same.
type ociLayer struct{ v1.Layer }

func (l ociLayer) MediaType() (types.MediaType, error) {
	mt, err := l.Layer.MediaType()
	if err != nil {
		return mt, err
	}
	switch mt {
	case types.DockerLayer:
		return types.OCILayer, nil
	case types.DockerUncompressedLayer:
		return types.OCIUncompressedLayer, nil
	case types.DockerForeignLayer:
		return types.OCIRestrictedLayer, nil
	}
	return mt, nil
}
