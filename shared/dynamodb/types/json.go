package types

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// The wire form of an attribute value is a JSON object with one member named for its type
// ({"S": "text"}, {"N": "12"}, {"M": {…}}…), as DynamoDB's JSON protocol writes it.

// MarshalJSON writes {"B": base64}.
func (v *AttributeValueMemberB) MarshalJSON() ([]byte, error) { return member("B", v.Value) }

// MarshalJSON writes {"BOOL": v}.
func (v *AttributeValueMemberBOOL) MarshalJSON() ([]byte, error) { return member("BOOL", v.Value) }

// MarshalJSON writes {"BS": [base64…]}.
func (v *AttributeValueMemberBS) MarshalJSON() ([]byte, error) { return member("BS", v.Value) }

// MarshalJSON writes {"L": […]}.
func (v *AttributeValueMemberL) MarshalJSON() ([]byte, error) {
	if v.Value == nil {
		return []byte(`{"L":[]}`), nil
	}
	return member("L", v.Value)
}

// MarshalJSON writes {"M": {…}}.
func (v *AttributeValueMemberM) MarshalJSON() ([]byte, error) {
	if v.Value == nil {
		return []byte(`{"M":{}}`), nil
	}
	return member("M", v.Value)
}

// MarshalJSON writes {"N": "digits"}.
func (v *AttributeValueMemberN) MarshalJSON() ([]byte, error) { return member("N", v.Value) }

// MarshalJSON writes {"NS": […]}.
func (v *AttributeValueMemberNS) MarshalJSON() ([]byte, error) { return member("NS", v.Value) }

// MarshalJSON writes {"NULL": true}.
func (v *AttributeValueMemberNULL) MarshalJSON() ([]byte, error) { return member("NULL", v.Value) }

// MarshalJSON writes {"S": "text"}.
func (v *AttributeValueMemberS) MarshalJSON() ([]byte, error) { return member("S", v.Value) }

// MarshalJSON writes {"SS": […]}.
func (v *AttributeValueMemberSS) MarshalJSON() ([]byte, error) { return member("SS", v.Value) }

func member(name string, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(name)+len(b)+5)
	out = append(out, `{"`...)
	out = append(out, name...)
	out = append(out, `":`...)
	out = append(out, b...)
	return append(out, '}'), nil
}

// Item is an item (or a key) as it comes on the wire; it decodes its values.
type Item map[string]AttributeValue

// UnmarshalJSON decodes an item's attributes.
func (it *Item) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*it = nil
		return nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	m := make(Item, len(raw))
	for k, r := range raw {
		v, err := DecodeJSON(r)
		if err != nil {
			return fmt.Errorf("attribute %q: %w", k, err)
		}
		m[k] = v
	}
	*it = m
	return nil
}

// Items converts a list of wire items.
func Items(in []Item) []map[string]AttributeValue {
	if in == nil {
		return nil
	}
	out := make([]map[string]AttributeValue, len(in))
	for i, it := range in {
		out[i] = it
	}
	return out
}

// DecodeJSON decodes one attribute value from its wire form. Errors: malformed JSON, or not
// exactly one known type member.
func DecodeJSON(b []byte) (AttributeValue, error) {
	var w struct {
		S    *string
		N    *string
		B    []byte
		BOOL *bool
		NULL *bool
		SS   []string
		NS   []string
		BS   [][]byte
		L    []json.RawMessage
		M    map[string]json.RawMessage
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return nil, err
	}
	switch {
	case w.S != nil:
		return &AttributeValueMemberS{Value: *w.S}, nil
	case w.N != nil:
		return &AttributeValueMemberN{Value: *w.N}, nil
	case w.BOOL != nil:
		return &AttributeValueMemberBOOL{Value: *w.BOOL}, nil
	case w.NULL != nil:
		return &AttributeValueMemberNULL{Value: *w.NULL}, nil
	case w.B != nil:
		return &AttributeValueMemberB{Value: w.B}, nil
	case w.SS != nil:
		return &AttributeValueMemberSS{Value: w.SS}, nil
	case w.NS != nil:
		return &AttributeValueMemberNS{Value: w.NS}, nil
	case w.BS != nil:
		return &AttributeValueMemberBS{Value: w.BS}, nil
	case w.L != nil:
		l := make([]AttributeValue, len(w.L))
		for i, r := range w.L {
			v, err := DecodeJSON(r)
			if err != nil {
				return nil, err
			}
			l[i] = v
		}
		return &AttributeValueMemberL{Value: l}, nil
	case w.M != nil:
		m := make(map[string]AttributeValue, len(w.M))
		for k, r := range w.M {
			v, err := DecodeJSON(r)
			if err != nil {
				return nil, err
			}
			m[k] = v
		}
		return &AttributeValueMemberM{Value: m}, nil
	}
	return nil, errors.New("attribute value of no known type: " + string(b))
}
