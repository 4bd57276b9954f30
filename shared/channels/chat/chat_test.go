package chat_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/openinbox/inbox/shared/channel"
	"github.com/openinbox/inbox/shared/channels/chat"
	"github.com/openinbox/inbox/shared/i18n"
	"github.com/openinbox/inbox/shared/inbox"
)

func env(creating bool, revealed map[string]string) channel.Env {
	n := 0
	return channel.Env{Creating: creating, NewID: func() string { n++; return strings.Repeat(string(rune('a'+n)), 32) },
		Reveal: func(name, v string) { revealed[name] = v }}
}

// TestSettings checks the defaults of a new channel, each setting's 400 with the field named,
// that an edit keeps what it leaves out, and the identity secret made and shown once.
func TestSettings(t *testing.T) {
	t.Parallel()
	ch := inbox.Channel{ID: "ch1", Settings: map[string]string{}, Secrets: map[string]string{}}
	if err := chat.Kind.Settings(&ch, nil, env(true, map[string]string{})); err != nil {
		t.Fatal(err)
	}
	s, err := chat.Of(ch)
	if err != nil || s.Color != chat.DefaultColor || s.Availability.Mode != chat.AvailabilityAlways || s.WelcomeMessage != chat.DefaultWelcome ||
		s.Display.Offline.Show != chat.OfflineNextOpening || ch.ProviderKey != "ch1" || s.IdentityVerification {
		t.Fatalf("defaults: %+v %v", s, err)
	}
	for _, tc := range []struct{ in, field string }{
		{`{"color":"blue"}`, "chat.color"},
		{`{"color":"#12345"}`, "chat.color"},
		{`{"header":{"mode":"everyone"}}`, "chat.header.mode"},
		{`{"header":{"mode":"users_and_teams","userIds":["a#b"]}}`, "chat.header.userIds"},
		{`{"welcomeMessage":"` + strings.Repeat("x", 1001) + `"}`, "chat.welcomeMessage"},
		{`{"availability":{"mode":"sometimes"}}`, "chat.availability.mode"},
		{`{"availability":{"mode":"office_hours","hours":[{"day":1,"start":"09:00","end":"17:00"}]}}`, "chat.availability.timeZone"},
		{`{"availability":{"mode":"office_hours","timeZone":"Mars/Olympus","hours":[{"day":1,"start":"09:00","end":"17:00"}]}}`, "chat.availability.timeZone"},
		{`{"availability":{"mode":"office_hours","timeZone":"UTC"}}`, "chat.availability.hours"},
		{`{"availability":{"mode":"office_hours","timeZone":"UTC","hours":[{"day":1,"start":"17:00","end":"09:00"}]}}`, "chat.availability.hours[0]"},
		{`{"availability":{"mode":"office_hours","timeZone":"UTC","hours":[{"day":7,"start":"09:00","end":"17:00"}]}}`, "chat.availability.hours[0]"},
		{`{"availability":{"mode":"office_hours","timeZone":"UTC","hours":[{"day":1,"start":"09:00","end":"17:00"}],"holidays":["25/12/2026"]}}`, "chat.availability.holidays[0]"},
		{`{"availability":{"mode":"always","holidays":["2026-12-25"]}}`, "chat.availability.hours"},
		{`{"display":{"available":{"replyTime":"soon"}}}`, "chat.display.available.replyTime"},
		{`{"display":{"offline":{"show":"banner"}}}`, "chat.display.offline.show"},
		{`{"display":{"atCapacity":{"show":"queue"}}}`, "chat.display.atCapacity.show"},
		{`{"display":{"atCapacity":{"show":"waiting_message","message":" "}}}`, "chat.display.atCapacity.message"},
		{`{"allowedOrigins":["https://shop.example/path"]}`, "chat.allowedOrigins"},
		{`{"allowedOrigins":["shop.example"]}`, "chat.allowedOrigins"},
		{`{"privacyUrl":"javascript:alert(1)"}`, "chat.privacyUrl"},
		{`{"colour":"#ffffff"}`, "chat is not valid JSON"},
	} {
		c := ch
		c.Settings, c.Secrets = map[string]string{chat.SettingChat: ch.Settings[chat.SettingChat]}, map[string]string{}
		err := chat.Kind.Settings(&c, json.RawMessage(tc.in), env(false, map[string]string{}))
		if !inbox.IsCode(err, inbox.EInvalid) || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: %v, want EInvalid naming %s", tc.in, err, tc.field)
		}
		if c.Settings[chat.SettingChat] != ch.Settings[chat.SettingChat] {
			t.Errorf("%s: a refused edit changed the settings", tc.in)
		}
	}
	revealed := map[string]string{}
	in := `{"color":"#AABBCC","allowedOrigins":["https://shop.example","http://localhost:8080"],"identityVerification":true,
	 "availability":{"mode":"office_hours","timeZone":"Europe/Copenhagen","hours":[{"day":1,"start":"09:00","end":"12:00"},{"day":1,"start":"13:00","end":"24:00"}],"holidays":["2026-12-25"]}}`
	if err := chat.Kind.Settings(&ch, json.RawMessage(in), env(false, revealed)); err != nil {
		t.Fatal(err)
	}
	if err := chat.Kind.Settings(&ch, json.RawMessage(`{"welcomeMessage":"Hej!"}`), env(false, map[string]string{})); err != nil {
		t.Fatal(err)
	}
	s, _ = chat.Of(ch)
	if s.Color != "#aabbcc" || len(s.AllowedOrigins) != 2 || len(s.Availability.Hours) != 2 || s.WelcomeMessage != "Hej!" || !s.IdentityVerification {
		t.Fatalf("edit: %+v", s)
	}
	if revealed[chat.SecretIdentity] == "" || ch.Secrets[chat.SecretIdentity] != revealed[chat.SecretIdentity] {
		t.Fatalf("identity secret: %q, revealed %q", ch.Secrets[chat.SecretIdentity], revealed)
	}
}

