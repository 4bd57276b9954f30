package chat

import (
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/openinbox/inbox/shared/i18n"
	"github.com/openinbox/inbox/shared/inbox"
)

// Texts are the team-written texts of a chat in one language. In Settings.Translations an
// empty field means "the chat's own text" (Settings.In fills it).
type Texts struct {
	// WelcomeMessage is Settings.WelcomeMessage in this language.
	WelcomeMessage string `json:"welcomeMessage,omitempty"`
	// AwayMessage is Display.Away.Message in this language.
	AwayMessage string `json:"awayMessage,omitempty"`
	// WaitingMessage is Display.AtCapacity.Message in this language.
	WaitingMessage string `json:"waitingMessage,omitempty"`
	// EmailPrompt is Display.Away.EmailPrompt in this language.
	EmailPrompt string `json:"emailPrompt,omitempty"`
	// ConsentText is Settings.ConsentText in this language.
	ConsentText string `json:"consentText,omitempty"`
}

func (t Texts) trimmed() Texts {
	return Texts{WelcomeMessage: strings.TrimSpace(t.WelcomeMessage), AwayMessage: strings.TrimSpace(t.AwayMessage),
		WaitingMessage: strings.TrimSpace(t.WaitingMessage), EmailPrompt: strings.TrimSpace(t.EmailPrompt),
		ConsentText: strings.TrimSpace(t.ConsentText)}
}

// In returns the chat's texts for a visitor reading lang: the team's translation into lang
// where it has one, else the chat's own text (in the chat's Language). A text the team never
// changed from the product's default (DefaultWelcome, DefaultAway, DefaultWaiting) is the
// product's, so it comes from the catalogue in lang; an empty EmailPrompt stays empty (the
// widget then shows the catalogue's prompt).
func (s Settings) In(lang string) Texts {
	own := Texts{WelcomeMessage: s.WelcomeMessage, AwayMessage: s.Display.Away.Message,
		WaitingMessage: s.Display.AtCapacity.Message, EmailPrompt: s.Display.Away.EmailPrompt, ConsentText: s.ConsentText}
	for _, d := range []struct {
		text *string
		def  string
		key  string
	}{
		{&own.WelcomeMessage, DefaultWelcome, "chat.default.welcome"},
		{&own.AwayMessage, DefaultAway, "chat.default.away"},
		{&own.WaitingMessage, DefaultWaiting, "chat.default.waiting"},
	} {
		if *d.text == d.def {
			*d.text = i18n.T(lang, d.key)
		}
	}
	tr := s.Translations[lang]
	for _, f := range []struct{ got, own *string }{
		{&tr.WelcomeMessage, &own.WelcomeMessage}, {&tr.AwayMessage, &own.AwayMessage},
		{&tr.WaitingMessage, &own.WaitingMessage}, {&tr.EmailPrompt, &own.EmailPrompt}, {&tr.ConsentText, &own.ConsentText},
	} {
		if *f.got == "" {
			*f.got = *f.own
		}
	}
	return tr
}

// normalizeLanguages trims the translations and drops the empty ones (a language set to null
// or {} in an edit is removed: an edit replaces a language's texts as a whole).
func (s *Settings) normalizeLanguages() {
	s.Display.Away.EmailPrompt = strings.TrimSpace(s.Display.Away.EmailPrompt)
	for lang, t := range s.Translations {
		// An unknown language stays, for validateLanguages to refuse.
		if t = t.trimmed(); t == (Texts{}) && i18n.Supported(lang) {
			delete(s.Translations, lang)
			continue
		}
		s.Translations[lang] = t
	}
	if len(s.Translations) == 0 {
		s.Translations = nil
	}
}

// validateLanguages checks Language and Translations: languages the product speaks, texts
// within bounds. It returns an EInvalid error naming the field.
func (s Settings) validateLanguages() error {
	speaks := strings.Join(i18n.Languages(), ", ")
	if !i18n.Supported(s.Language) {
		return inbox.Errorf(inbox.EInvalid, "chat.language must be one of %s", speaks)
	}
	for _, lang := range slices.Sorted(maps.Keys(s.Translations)) {
		if !i18n.Supported(lang) {
			return inbox.Errorf(inbox.EInvalid, "chat.translations.%s is not a language the product speaks (%s)", lang, speaks)
		}
		t := s.Translations[lang]
		for name, v := range map[string]string{"welcomeMessage": t.WelcomeMessage, "awayMessage": t.AwayMessage,
			"waitingMessage": t.WaitingMessage, "consentText": t.ConsentText} {
			if utf8.RuneCountInString(v) > maxText {
				return inbox.Errorf(inbox.EInvalid, "chat.translations.%s.%s has at most %d characters", lang, name, maxText)
			}
		}
		if utf8.RuneCountInString(t.EmailPrompt) > maxPrompt {
			return inbox.Errorf(inbox.EInvalid, "chat.translations.%s.emailPrompt has at most %d characters", lang, maxPrompt)
		}
	}
	return nil
}
