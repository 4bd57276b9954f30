package attributevalue

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/openinbox/inbox/shared/dynamodb/types"
)

// decode stores av in v, allocating pointers on the way; NULL sets v to its zero value.
func decode(av types.AttributeValue, v reflect.Value, t tag) error {
	if _, ok := av.(*types.AttributeValueMemberNULL); ok || av == nil {
		if v.CanSet() {
			v.Set(reflect.Zero(v.Type()))
		}
		return nil
	}
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		v = v.Elem()
	}
	switch a := av.(type) {
	case *types.AttributeValueMemberS:
		return decodeString(a.Value, v)
	case *types.AttributeValueMemberN:
		return decodeNumber(a.Value, v, t)
	case *types.AttributeValueMemberBOOL:
		if v.Kind() == reflect.Interface || v.Kind() == reflect.Bool {
			v.Set(reflect.ValueOf(a.Value).Convert(v.Type()))
			return nil
		}
	case *types.AttributeValueMemberB:
		if v.Kind() == reflect.Interface {
			v.Set(reflect.ValueOf(a.Value))
			return nil
		}
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			b := reflect.MakeSlice(v.Type(), len(a.Value), len(a.Value))
			reflect.Copy(b, reflect.ValueOf(a.Value))
			v.Set(b)
			return nil
		}
	case *types.AttributeValueMemberSS:
		return decodeList(len(a.Value), v, func(i int, e reflect.Value) error { return decodeString(a.Value[i], e) })
	case *types.AttributeValueMemberNS:
		return decodeList(len(a.Value), v, func(i int, e reflect.Value) error { return decodeNumber(a.Value[i], e, tag{}) })
	case *types.AttributeValueMemberL:
		return decodeList(len(a.Value), v, func(i int, e reflect.Value) error { return decode(a.Value[i], e, tag{}) })
	case *types.AttributeValueMemberM:
		return decodeMap(a.Value, v)
	}
	return mismatch(av, v)
}

func mismatch(av types.AttributeValue, v reflect.Value) error {
	return fmt.Errorf("attributevalue: cannot decode %T into %s", av, v.Type())
}

func decodeString(s string, v reflect.Value) error {
	if v.Type().ConvertibleTo(timeType) {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return fmt.Errorf("attributevalue: %w", err)
		}
		v.Set(reflect.ValueOf(tm).Convert(v.Type()))
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Interface:
		v.Set(reflect.ValueOf(s))
	default:
		return fmt.Errorf("attributevalue: cannot decode a string into %s", v.Type())
	}
	return nil
}

func decodeNumber(n string, v reflect.Value, t tag) error {
	switch v.Kind() {
	case reflect.Interface:
		f, err := strconv.ParseFloat(n, 64)
		if err != nil {
			return err
		}
		v.Set(reflect.ValueOf(f))
	case reflect.String:
		v.SetString(n)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		i, err := strconv.ParseInt(n, 10, 64)
		if err != nil {
			return err
		}
		if v.OverflowInt(i) {
			return fmt.Errorf("attributevalue: number overflow, %s into %s", n, v.Type())
		}
		v.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		i, err := strconv.ParseUint(n, 10, 64)
		if err != nil {
			return err
		}
		if v.OverflowUint(i) {
			return fmt.Errorf("attributevalue: number overflow, %s into %s", n, v.Type())
		}
		v.SetUint(i)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(n, 64)
		if err != nil {
			return err
		}
		if v.OverflowFloat(f) {
			return fmt.Errorf("attributevalue: number overflow, %s into %s", n, v.Type())
		}
		v.SetFloat(f)
	default:
		if v.Type().ConvertibleTo(timeType) { // Unix seconds, as the SDK reads them
			s, err := strconv.ParseInt(n, 10, 64)
			if err != nil {
				return err
			}
			v.Set(reflect.ValueOf(time.Unix(s, 0)).Convert(v.Type()))
			return nil
		}
		return fmt.Errorf("attributevalue: cannot decode a number into %s", v.Type())
	}
	return nil
}

// decodeList fills slice (or array) v with n elements decoded by elem; a slice too small is
// replaced, as the SDK does.
func decodeList(n int, v reflect.Value, elem func(i int, e reflect.Value) error) error {
	switch v.Kind() {
	case reflect.Slice:
		if v.IsNil() || v.Cap() < n {
			v.Set(reflect.MakeSlice(v.Type(), 0, n))
		}
		for i := range n {
			v.SetLen(i + 1)
			if err := elem(i, v.Index(i)); err != nil {
				return err
			}
		}
		return nil
	case reflect.Array:
		for i := 0; i < n && i < v.Len(); i++ {
			if err := elem(i, v.Index(i)); err != nil {
				return err
			}
		}
		return nil
	case reflect.Interface:
		s := make([]any, n)
		for i := range n {
			if err := elem(i, reflect.ValueOf(&s[i]).Elem()); err != nil {
				return err
			}
		}
		v.Set(reflect.ValueOf(s))
		return nil
	}
	return fmt.Errorf("attributevalue: cannot decode a list or set into %s", v.Type())
}

func decodeMap(m map[string]types.AttributeValue, v reflect.Value) error {
	switch v.Kind() {
	case reflect.Interface:
		out := make(map[string]any, len(m))
		for k, av := range m {
			var e any
			if err := decode(av, reflect.ValueOf(&e).Elem(), tag{}); err != nil {
				return err
			}
			out[k] = e
		}
		v.Set(reflect.ValueOf(out))
		return nil
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return fmt.Errorf("attributevalue: cannot decode a map into %s", v.Type())
		}
		if v.IsNil() {
			v.Set(reflect.MakeMap(v.Type()))
		}
		for k, av := range m {
			e := reflect.New(v.Type().Elem()).Elem()
			if err := decode(av, e, tag{}); err != nil {
				return err
			}
			v.SetMapIndex(reflect.ValueOf(k).Convert(v.Type().Key()), e)
		}
		return nil
	case reflect.Struct:
		fields := fieldsOf(v.Type())
		for k, av := range m {
			f, ok := fieldNamed(fields, k)
			if !ok {
				continue
			}
			if err := decode(av, settableField(v, f.index), f.tag); err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
		}
		return nil
	}
	return fmt.Errorf("attributevalue: cannot decode a map into %s", v.Type())
}

// fieldNamed finds the field of an attribute: by its exact name, else ignoring case.
func fieldNamed(fields []field, name string) (field, bool) {
	for _, f := range fields {
		if f.name == name {
			return f, true
		}
	}
	for _, f := range fields {
		if strings.EqualFold(f.name, name) {
			return f, true
		}
	}
	return field{}, false
}

// settableField walks to a (possibly embedded) field for decoding, allocating nil embedded
// pointers.
func settableField(v reflect.Value, index []int) reflect.Value {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v
}
