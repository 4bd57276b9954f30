package inbox

import (
	"strings"
	"unicode/utf8"
)

// MaxIDLength is the longest id the inbox accepts (bytes): an id of a conversation, channel,
// contact, user, ticket, inbox or team, in a URL or a body. Store keys join several ids (the
// store's partition keys hold at most 2,048 bytes and its sort keys 1,024), and user ids are
// tokens' subjects, which OpenID Connect keeps short.
const MaxIDLength = 128

// CheckID returns an EInvalid error naming what when id cannot be an id: empty, longer than
// MaxIDLength bytes, not UTF-8, or holding '#' (the store's separator of key parts) or a
// control character. Edges check ids with it before any store call.
func CheckID(what, id string) error {
	switch {
	case id == "":
		return Errorf(EInvalid, "%s is required", what)
	case len(id) > MaxIDLength:
		return Errorf(EInvalid, "%s is too long: ids have at most %d bytes", what, MaxIDLength)
	case !utf8.ValidString(id) || strings.ContainsFunc(id, func(r rune) bool { return r == '#' || r < 0x20 || r == 0x7f }):
		return Errorf(EInvalid, "%s is not an id: no '#' or control characters", what)
	}
	return nil
}