// TestSnippet: one script tag, escaped, naming the channel.
func TestSnippet(t *testing.T) {
	t.Parallel()
	got := chat.Snippet("https://inbox.example/", inbox.Channel{ID: "ch1"})
	if got != `<script src="https://inbox.example/chat/loader.js" data-channel="ch1" async></script>` {
		t.Fatal(got)
	}
}

// TestLanguages: the chat's language and its team's translations are validated (a language
// the product does not speak is 400, and a refused edit changes nothing), an edit replaces one
// language's texts and null removes them, and In falls back from the translation to the
// chat's own text, and from an untouched default to the catalogue's in the visitor's language.
func TestLanguages(t *testing.T) {
	t.Parallel()
	ch := inbox.Channel{ID: "ch1", Settings: map[string]string{}, Secrets: map[string]string{}}
	if err := chat.Kind.Settings(&ch, json.RawMessage(`{"welcomeMessage":"Hi there","translations":{"da":{"welcomeMessage":" Hej ","emailPrompt":"Din e-mail"}}}`), env(true, map[string]string{})); err != nil {
		t.Fatal(err)
	}
	s, _ := chat.Of(ch)
	if s.Language != "en" {
		t.Fatalf("default language %q, want en", s.Language)
	}
	for _, tc := range []struct{ in, field string }{
		{`{"language":"fr"}`, "chat.language"},
		{`{"language":""}`, "chat.language"},
		{`{"translations":{"fr":{"welcomeMessage":"Salut"}}}`, "chat.translations.fr"},
		{`{"translations":{"xx":null}}`, "chat.translations.xx"},
		{`{"translations":{"da":{"awayMessage":"` + strings.Repeat("x", 1001) + `"}}}`, "chat.translations.da.awayMessage"},
		{`{"translations":{"da":{"emailPrompt":"` + strings.Repeat("x", 201) + `"}}}`, "chat.translations.da.emailPrompt"},
		{`{"translations":{"da":{"greeting":"Hej"}}}`, "chat is not valid JSON"},
		{`{"display":{"away":{"emailPrompt":"` + strings.Repeat("x", 201) + `"}}}`, "chat.display.away.emailPrompt"},
	} {
		c := ch
		c.Settings, c.Secrets = map[string]string{chat.SettingChat: ch.Settings[chat.SettingChat]}, map[string]string{}
		err := chat.Kind.Settings(&c, json.RawMessage(tc.in), env(false, map[string]string{}))
		if !inbox.IsCode(err, inbox.EInvalid) || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: %v, want EInvalid naming %s", tc.in, err, tc.field)
		}
		if c.Settings[chat.SettingChat] != ch.Settings[chat.SettingChat] {
			t.Errorf("%s: a refused edit changed the settings", tc.in)
		}
	}

	da := s.In("da")
	if da.WelcomeMessage != "Hej" || da.EmailPrompt != "Din e-mail" {
		t.Errorf("da: %+v", da)
	}
	// Not translated: the team's own text; never changed from the default: the product's, in Danish.
	if da.AwayMessage != "Vi er ikke til stede lige nu. Skriv en besked og din e-mail, så svarer vi på e-mail." {
		t.Errorf("da away (untouched default): %q", da.AwayMessage)
	}
	if en := s.In("en"); en.WelcomeMessage != "Hi there" || en.AwayMessage != chat.DefaultAway || en.EmailPrompt != "" {
		t.Errorf("en: %+v", en)
	}

	// A Danish chat: its own texts are Danish; the English translation serves English visitors.
	if err := chat.Kind.Settings(&ch, json.RawMessage(`{"language":"da","welcomeMessage":"Hej med dig","translations":{"da":null,"en":{"welcomeMessage":"Hello you"}}}`), env(false, map[string]string{})); err != nil {
		t.Fatal(err)
	}
	s, _ = chat.Of(ch)
	if _, ok := s.Translations["da"]; ok || s.Language != "da" {
		t.Fatalf("null did not remove da, or language not set: %+v", s)
	}
	if s.In("da").WelcomeMessage != "Hej med dig" || s.In("en").WelcomeMessage != "Hello you" {
		t.Errorf("Danish chat: da %q, en %q", s.In("da").WelcomeMessage, s.In("en").WelcomeMessage)
	}
	// An edit of one language replaces its texts, and keeps the others'.
	if err := chat.Kind.Settings(&ch, json.RawMessage(`{"translations":{"en":{"awayMessage":"Away"}}}`), env(false, map[string]string{})); err != nil {
		t.Fatal(err)
	}
	s, _ = chat.Of(ch)
	if got := s.In("en"); got.WelcomeMessage != "Hej med dig" || got.AwayMessage != "Away" {
		t.Errorf("after replacing en: %+v", got)
	}
}

// TestDefaultsAreTheCatalogues: the defaults a new chat stores are the default catalogue's
// words, which In replaces by the visitor's language's.
func TestDefaultsAreTheCatalogues(t *testing.T) {
	t.Parallel()
	for key, def := range map[string]string{"chat.default.welcome": chat.DefaultWelcome, "chat.default.away": chat.DefaultAway, "chat.default.waiting": chat.DefaultWaiting} {
		if got := i18n.T(i18n.Default, key); got != def {
			t.Errorf("%s is %q in the catalogue, %q in the code", key, got, def)
		}
	}
}
