// Package attributevalue converts Go values to DynamoDB attribute values and back, as the
// SDK's github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue does with its default
// options, for the kinds the store's items use: strings, booleans, integers, floats,
// time.Time (an RFC 3339 string, with nanoseconds when it has them), []byte (binary), slices
// (lists, or string sets with the "stringset" tag option), maps with string keys, structs and
// pointers to them. Items the SDK wrote read back the same, and the same values encode to the
// same attributes (TestSameAsTheSDK checks every item type of the store against the SDK).
//
// Fields are named by their `dynamodbav:"name,omitempty"` tag ("-" skips one; untagged fields
// keep their Go name; embedded structs without a tag name are flattened). omitempty leaves out
// a zero string, number or boolean and a nil pointer, slice or map, never a struct or a time;
// other nil pointers, slices and maps encode as NULL, and an empty string set too. Decoding
// matches attribute names to fields exactly, else ignoring case, and leaves fields without an
// attribute as they are; NULL sets a field to its zero value.
//
// It is the store's own because the SDK's package links the DynamoDB and DynamoDB Streams
// schemas, built at every cold start (see package dynamodb).
package attributevalue

import (
	"encoding"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/openinbox/inbox/shared/dynamodb/types"
)

// Marshal returns the attribute value of in. Errors: a value of a kind it does not encode
// (channels, functions, complex numbers, maps whose keys are not strings, numbers or booleans).
func Marshal(in any) (types.AttributeValue, error) {
	return encode(reflect.ValueOf(in), tag{})
}

// MarshalMap returns the attributes of in, a struct or map (or a pointer to one). Errors: as
// Marshal, and in encoding to something else than a map.
func MarshalMap(in any) (map[string]types.AttributeValue, error) {
	av, err := Marshal(in)
	if err != nil {
		return nil, err
	}
	m, ok := av.(*types.AttributeValueMemberM)
	if !ok {
		return nil, fmt.Errorf("attributevalue: %T does not encode to a map", in)
	}
	return m.Value, nil
}

// UnmarshalMap decodes the attributes of an item into out, a non-nil pointer to a struct or
// map. Errors: out is not such a pointer, or an attribute's type does not fit its field.
func UnmarshalMap(m map[string]types.AttributeValue, out any) error {
	return Unmarshal(&types.AttributeValueMemberM{Value: m}, out)
}

// Unmarshal decodes av into out, a non-nil pointer. Errors: out is not a non-nil pointer, or a
// type does not fit.
func Unmarshal(av types.AttributeValue, out any) error {
	v := reflect.ValueOf(out)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return fmt.Errorf("attributevalue: cannot unmarshal into %T, want a non-nil pointer", out)
	}
	return decode(av, v.Elem(), tag{})
}

// tag is what a field's dynamodbav tag says.
type tag struct {
	name                string
	ignore, omitEmpty   bool
	stringSet, unixTime bool
}

func parseTag(s string) tag {
	var t tag
	if s == "-" {
		t.ignore = true
		return t
	}
	parts := strings.Split(s, ",")
	t.name = parts[0]
	for _, p := range parts[1:] {
		switch p {
		case "omitempty":
			t.omitEmpty = true
		case "stringset":
			t.stringSet = true
		case "unixtime":
			t.unixTime = true
		}
	}
	return t
}

// field is an encoded field of a struct: its attribute name, its tag and where it is.
type field struct {
	name  string
	tag   tag
	index []int
}

var fieldCache sync.Map // reflect.Type → []field

// fieldsOf lists the encoded fields of struct type t, embedded structs flattened (the outer
// field wins over an embedded one of the same name).
func fieldsOf(t reflect.Type) []field {
	if f, ok := fieldCache.Load(t); ok {
		return f.([]field)
	}
	var out []field
	seen := map[string]bool{}
	var walk func(t reflect.Type, index []int, depth int)
	var embedded []func()
	walk = func(t reflect.Type, index []int, depth int) {
		for i := range t.NumField() {
			sf := t.Field(i)
			if !sf.IsExported() && !sf.Anonymous {
				continue
			}
			tg := parseTag(sf.Tag.Get("dynamodbav"))
			if tg.ignore {
				continue
			}
			idx := append(append([]int(nil), index...), i)
			ft := sf.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if sf.Anonymous && tg.name == "" && ft.Kind() == reflect.Struct {
				embedded = append(embedded, func() { walk(ft, idx, depth+1) })
				continue
			}
			if !sf.IsExported() {
				continue
			}
			name := tg.name
			if name == "" {
				name = sf.Name
			}
			if !seen[name] {
				seen[name] = true
				out = append(out, field{name: name, tag: tg, index: idx})
			}
		}
	}
	walk(t, nil, 0)
	for len(embedded) > 0 {
		next := embedded
		embedded = nil
		for _, f := range next {
			f()
		}
	}
	fieldCache.Store(t, out)
	return out
}

