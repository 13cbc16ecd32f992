package flaglist_test

import (
	"reflect"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/flaglist"
)

func TestSplit(t *testing.T) {
	for in, want := range map[string][]string{
		"":                nil,
		" , ,":            nil,
		"amd64":           {"amd64"},
		" amd64 ,arm64, ": {"amd64", "arm64"},
		"deb,,rpm":        {"deb", "rpm"},
	} {
		if got := flaglist.Split(in); !reflect.DeepEqual(got, want) {
			t.Errorf("Split(%q) = %q, want %q", in, got, want)
		}
	}
}
