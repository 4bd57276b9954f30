package i18n

import (
	"maps"
	"regexp"
	"slices"
	"testing"
	"time"
)

var placeholder = regexp.MustCompile(`\{[a-zA-Z]+\}`)

// TestCataloguesAreComplete checks every catalogue against the default one: the same keys, no
// empty text, the same placeholders in each text. Adding a language is adding its file.
func TestCataloguesAreComplete(t *testing.T) {
	t.Parallel()
	all := catalogues()
	def := all[Default]
	if len(def) == 0 {
		t.Fatalf("no %s catalogue", Default)
	}
	if got := Languages(); !slices.Contains(got, "da") || !slices.Contains(got, "en") {
		t.Fatalf("languages %v, want da and en at least", got)
	}
	for lang, c := range all {
		for key, text := range def {
			other, ok := c[key]
			if !ok {
				t.Errorf("%s: key %q missing", lang, key)
				continue
			}
			if other == "" {
				t.Errorf("%s: key %q is empty", lang, key)
			}
			want, got := placeholder.FindAllString(text, -1), placeholder.FindAllString(other, -1)
			slices.Sort(want)
			slices.Sort(got)
			if !slices.Equal(want, got) {
				t.Errorf("%s: %q has placeholders %v, %s has %v", lang, key, got, Default, want)
			}
		}
		for key := range maps.Keys(c) {
			if _, ok := def[key]; !ok {
				t.Errorf("%s: key %q is not in the %s catalogue", lang, key, Default)
			}
		}
	}
}

func TestT(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ lang, key, want string }{
		{"da", "notify.ownerAway.greeting", "Hej Ada"},
		{"en", "notify.ownerAway.greeting", "Hello Ada,"},
		{"fr", "notify.ownerAway.greeting", "Hello Ada,"}, // no catalogue: the default
		{"", "notify.ownerAway.greeting", "Hello Ada,"},
		{"da", "no.such.key", "no.such.key"},
	} {
		if got := T(tc.lang, tc.key, "name", "Ada"); got != tc.want {
			t.Errorf("T(%q, %q) = %q, want %q", tc.lang, tc.key, got, tc.want)
		}
	}
}

func TestMatch(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		prefs []string
		want  string
	}{
		{[]string{"da-DK"}, "da"},
		{[]string{"da, en-GB;q=0.8"}, "da"},
		{[]string{"en-GB,en;q=0.9,da;q=0.8"}, "en"},
		{[]string{"fr-FR"}, "en"},
		{[]string{"fr-FR", "da"}, "da"},
		{[]string{""}, "en"},
		{nil, "en"},
		{[]string{"not a tag!"}, "en"},
	} {
		if got := Match(tc.prefs...); got != tc.want {
			t.Errorf("Match(%q) = %q, want %q", tc.prefs, got, tc.want)
		}
	}
}

func TestJSON(t *testing.T) {
	t.Parallel()
	if b, ok := JSON("da"); !ok || len(b) == 0 {
		t.Error("no Danish catalogue")
	}
	if _, ok := JSON("../da"); ok {
		t.Error("a path is not a language")
	}
}

// TestDate: a quoted message's date in each language, from the catalogue's names and pattern;
// a language without a catalogue gets the default's.
func TestDate(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, time.December, 4, 8, 5, 0, 0, time.UTC)
	for lang, want := range map[string]string{
		"en": "Fri, 4 Dec 2026 at 08:05",
		"da": "fre. 4. dec. 2026 kl. 08.05",
		"fr": "Fri, 4 Dec 2026 at 08:05",
	} {
		if got := Date(lang, at); got != want {
			t.Errorf("Date(%q) = %q, want %q", lang, got, want)
		}
	}
	if got := Date("da", time.Date(2026, time.May, 3, 17, 30, 0, 0, time.UTC)); got != "søn. 3. maj 2026 kl. 17.30" {
		t.Errorf("Date(da, a Sunday in May) = %q", got)
	}
}
