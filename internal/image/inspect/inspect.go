// Package inspect reports what an image costs: its layers (compressed and
// uncompressed size, what made each one), totals, the run config, and, for
// several images, the layers they share and what each costs beyond them.
package inspect

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/faas-runtime/faas-runtime/internal/image/build"
	"github.com/faas-runtime/faas-runtime/internal/image/source"
)

// Layer is one layer of an image.
type Layer struct {
	Digest       string `json:"digest"`
	MediaType    string `json:"mediaType"`
	Compressed   int64  `json:"compressedBytes"`
	Uncompressed int64  `json:"uncompressedBytes"`
	CreatedBy    string `json:"createdBy,omitempty"`
	// Role is "runtime" or "function" for the layers runtime-init adds,
	// else "base".
	Role string `json:"role"`
}

// Image is the report for one image.
type Image struct {
	Ref          string   `json:"ref"`
	Digest       string   `json:"digest"`
	OS           string   `json:"os"`
	Architecture string   `json:"architecture"`
	Variant      string   `json:"variant,omitempty"`
	Entrypoint   []string `json:"entrypoint"`
	Cmd          []string `json:"cmd"`
	User         string   `json:"user"`
	Layers       []Layer  `json:"layers"`
	Compressed   int64    `json:"compressedBytes"`
	Uncompressed int64    `json:"uncompressedBytes"`
	// Bytes beyond the function layer: base + runtime, what every function
	// on this base pays.
	BeyondFunction int64 `json:"compressedBytesBeyondFunction"`
	// Compressed bytes in layers no other inspected image has.
	Unique int64 `json:"uniqueCompressedBytes"`
	// Attached in the registry (registry images only).
	Referrers []Referrer `json:"referrers,omitempty"`
}

// Shared is a layer several inspected images have.
type Shared struct {
	Digest     string   `json:"digest"`
	Compressed int64    `json:"compressedBytes"`
	CreatedBy  string   `json:"createdBy,omitempty"`
	Images     []string `json:"images"`
}

// Report is inspect's output.
type Report struct {
	Images []Image  `json:"images"`
	Shared []Shared `json:"sharedLayers"`
}

// Describe reads one image. Uncompressed sizes need the layer bytes: for a
// registry image that means downloading it.
func Describe(n source.Named) (Image, error) {
	img := n.Image
	cf, err := img.ConfigFile()
	if err != nil {
		return Image{}, err
	}
	m, err := img.Manifest()
	if err != nil {
		return Image{}, err
	}
	d, err := img.Digest()
	if err != nil {
		return Image{}, err
	}
	out := Image{Ref: n.Label, Digest: d.String(), OS: cf.OS, Architecture: cf.Architecture, Variant: cf.Variant,
		Entrypoint: cf.Config.Entrypoint, Cmd: cf.Config.Cmd, User: cf.Config.User}
	var hist []v1.History
	for _, h := range cf.History {
		if !h.EmptyLayer {
			hist = append(hist, h)
		}
	}
	layers, err := img.Layers()
	if err != nil {
		return Image{}, err
	}
	for i, l := range layers {
		desc := m.Layers[i]
		u, err := uncompressedSize(l)
		if err != nil {
			return Image{}, fmt.Errorf("%s: layer %s: %w", n.Label, desc.Digest, err)
		}
		ly := Layer{Digest: desc.Digest.String(), MediaType: string(desc.MediaType), Compressed: desc.Size, Uncompressed: u, Role: "base"}
		if i < len(hist) {
			ly.CreatedBy = hist[i].CreatedBy
			switch hist[i].Comment {
			case build.CommentRuntime:
				ly.Role = "runtime"
			case build.CommentFunction:
				ly.Role = "function"
			}
		}
		out.Layers = append(out.Layers, ly)
		out.Compressed += ly.Compressed
		out.Uncompressed += ly.Uncompressed
	}
	// Only the image's own (last) runtime and function layers keep their
	// role: a base that was itself built by runtime-init is all "base".
	last := map[string]int{}
	for i, l := range out.Layers {
		last[l.Role] = i
	}
	for i := range out.Layers {
		if l := &out.Layers[i]; l.Role != "base" && last[l.Role] != i {
			l.Role = "base"
		}
		if out.Layers[i].Role != "function" {
			out.BeyondFunction += out.Layers[i].Compressed
		}
	}
	return out, nil
}

