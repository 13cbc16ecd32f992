//go:build linux

package sharedlib_test

import (
	"os"
	"testing"

	"github.com/faas-runtime/faas-runtime/internal/testutil/sharedlibtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	printBenchTable()
	sharedlibtest.Cleanup()
	os.Exit(code)
}
