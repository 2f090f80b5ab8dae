package ncloud

import (
	"encoding"
	"encoding/xml"
	"reflect"
	"strings"
	"sync"
)

// A plan says where the children of an element go in the struct it decodes
// into, as encoding/xml reads the struct's `xml:"a>b"` tags: a trie of
// element names whose leaves are fields. decodeXMLFast follows plans; a type
// with anything a plan cannot express (attributes, chardata, pointers...)
// gets no plan, and its bodies are left to encoding/xml.
type plan struct {
	children map[string]*plan // by element name
	field    []int            // leaf: the field's index path (embedded structs included)
	kind     fieldKind
	elem     *plan // the plan of a struct field, or of a slice's element struct
	elemType reflect.Type
}

type fieldKind int

const (
	kindNone   fieldKind = iota // an intermediate element of a path (a in a>b)
	kindText                    // an encoding.TextUnmarshaler: the element's own text
	kindString                  // a string: the element's own text
	kindStruct                  // a struct: the element's children
	kindSlice                   // a slice of structs: one more element per occurrence
)

var (
	plansMu           sync.Mutex
	plans             = map[reflect.Type]*plan{} // nil: unsupported, or being built (a recursive type)
	textUnmarshalerT  = reflect.TypeFor[encoding.TextUnmarshaler]()
	xmlUnmarshalerT   = reflect.TypeFor[xml.Unmarshaler]()
	xmlUnmarshalAttrT = reflect.TypeFor[xml.UnmarshalerAttr]()
	xmlNameT          = reflect.TypeFor[xml.Name]()
)

// planOf returns the plan of struct type t, or nil if t has a field a plan
// cannot express.
func planOf(t reflect.Type) *plan {
	plansMu.Lock()
	defer plansMu.Unlock()
	return planLocked(t)
}

func planLocked(t reflect.Type) *plan {
	if p, ok := plans[t]; ok {
		return p
	}
	plans[t] = nil
	p := &plan{children: map[string]*plan{}}
	if !p.addFields(t, nil) {
		return nil
	}
	plans[t] = p
	return p
}

// addFields adds the fields of struct type t (whose index path is prefix)
// to the trie, as encoding/xml would map them.
func (p *plan) addFields(t reflect.Type, prefix []int) bool {
	if t.Kind() != reflect.Struct || t == xmlNameT || implements(t, xmlUnmarshalerT) || implements(t, xmlUnmarshalAttrT) {
		return false
	}
	for i := range t.NumField() {
		f := t.Field(i)
		index := append(append([]int(nil), prefix...), i)
		tag := f.Tag.Get("xml")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			// encoding/xml promotes the fields of an embedded struct.
			if !p.addFields(f.Type, index) {
				return false
			}
			continue
		}
		if !f.IsExported() || f.Name == "XMLName" {
			return false
		}
		if strings.Contains(tag, ",") { // attr, chardata, innerxml, any, omitempty...
			return false
		}
		if tag == "" {
			tag = f.Name
		}
		leaf := &plan{field: index}
		if !leaf.setKind(f.Type) {
			return false
		}
		node := p
		names := strings.Split(tag, ">")
		for _, name := range names[:len(names)-1] {
			next := node.children[name]
			if next == nil {
				next = &plan{children: map[string]*plan{}}
				node.children[name] = next
			} else if next.kind != kindNone {
				return false // a field and a path share a name
			}
			node = next
		}
		if node.children[names[len(names)-1]] != nil {
			return false // two fields for one element
		}
		node.children[names[len(names)-1]] = leaf
	}
	return true
}

// setKind sets how a field of type t is decoded, in encoding/xml's order of
// precedence: xml.Unmarshaler (unsupported), encoding.TextUnmarshaler, then
// by kind.
func (p *plan) setKind(t reflect.Type) bool {
	switch {
	case implements(t, xmlUnmarshalerT) || implements(t, xmlUnmarshalAttrT):
		return false
	case implements(t, textUnmarshalerT):
		p.kind = kindText
	case t.Kind() == reflect.String:
		p.kind = kindString
	case t.Kind() == reflect.Struct:
		p.kind, p.elem = kindStruct, planLocked(t)
		return p.elem != nil
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct && !implements(t.Elem(), textUnmarshalerT):
		p.kind, p.elem, p.elemType = kindSlice, planLocked(t.Elem()), t.Elem()
		return p.elem != nil
	default:
		return false
	}
	return true
}

// implements reports whether t or *t implements iface.
func implements(t, iface reflect.Type) bool {
	return t.Implements(iface) || reflect.PointerTo(t).Implements(iface)
}
