package inbox

import (
	"slices"
	"testing"
)

func TestParseContactQuery(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		q    string
		want ContactQuery
		bad  bool
	}{
		{q: "ann", want: ContactQuery{Words: []string{"ann"}}},
		{q: "  Sørensen, Ann ", want: ContactQuery{Words: []string{"sorensen", "ann"}}},
		{q: "JOSÉ", want: ContactQuery{Words: []string{"jose"}}},
		{q: "Ada.Lovelace@Example.COM", want: ContactQuery{Email: "ada.lovelace@example.com"}},
		{q: "+1 (415) 555-0100", want: ContactQuery{Phone: "+14155550100"}},
		{q: "0045 12 34 56 78", want: ContactQuery{Phone: "+4512345678"}},
		{q: "4155550100", want: ContactQuery{Phone: "+4155550100"}},
		{q: "12345", want: ContactQuery{Words: []string{"12345"}}},
		{q: "a", bad: true},
		{q: "  ", bad: true},
		{q: "-- !", bad: true},
	} {
		got, err := ParseContactQuery(tc.q)
		if tc.bad {
			if !IsCode(err, EInvalid) {
				t.Errorf("%q: err = %v, want invalid", tc.q, err)
			}
			continue
		}
		if err != nil || got.Email != tc.want.Email || got.Phone != tc.want.Phone || !slices.Equal(got.Words, tc.want.Words) {
			t.Errorf("%q = %+v, %v; want %+v", tc.q, got, err, tc.want)
		}
	}
}

func TestNameWords(t *testing.T) {
	t.Parallel()
	for name, want := range map[string][]string{
		"Anne Sørensen":           {"sorensen", "anne"},
		"Sørensen, Anne-Marie":    {"sorensen", "marie", "anne"},
		"Ærø Ås":                  {"aero", "as"},
		"Zoë d'Arc":               {"zoe", "arc", "d"},
		"anne ANNE Anne":          {"anne"},
		"":                        nil,
		"a b c d e f g h":         {"a", "b", "c", "d", "e", "f"},
		"Łukasz Straße Þór Øster": {"strasse", "lukasz", "oster", "thor"},
	} {
		if got := NameWords(name); !slices.Equal(got, want) {
			t.Errorf("NameWords(%q) = %q, want %q", name, got, want)
		}
	}
}
