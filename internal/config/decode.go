package config

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

// decodeStruct decodes a YAML mapping into the struct out points to, field by
// field, so that every error names the key it came from. Unknown keys are
// errors. Slices of structs that have a `name` field are decoded element by
// element and their errors name the account ("ncloud account \"main\"").
func decodeStruct(node *yaml.Node, out any) error {
	if node.Kind == yaml.DocumentNode && len(node.Content) == 1 {
		node = node.Content[0]
	}
	if node.Kind == yaml.ScalarNode && node.Tag == "!!null" {
		return nil
	}
	if node.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: expected a mapping, got %s", node.Line, kindName(node))
	}
	v := reflect.ValueOf(out).Elem()
	fields := yamlFields(v.Type())
	seen := map[string]bool{}
	for i := 0; i+1 < len(node.Content); i += 2 {
		key, val := node.Content[i], node.Content[i+1]
		idx, ok := fields[key.Value]
		if !ok {
			return fmt.Errorf("line %d: unknown field %q", key.Line, key.Value)
		}
		if seen[key.Value] {
			return fmt.Errorf("line %d: field %q given twice", key.Line, key.Value)
		}
		seen[key.Value] = true
		f := v.Field(idx)
		if isAccountList(f.Type()) {
			if err := decodeAccounts(key.Value, val, f); err != nil {
				return err
			}
			continue
		}
		if err := val.Decode(f.Addr().Interface()); err != nil {
			if f.Type() == reflect.TypeFor[Global]() {
				// The global section is a scope like an account: its errors
				// read "global: field ...", as validation's do.
				return fmt.Errorf("global: %w", plainYAMLError(err))
			}
			return fmt.Errorf("field %q: %w", key.Value, plainYAMLError(err))
		}
	}
	return nil
}

// decodeAccounts decodes a sequence of accounts of one provider.
func decodeAccounts(provider string, node *yaml.Node, list reflect.Value) error {
	if node.Kind == yaml.ScalarNode && node.Tag == "!!null" {
		return nil
	}
	if node.Kind != yaml.SequenceNode {
		return fmt.Errorf("field %q: line %d: expected a list of accounts, got %s", provider, node.Line, kindName(node))
	}
	elems := reflect.MakeSlice(list.Type(), len(node.Content), len(node.Content))
	for i, item := range node.Content {
		elem := elems.Index(i)
		if d, ok := reflect.TypeAssert[interface{ setDefaults() }](elem.Addr()); ok {
			d.setDefaults()
		}
		if err := decodeStruct(item, elem.Addr().Interface()); err != nil {
			return fmt.Errorf("%s: %w", accountRef(provider, i, accountName(item)), err)
		}
	}
	list.Set(elems)
	return nil
}

// accountRef names an account in errors: by name when it has one, else by
// its position (1-based, as a person counts list items in a file).
func accountRef(provider string, index int, name string) string {
	if name != "" {
		return fmt.Sprintf("%s account %q", provider, name)
	}
	return fmt.Sprintf("%s account #%d", provider, index+1)
}

func accountName(item *yaml.Node) string {
	if item.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(item.Content); i += 2 {
		if item.Content[i].Value == "name" && item.Content[i+1].Kind == yaml.ScalarNode {
			return item.Content[i+1].Value
		}
	}
	return ""
}

func isAccountList(t reflect.Type) bool {
	if t.Kind() != reflect.Slice || t.Elem().Kind() != reflect.Struct {
		return false
	}
	_, ok := yamlFields(t.Elem())["name"]
	return ok
}

func yamlFields(t reflect.Type) map[string]int {
	fields := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		tag := t.Field(i).Tag.Get("yaml")
		name, _, _ := strings.Cut(tag, ",")
		if name != "" && name != "-" {
			fields[name] = i
		}
	}
	return fields
}

// plainYAMLError drops the "yaml: unmarshal errors:" preamble of type
// errors, so that the message reads on one line after the field name.
func plainYAMLError(err error) error {
	if te, ok := errors.AsType[*yaml.TypeError](err); ok {
		return errors.New(strings.Join(te.Errors, "; "))
	}
	return err
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.AliasNode:
		return "an alias"
	default:
		return fmt.Sprintf("the value %q", n.Value)
	}
}
