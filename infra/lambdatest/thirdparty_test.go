package lambdatest

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openinbox/inbox/infra/samtemplate"
)

// TestThirdPartyCopiesAreBuilt checks, for each patched copy listed in third_party/modules.txt,
// that the build uses it (go.mod replaces the module's required version with the folder: after
// an upgrade of the requirement alone the replace would silently stop applying, and the
// library would again build its tables at init) and that make test runs its upstream tests
// (infra/test.sh names the module: a module of its own is not in ./...).
func TestThirdPartyCopiesAreBuilt(t *testing.T) {
	t.Parallel()
	tpl, err := samtemplate.LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	root := tpl.Dir()
	list, err := os.ReadFile(filepath.Join(root, "third_party", "modules.txt"))
	if err != nil {
		t.Fatal(err)
	}
	script, err := os.ReadFile(filepath.Join(root, "infra", "test.sh"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for line := range strings.Lines(string(list)) {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		if len(f) < 3 {
			t.Fatalf("modules.txt: %q: want folder, module, version", line)
		}
		n++
		dir, mod, version := f[0], f[1], f[2]
		cmd := exec.Command("go", "list", "-m", "-json", mod)
		cmd.Dir = root
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list -m %s: %v", mod, err)
		}
		var m struct {
			Version string
			Replace *struct{ Path, Version string }
		}
		if err := json.Unmarshal(out, &m); err != nil {
			t.Fatal(err)
		}
		if m.Version != version {
			t.Errorf("%s is required at %s, its patched copy third_party/%s is of %s: re-apply the patch on the new version (third_party/README.md)", mod, m.Version, dir, version)
		}
		if m.Replace == nil || m.Replace.Path != "./third_party/"+dir {
			t.Errorf("%s is not replaced by ./third_party/%s in go.mod: %+v", mod, dir, m.Replace)
		}
		if !strings.Contains(string(script), mod+"/") {
			t.Errorf("infra/test.sh does not run the tests of %s (its patched copy third_party/%s)", mod, dir)
		}
	}
	if n == 0 {
		t.Fatal("third_party/modules.txt lists no module")
	}
}
