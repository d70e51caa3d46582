package main

import (
	"flag"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
)

// version describes this build: the module version, the commit it was
// built from (with "+dirty" for uncommitted changes) and when, and the Go
// release, from what the Go toolchain records in the binary.
func version() string {
	v, rev, at, dirty := "(devel)", "", "", false
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				at = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	out := "stillroom " + v
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if dirty {
			rev += "+dirty"
		}
		out += " commit " + rev
		if at != "" {
			out += " " + at
		}
	}
	return out + " " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH
}

// settingsList is every server setting as flag, variable, default and
// meaning, recorded from parseConfig's own flag set the first time it
// runs, so `help serve` can never miss one.
var settingsList struct {
	once sync.Once
	text string
}

// noteSettings records fs's flags (parseConfig calls it with its flags
// defined, before parsing).
func noteSettings(fs *flag.FlagSet) {
	settingsList.once.Do(func() {
		var b strings.Builder
		fs.VisitAll(func(f *flag.Flag) {
			env := "STILLROOM_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
			fmt.Fprintf(&b, "  --%s (%s", f.Name, env)
			if f.DefValue != "" && f.DefValue != "false" {
				fmt.Fprintf(&b, ", default %s", f.DefValue)
			}
			fmt.Fprintf(&b, ")\n      %s\n", f.Usage)
		})
		settingsList.text = b.String()
	})
}

// settingsHelp lists every setting (see noteSettings). The defaults are
// those with no STILLROOM_* variable set.
func settingsHelp() string {
	parseConfig(nil, func(string) string { return "" })
	return settingsList.text
}

// serveHelp is serve's usage with every setting listed.
func serveHelp() string { return serveUsage + settingsHelp() }
