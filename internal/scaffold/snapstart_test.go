package scaffold

import (
	"strings"
	"testing"
)

// --snapstart: the Dockerfile carries Lambda's SnapStart label and the
// README the mode's hooks and the uniqueness hazards; without it, neither.
func TestSnapStartProject(t *testing.T) {
	for _, mode := range []struct{ mode, lang, hook string }{
		{"exec", "go", "FAAS_SNAPSTART_AFTER_RESTORE"},
		{"http", "go", "AWS_LWA_SNAPSTART_AFTER_RESTORE_PATH"},
		{"sharedlib", "c", "faas_after_restore"},
	} {
		for _, on := range []bool{true, false} {
			o := Defaults
			o.Name, o.Mode, o.Lang, o.SnapStart, o.RuntimeVersion, o.Keys = "fn", mode.mode, mode.lang, on, "0.1.0", testKeys()
			files, err := Render(o)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, f := range files {
				got[f.Path] = string(f.Data)
			}
			label := strings.Contains(got["Dockerfile"], `LABEL com.amazonaws.lambda.feature.snapstart="Allow"`)
			readme := got["README.md"]
			section := strings.Contains(readme, "## SnapStart") && strings.Contains(readme, mode.hook) && strings.Contains(readme, "Handling uniqueness with Lambda SnapStart")
			if label != on || section != on {
				t.Errorf("%s, --snapstart=%v: label %v, README section %v", mode.mode, on, label, section)
			}
		}
	}
}