var timeType = reflect.TypeFor[time.Time]()

func null() types.AttributeValue { return &types.AttributeValueMemberNULL{Value: true} }

// encode returns the attribute value of v; nil means the field is left out.
func encode(v reflect.Value, t tag) (types.AttributeValue, error) {
	if isZero(v) {
		if t.omitEmpty {
			return nil, nil
		}
		if isNilable(v) {
			return null(), nil
		}
	}
	if k := v.Kind(); k == reflect.Pointer || k == reflect.Interface {
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Invalid:
		return null(), nil
	case reflect.Pointer:
		if v.IsNil() {
			return null(), nil
		}
		return encode(v.Elem(), t)
	case reflect.Struct:
		if v.Type().ConvertibleTo(timeType) {
			tm := v.Convert(timeType).Interface().(time.Time)
			if t.unixTime {
				return &types.AttributeValueMemberN{Value: strconv.FormatInt(tm.Unix(), 10)}, nil
			}
			return &types.AttributeValueMemberS{Value: tm.Format(time.RFC3339Nano)}, nil
		}
		m := make(map[string]types.AttributeValue)
		for _, f := range fieldsOf(v.Type()) {
			fv, ok := fieldByIndex(v, f.index)
			if !ok {
				continue
			}
			av, err := encode(fv, f.tag)
			if err != nil {
				return nil, err
			}
			if av != nil {
				m[f.name] = av
			}
		}
		return &types.AttributeValueMemberM{Value: m}, nil
	case reflect.Map:
		m := make(map[string]types.AttributeValue, v.Len())
		iter := v.MapRange()
		for iter.Next() {
			k, err := mapKey(iter.Key())
			if err != nil {
				return nil, err
			}
			av, err := encode(iter.Value(), tag{})
			if err != nil {
				return nil, err
			}
			m[k] = av
		}
		return &types.AttributeValueMemberM{Value: m}, nil
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			b := make([]byte, v.Len())
			reflect.Copy(reflect.ValueOf(b), v)
			return &types.AttributeValueMemberB{Value: b}, nil
		}
		if t.stringSet {
			if v.Len() == 0 {
				return null(), nil
			}
			ss := make([]string, 0, v.Len())
			for i := range v.Len() {
				e := v.Index(i)
				if e.Kind() != reflect.String {
					return nil, fmt.Errorf("attributevalue: string set of %s", e.Type())
				}
				ss = append(ss, e.String())
			}
			return &types.AttributeValueMemberSS{Value: ss}, nil
		}
		l := make([]types.AttributeValue, 0, v.Len())
		for i := range v.Len() {
			av, err := encode(v.Index(i), tag{})
			if err != nil {
				return nil, err
			}
			if av != nil {
				l = append(l, av)
			}
		}
		return &types.AttributeValueMemberL{Value: l}, nil
	case reflect.Bool:
		return &types.AttributeValueMemberBOOL{Value: v.Bool()}, nil
	case reflect.String:
		return &types.AttributeValueMemberS{Value: v.String()}, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return &types.AttributeValueMemberN{Value: strconv.FormatInt(v.Int(), 10)}, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return &types.AttributeValueMemberN{Value: strconv.FormatUint(v.Uint(), 10)}, nil
	case reflect.Float32:
		return &types.AttributeValueMemberN{Value: strconv.FormatFloat(v.Float(), 'f', -1, 32)}, nil
	case reflect.Float64:
		return &types.AttributeValueMemberN{Value: strconv.FormatFloat(v.Float(), 'f', -1, 64)}, nil
	case reflect.Chan, reflect.Func, reflect.UnsafePointer:
		return nil, nil // skipped, as the SDK does
	}
	return nil, fmt.Errorf("attributevalue: cannot encode %s", v.Type())
}

// isZero is the SDK's notion of an empty value for omitempty: structs (and times) never are.
func isZero(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Invalid:
		return true
	case reflect.Array:
		return v.Len() == 0
	case reflect.Map, reflect.Slice, reflect.Interface, reflect.Pointer:
		return v.IsNil()
	case reflect.String:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() == 0
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0
	}
	return false
}

func isNilable(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Invalid:
		return true
	case reflect.Map, reflect.Slice, reflect.Interface, reflect.Pointer:
		return v.IsNil()
	}
	return false
}

func mapKey(k reflect.Value) (string, error) {
	if tm, ok := k.Interface().(encoding.TextMarshaler); ok {
		b, err := tm.MarshalText()
		return string(b), err
	}
	switch k.Kind() {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		s := fmt.Sprint(k.Interface())
		if s == "" {
			return "", fmt.Errorf("attributevalue: map key cannot be empty")
		}
		return s, nil
	}
	return "", fmt.Errorf("attributevalue: map key of %s", k.Type())
}

// fieldByIndex walks to a (possibly embedded) field for encoding; false when a nil embedded
// pointer is on the way.
func fieldByIndex(v reflect.Value, index []int) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, true
}
