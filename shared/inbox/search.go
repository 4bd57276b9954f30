package inbox

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// ContactQuery is what an agent typed to find conversations by their contact: an email
// address, a phone number, or words of a name. Exactly one of Email, Phone and Words is set.
type ContactQuery struct {
	// Email is a lower-cased address (exact match).
	Email string
	// Phone is an E.164 number (exact match).
	Phone string
	// Words are folded prefixes (FoldWord) that must each begin a word of the contact's name,
	// longest first.
	Words []string
}

// Limits of name search.
const (
	// MaxNameWords is how many distinct words of a contact's name are indexed.
	MaxNameWords = 6
	// MaxWordLen is the length (in bytes, after folding) a word is indexed and matched with.
	MaxWordLen = 40
	// MinQueryLen is the fewest letters or digits a name query needs: one letter would list
	// most of an account's contacts.
	MinQueryLen = 2
)

// ParseContactQuery reads q: with an '@' an email address, made of digits (and '+', spaces,
// '-', '.', parentheses) a phone number (a leading "00" read as '+', a missing '+' added), else
// words of a name.
//
// Errors: EInvalid (empty, longer than 100 characters, or a name query with fewer than
// MinQueryLen letters or digits in its longest word).
func ParseContactQuery(q string) (ContactQuery, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return ContactQuery{}, Errorf(EInvalid, "q is required")
	}
	if utf8.RuneCountInString(q) > 100 {
		return ContactQuery{}, Errorf(EInvalid, "q must be at most 100 characters")
	}
	if strings.Contains(q, "@") && !strings.ContainsAny(q, " \t") {
		return ContactQuery{Email: strings.ToLower(q)}, nil
	}
	if p, ok := phoneQuery(q); ok {
		return ContactQuery{Phone: p}, nil
	}
	words := NameWords(q)
	if len(words) == 0 || len(words[0]) < MinQueryLen {
		return ContactQuery{}, Errorf(EInvalid, "q must have at least %d letters or digits", MinQueryLen)
	}
	return ContactQuery{Words: words}, nil
}

// phoneQuery reads q as a phone number when it is one: at least 6 digits and nothing but
// digits, a leading '+', spaces, '-', '.' and parentheses.
func phoneQuery(q string) (string, bool) {
	var b strings.Builder
	b.WriteByte('+')
	digits := 0
	for i, c := range q {
		switch {
		case c >= '0' && c <= '9':
			b.WriteRune(c)
			digits++
		case c == '+' && i == 0, c == ' ', c == '-', c == '.', c == '(', c == ')':
		default:
			return "", false
		}
	}
	if digits < 6 {
		return "", false
	}
	p := b.String()
	if !strings.HasPrefix(q, "+") && strings.HasPrefix(p, "+00") {
		p = "+" + p[3:]
	}
	return p, true
}

// NameWords splits name into its distinct folded words (FoldWord), longest first, at most
// MaxNameWords: "Sørensen, Anne-Marie" → ["sorensen", "marie", "anne"].
func NameWords(name string) []string {
	var words []string
	seen := map[string]bool{}
	for _, w := range strings.FieldsFunc(FoldWord(name), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if len(w) > MaxWordLen {
			w = w[:MaxWordLen]
		}
		if !seen[w] {
			seen[w] = true
			words = append(words, w)
		}
	}
	// Longest first: the query is made with the most selective word.
	for i := 1; i < len(words); i++ {
		for j := i; j > 0 && len(words[j]) > len(words[j-1]); j-- {
			words[j], words[j-1] = words[j-1], words[j]
		}
	}
	if len(words) > MaxNameWords {
		words = words[:MaxNameWords]
	}
	return words
}

// folds are letters that Unicode decomposition does not take apart but that people type
// without their mark.
var folds = map[rune]string{'ø': "o", 'æ': "ae", 'œ': "oe", 'ß': "ss", 'ł': "l", 'đ': "d", 'ð': "d", 'þ': "th", 'ı': "i"}

// FoldWord is s in lower case without accents ("Sørensen" → "sorensen", "José" → "jose"), so
// that a search matches whatever way the name was typed.
func FoldWord(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		if f, ok := folds[r]; ok {
			b.WriteString(f)
			continue
		}
		b.WriteRune(r)
	}
	return norm.NFC.String(b.String())
}
