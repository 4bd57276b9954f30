package agentapp

import (
	"regexp"
	"strings"
	"testing"
)

// Every text the settings screens show is in every catalogue: the literal t('app.…') keys of
// static/js/settings/, and the keys settings/kinds.js makes of each channel kind's fields and
// choices (app.settings.kind.<kind>, app.settings.field.<kind>.<field>, app.settings.option.
// <value>). A missing key would show as the key itself.
func TestSettingsTextsAreInTheCatalogues(t *testing.T) {
	t.Parallel()
	files := staticFiles()
	keys := map[string]bool{}
	literal := regexp.MustCompile(`t\('(app\.[A-Za-z0-9_.]+[A-Za-z0-9_])'`)
	for path, f := range files {
		if !strings.HasPrefix(path, "js/settings/") {
			continue
		}
		for _, m := range literal.FindAllStringSubmatch(string(f.body), -1) {
			keys[m[1]] = true
		}
	}
	kinds := string(files["js/settings/kinds.js"].body)
	kind := regexp.MustCompile(`(?m)^  (\w+): \{`)
	field := regexp.MustCompile(`n: '([\w.]+)'`)
	opts := regexp.MustCompile(`opts: \[([^\]]*)\]`)
	blocks := kind.FindAllStringSubmatchIndex(kinds, -1)
	if len(blocks) != 8 {
		t.Fatalf("kinds.js has %d kinds, want 8", len(blocks))
	}
	for i, b := range blocks {
		end := len(kinds)
		if i+1 < len(blocks) {
			end = blocks[i+1][0]
		}
		name, body := kinds[b[2]:b[3]], kinds[b[0]:end]
		keys["app.settings.kind."+name] = true
		for _, m := range field.FindAllStringSubmatch(body, -1) {
			keys["app.settings.field."+name+"."+m[1]] = true
		}
		for _, m := range opts.FindAllStringSubmatch(body, -1) {
			for _, o := range strings.Split(m[1], ",") {
				keys["app.settings.option."+strings.Trim(strings.TrimSpace(o), "'")] = true
			}
		}
	}
	// spoken fields of the voice kind are listed by name.
	for _, n := range []string{"greeting", "closedMessage", "consentNotice"} {
		keys["app.settings.field.voice."+n] = true
	}
	if len(keys) < 150 {
		t.Fatalf("only %d keys found: the scan is broken", len(keys))
	}
	inCatalogues(t, keys)
}
