// Package i18n holds the product's own texts in every language it speaks: one message
// catalogue per language (locales/<tag>.json, a flat object of key → text with {name}
// placeholders), used by the Go side (notification emails) and served as they are to the
// browser (the chat widget and the agent app), which formats dates, times and numbers with its
// own Intl. Adding a language is adding its file: TestCataloguesAreComplete checks that every
// key of the default catalogue is in every other, with the same placeholders.
//
// Team-written texts (welcome and away messages, signatures) are not here: they are settings,
// given per language by the teams themselves.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/language"
)

// Default is the language of the default catalogue: every key is in it, and a key missing
// from another catalogue falls back to it.
const Default = "en"

//go:embed locales/*.json
var files embed.FS

// catalogues are the parsed locales, by language tag; built on first use, so that no function
// pays for them at start.
var catalogues = sync.OnceValue(func() map[string]map[string]string {
	entries, err := files.ReadDir("locales")
	if err != nil {
		panic("i18n: " + err.Error()) // embedded at build time: cannot fail
	}
	out := map[string]map[string]string{}
	for _, e := range entries {
		b, err := files.ReadFile("locales/" + e.Name())
		if err != nil {
			panic("i18n: " + err.Error())
		}
		var c map[string]string
		if err := json.Unmarshal(b, &c); err != nil {
			panic("i18n: locales/" + e.Name() + ": " + err.Error()) // TestCataloguesAreComplete catches it
		}
		out[strings.TrimSuffix(e.Name(), path.Ext(e.Name()))] = c
	}
	return out
})

// Languages are the tags of the catalogues, sorted.
func Languages() []string {
	var out []string
	for tag := range catalogues() {
		out = append(out, tag)
	}
	slices.Sort(out)
	return out
}

// Supported reports whether lang is the tag of a catalogue.
func Supported(lang string) bool {
	_, ok := catalogues()[lang]
	return ok
}

// JSON is catalogue lang as the browser takes it (its file's bytes), and false for a language
// without one.
func JSON(lang string) ([]byte, bool) {
	if !Supported(lang) {
		return nil, false
	}
	b, err := files.ReadFile("locales/" + lang + ".json")
	return b, err == nil
}

// matcher picks among the catalogues (the default first, so it wins when nothing matches).
var matcher = sync.OnceValue(func() language.Matcher {
	tags := []language.Tag{language.Make(Default)}
	for _, l := range Languages() {
		if l != Default {
			tags = append(tags, language.Make(l))
		}
	}
	return language.NewMatcher(tags)
})

// Match returns the catalogue that best serves the preferences given, best first: language
// tags ("da-DK") or Accept-Language headers ("da, en-GB;q=0.8"). Nothing usable: Default.
func Match(prefs ...string) string {
	lang, _ := Pick(prefs...)
	return lang
}

// Pick is Match that tells whether one of the preferences was served: false (and Default)
// when none names a language with a catalogue, so that the caller can fall back to a default
// of its own (a chat channel's language) instead.
func Pick(prefs ...string) (string, bool) {
	var tags []language.Tag
	for _, p := range prefs {
		if t, _, err := language.ParseAcceptLanguage(p); err == nil {
			tags = append(tags, t...)
		}
	}
	if len(tags) == 0 {
		return Default, false
	}
	_, i, conf := matcher().Match(tags...)
	if conf == language.No {
		return Default, false
	}
	langs := append([]string{Default}, slices.DeleteFunc(Languages(), func(l string) bool { return l == Default })...)
	return langs[i], true
}

// Texts are the texts of lang whose keys start with prefix ("widget."), the default
// catalogue's where lang lacks one: what a browser app is served for its language. The map is
// built once per language and prefix and shared, since the chat config asks for it on every
// visitor's page view: callers must not change it.
func Texts(lang, prefix string) map[string]string {
	key := lang + "\x00" + prefix
	if m, ok := textSets.Load(key); ok {
		return m.(map[string]string)
	}
	out := map[string]string{}
	for _, l := range []string{Default, lang} {
		for k, v := range catalogues()[l] {
			if strings.HasPrefix(k, prefix) {
				out[k] = v
			}
		}
	}
	m, _ := textSets.LoadOrStore(key, out)
	return m.(map[string]string)
}

// textSets are Texts' answers by language and prefix.
var textSets sync.Map

// T is the text of key in language lang with its placeholders filled from args (name, value,
// …). A language without a catalogue, or a key missing from it, falls back to Default; a key
// missing there too is returned as it is, so that a slip shows instead of vanishing.
func T(lang, key string, args ...string) string {
	s, ok := catalogues()[lang][key]
	if !ok {
		if s, ok = catalogues()[Default][key]; !ok {
			return key
		}
	}
	if len(args) == 0 {
		return s
	}
	pairs := make([]string, 0, len(args))
	for i := 0; i+1 < len(args); i += 2 {
		pairs = append(pairs, "{"+args[i]+"}", args[i+1])
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// Date writes t (in its own location) for people reading lang, as the mail the product writes
// dates a quoted message: "Mon, 2 Jan 2006 at 15:04" in English, "man. 2. jan. 2006 kl. 15.04"
// in Danish. The pattern and the names of days and months are the catalogue's
// (email.date.format, email.date.days, email.date.months: "|"-separated, Sunday and January
// first), so a language brings its own with its file; Go's standard library and
// golang.org/x/text format no dates by locale.
func Date(lang string, t time.Time) string {
	days := strings.Split(T(lang, "email.date.days"), "|")
	months := strings.Split(T(lang, "email.date.months"), "|")
	day, month := t.Weekday().String()[:3], t.Month().String()[:3]
	if len(days) == 7 {
		day = days[t.Weekday()]
	}
	if len(months) == 12 {
		month = months[t.Month()-1]
	}
	return T(lang, "email.date.format", "weekday", day, "day", strconv.Itoa(t.Day()), "month", month,
		"year", strconv.Itoa(t.Year()), "hour", fmt.Sprintf("%02d", t.Hour()), "minute", fmt.Sprintf("%02d", t.Minute()))
}
