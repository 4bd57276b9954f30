package agentapp

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/openinbox/inbox/shared/channels"
	"github.com/openinbox/inbox/shared/i18n"
)

// TestAppTextsAreInTheCatalogues: every text the app's screens show is in every catalogue —
// the literal keys of its modules (t('app.…'), plural('app.…') with its .one and .other) and
// of index.html (data-t, data-t-label, data-t-placeholder, data-t-title), and the keys the
// modules make of API values: views, conversation statuses, delivery states, roles, error
// codes and every channel kind's label. A missing key would show as the key itself.
func TestAppTextsAreInTheCatalogues(t *testing.T) {
	t.Parallel()
	keys := map[string]bool{}
	literal := regexp.MustCompile(`\bt\('(app\.[A-Za-z0-9_.]+[A-Za-z0-9_])'`)
	plural := regexp.MustCompile(`\bplural\('(app\.[A-Za-z0-9_.]+[A-Za-z0-9_])'`)
	attr := regexp.MustCompile(`data-t(?:-label|-placeholder|-title)?="(app\.[A-Za-z0-9_.]+)"`)
	comment := regexp.MustCompile(`(?m)^\s*//.*$`)
	for path, f := range staticFiles() {
		body := comment.ReplaceAllString(string(f.body), "")
		for _, m := range literal.FindAllStringSubmatch(body, -1) {
			keys[m[1]] = true
		}
		for _, m := range plural.FindAllStringSubmatch(body, -1) {
			keys[m[1]+".one"], keys[m[1]+".other"] = true, true
		}
		if strings.HasSuffix(path, ".html") {
			for _, m := range attr.FindAllStringSubmatch(body, -1) {
				keys[m[1]] = true
			}
		}
	}
	if len(keys) < 60 {
		t.Fatalf("only %d keys found: the scan is broken", len(keys))
	}
	made := map[string][]string{
		"app.view.":   {"mine", "unassigned", "all", "queue", "closed", "spam", "inboxes"},
		"app.status.": {"open", "closed", "spam"},
		"app.state.":  {"queued", "sent", "delivered", "read", "failed"},
		"app.role.":   {"admin", "agent"},
		"app.error.":  {"invalid", "not_found", "forbidden", "conflict", "too_large", "too_many", "unavailable", "network"},
	}
	for _, k := range channels.All() {
		made["app.channel."] = append(made["app.channel."], string(k.Type))
	}
	for prefix, names := range made {
		for _, n := range names {
			keys[prefix+n] = true
		}
	}
	inCatalogues(t, keys)
}

// inCatalogues fails t for each key missing from a language's catalogue.
func inCatalogues(t *testing.T, keys map[string]bool) {
	t.Helper()
	for _, lang := range i18n.Languages() {
		var cat map[string]string
		b, _ := i18n.JSON(lang)
		if err := json.Unmarshal(b, &cat); err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		for k := range keys {
			if _, ok := cat[k]; !ok {
				t.Errorf("%s lacks %s", lang, k)
			}
		}
	}
}