func uncompressedSize(l v1.Layer) (int64, error) {
	rc, err := l.Uncompressed()
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	return io.Copy(io.Discard, rc)
}

// Build describes every image and works out the shared layers.
func Build(named []source.Named) (*Report, error) {
	r := &Report{}
	for _, n := range named {
		im, err := Describe(n)
		if err != nil {
			return nil, err
		}
		r.Images = append(r.Images, im)
	}
	holders := map[string][]string{}
	var order []string
	info := map[string]Layer{}
	for _, im := range r.Images {
		seen := map[string]bool{}
		for _, l := range im.Layers {
			if seen[l.Digest] {
				continue
			}
			seen[l.Digest] = true
			if _, ok := holders[l.Digest]; !ok {
				order = append(order, l.Digest)
				info[l.Digest] = l
			}
			holders[l.Digest] = append(holders[l.Digest], im.Ref)
		}
	}
	for i := range r.Images {
		im := &r.Images[i]
		seen := map[string]bool{}
		for _, l := range im.Layers {
			if len(holders[l.Digest]) == 1 && !seen[l.Digest] {
				im.Unique += l.Compressed
			}
			seen[l.Digest] = true
		}
	}
	if len(r.Images) > 1 {
		for _, d := range order {
			if len(holders[d]) > 1 {
				l := info[d]
				r.Shared = append(r.Shared, Shared{Digest: d, Compressed: l.Compressed, CreatedBy: l.CreatedBy, Images: holders[d]})
			}
		}
		sort.SliceStable(r.Shared, func(i, j int) bool { return r.Shared[i].Compressed > r.Shared[j].Compressed })
	}
	return r, nil
}

// WriteJSON writes the report for scripts.
func (r *Report) WriteJSON(w io.Writer) error {
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	return e.Encode(r)
}

// WriteText writes the tables people read.
func (r *Report) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for i, im := range r.Images {
		if i > 0 {
			fmt.Fprintln(tw)
		}
		fmt.Fprintf(tw, "%s\n", im.Ref)
		fmt.Fprintf(tw, "  digest %s  %s/%s%s  user %q\n", im.Digest, im.OS, im.Architecture, variant(im.Variant), im.User)
		fmt.Fprintf(tw, "  entrypoint %s  cmd %s\n", jsonList(im.Entrypoint), jsonList(im.Cmd))
		fmt.Fprintln(tw, "LAYER\tCOMPRESSED\tUNCOMPRESSED\tROLE\tCREATED BY\t")
		for _, l := range im.Layers {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", short(l.Digest), size(l.Compressed), size(l.Uncompressed), l.Role, trunc(l.CreatedBy, 60))
		}
		fmt.Fprintf(tw, "total\t%s\t%s\t\t\t\n", size(im.Compressed), size(im.Uncompressed))
		fmt.Fprintf(tw, "beyond the function\t%s\t\t\t\t\n", size(im.BeyondFunction))
		for _, r := range im.Referrers {
			fmt.Fprintf(tw, "attached %s\t%s\t\t\t%s\t\n", r.Kind, short(r.Digest), r.Ref)
		}
	}
	if len(r.Images) > 1 {
		fmt.Fprintln(tw)
		if len(r.Shared) == 0 {
			fmt.Fprintln(tw, "no layers shared")
		} else {
			fmt.Fprintln(tw, "SHARED LAYER\tCOMPRESSED\tIMAGES\tCREATED BY\t")
			for _, s := range r.Shared {
				fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t\n", short(s.Digest), size(s.Compressed), len(s.Images), trunc(s.CreatedBy, 60))
			}
		}
		fmt.Fprintln(tw, "IMAGE\tTOTAL\tBEYOND SHARED\t\t")
		for _, im := range r.Images {
			fmt.Fprintf(tw, "%s\t%s\t%s\t\t\n", im.Ref, size(im.Compressed), size(im.Unique))
		}
	}
	return tw.Flush()
}

func variant(v string) string {
	if v == "" {
		return ""
	}
	return "/" + v
}

func jsonList(s []string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func short(d string) string {
	if len(d) > 19 {
		return d[:19]
	}
	return d
}

func trunc(s string, n int) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > n {
		return s[:n-1] + "…"
	}
	return s
}

func size(n int64) string {
	switch {
	case n >= 1e6:
		return fmt.Sprintf("%.2f MB", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%d B", n)
}
