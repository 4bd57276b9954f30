package mail

import (
	"io"
	"strings"
)

func parse(r io.Reader) (*Message, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	m := &Message{Text: strings.ToValidUTF8(string(raw), "\uFFFD"), Header: func(string) string { return "" }}
	return m, nil
}
