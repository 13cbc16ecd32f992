package scaffold

// Combinations lists every valid base × arch × mode × lang, for the tests
// and the golden files (the scaffold_test package in this directory uses it
// too).
func Combinations() []Options {
	var out []Options
	for _, b := range Bases {
		for _, a := range Arches {
			for _, m := range Modes {
				for _, l := range Langs {
					o := Options{Name: "hello", Base: b, Arch: a, Mode: m, Lang: l}
					if o.Validate() == nil {
						out = append(out, o)
					}
				}
			}
		}
	}
	return out
}
