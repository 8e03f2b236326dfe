package devdb

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"gopkg.in/yaml.v3"
)

// tableResourceType is the CloudFormation type of the table resource that
// LoadTableSpec reads.
const tableResourceType = "AWS::DynamoDB::Table"

// TableSpec is the part of a CloudFormation table definition that
// CreateTable needs to build a local copy of the table.
//
// NOTE: secondary indexes, TTL and streams are not copied. Add them here when
// template.yaml gains them, or the local table will differ from the deployed
// one.
type TableSpec struct {
	// ResourceName is the logical ID of the table in the template, for
	// messages.
	ResourceName string
	// KeySchema is the table's partition key and optional sort key.
	KeySchema []types.KeySchemaElement
	// AttributeDefinitions declares the type of every key attribute.
	AttributeDefinitions []types.AttributeDefinition
	// BillingMode is the table's capacity mode. CloudFormation's default,
	// PROVISIONED, applies when the template does not set it.
	BillingMode types.BillingMode
}

// ModuleRoot returns the directory that contains go.mod, searching the
// working directory and then each parent in turn. Tests run in their package
// directory, so this is how they find files at the repository root. It
// returns an error when no parent contains go.mod.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("get working directory: %w", err)
	}

	for {
		_, err := os.Stat(filepath.Join(dir, "go.mod"))
		if err == nil {
			return dir, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("look for go.mod in %s: %w", dir, err)
		}

		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found in the working directory or any parent: run the command inside the repository")
		}
		dir = parent
	}
}

// FindTemplate returns the path of template.yaml in the module root (see
// [ModuleRoot]). It returns an error when there is no module root or the
// file is missing there.
func FindTemplate() (string, error) {
	root, err := ModuleRoot()
	if err != nil {
		return "", err
	}

	path := filepath.Join(root, "template.yaml")
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("find SAM template: %w", err)
	}
	return path, nil
}

// LoadTableSpec reads the AWS SAM or CloudFormation template at templatePath
// and returns the key schema, attribute definitions and billing mode of its
// only AWS::DynamoDB::Table resource.
//
// The template is decoded into yaml.Node values, so short-form intrinsic
// functions such as !Ref and !GetAtt elsewhere in the file parse as tagged
// nodes. The table's key properties must be literal values.
//
// LoadTableSpec returns an error when the file cannot be read or parsed, or
// when it has no table or more than one. It also returns an error when a key
// property is missing, is not a literal or is not a value DynamoDB accepts.
// Each error names the file, and the line where one applies.
func LoadTableSpec(templatePath string) (TableSpec, error) {
	data, err := os.ReadFile(templatePath)
	if err != nil {
		return TableSpec{}, fmt.Errorf("read template: %w", err)
	}

	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return TableSpec{}, fmt.Errorf("parse template %s: %w", templatePath, err)
	}

	p := parser{path: templatePath}
	return p.tableSpec(&doc)
}

// parser walks a decoded template and builds errors that name the file, the
// line and the property path.
type parser struct {
	path string
}

func (p parser) errorf(n *yaml.Node, format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s", p.path, n.Line, fmt.Sprintf(format, args...))
}

func (p parser) tableSpec(doc *yaml.Node) (TableSpec, error) {
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return TableSpec{}, fmt.Errorf("template %s is empty", p.path)
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return TableSpec{}, p.errorf(root, "template is not a YAML mapping")
	}

	resources := lookup(root, "Resources")
	if resources == nil || resources.Kind != yaml.MappingNode {
		return TableSpec{}, p.errorf(root, "template has no Resources mapping")
	}

	name, table, err := p.findTable(resources)
	if err != nil {
		return TableSpec{}, err
	}

	props := lookup(table, "Properties")
	if props == nil || props.Kind != yaml.MappingNode {
		return TableSpec{}, p.errorf(table, "%s has no Properties mapping", name)
	}

	spec := TableSpec{ResourceName: name}
	spec.KeySchema, err = p.keySchema(name, props)
	if err != nil {
		return TableSpec{}, err
	}
	spec.AttributeDefinitions, err = p.attributeDefinitions(name, props)
	if err != nil {
		return TableSpec{}, err
	}
	spec.BillingMode, err = p.billingMode(name, props)
	if err != nil {
		return TableSpec{}, err
	}
	return spec, nil
}

// findTable returns the logical ID and node of the only table resource.
func (p parser) findTable(resources *yaml.Node) (string, *yaml.Node, error) {
	var names []string
	var tables []*yaml.Node
	for i := 0; i+1 < len(resources.Content); i += 2 {
		name, resource := resources.Content[i].Value, resources.Content[i+1]
		typ := lookup(resource, "Type")
		if typ != nil && typ.Kind == yaml.ScalarNode && typ.Value == tableResourceType {
			names = append(names, name)
			tables = append(tables, resource)
		}
	}

	switch len(tables) {
	case 0:
		return "", nil, p.errorf(resources, "no resource of type %s in Resources", tableResourceType)
	case 1:
		return names[0], tables[0], nil
	default:
		return "", nil, p.errorf(resources, "%d resources of type %s (%v), expected exactly one", len(tables), tableResourceType, names)
	}
}

func (p parser) keySchema(table string, props *yaml.Node) ([]types.KeySchemaElement, error) {
	elements, err := p.sequence(props, table, "KeySchema")
	if err != nil {
		return nil, err
	}

	keys := make([]types.KeySchemaElement, 0, len(elements))
	for i, element := range elements {
		where := table + ".Properties.KeySchema[" + strconv.Itoa(i) + "]"
		name, err := p.literal(element, where, "AttributeName")
		if err != nil {
			return nil, err
		}
		keyType, err := p.literal(element, where, "KeyType")
		if err != nil {
			return nil, err
		}
		if !isOneOf(keyType, types.KeyType("").Values()) {
			return nil, p.errorf(element, "%s.KeyType is %q, expected one of %v", where, keyType, types.KeyType("").Values())
		}
		keys = append(keys, types.KeySchemaElement{AttributeName: &name, KeyType: types.KeyType(keyType)})
	}
	return keys, nil
}

func (p parser) attributeDefinitions(table string, props *yaml.Node) ([]types.AttributeDefinition, error) {
	elements, err := p.sequence(props, table, "AttributeDefinitions")
	if err != nil {
		return nil, err
	}

	definitions := make([]types.AttributeDefinition, 0, len(elements))
	for i, element := range elements {
		where := table + ".Properties.AttributeDefinitions[" + strconv.Itoa(i) + "]"
		name, err := p.literal(element, where, "AttributeName")
		if err != nil {
			return nil, err
		}
		attributeType, err := p.literal(element, where, "AttributeType")
		if err != nil {
			return nil, err
		}
		if !isOneOf(attributeType, types.ScalarAttributeType("").Values()) {
			return nil, p.errorf(element, "%s.AttributeType is %q, expected one of %v", where, attributeType, types.ScalarAttributeType("").Values())
		}
		definitions = append(definitions, types.AttributeDefinition{AttributeName: &name, AttributeType: types.ScalarAttributeType(attributeType)})
	}
	return definitions, nil
}

func (p parser) billingMode(table string, props *yaml.Node) (types.BillingMode, error) {
	if lookup(props, "BillingMode") == nil {
		return types.BillingModeProvisioned, nil
	}

	mode, err := p.literal(props, table+".Properties", "BillingMode")
	if err != nil {
		return "", err
	}
	if !isOneOf(mode, types.BillingMode("").Values()) {
		return "", p.errorf(props, "%s.Properties.BillingMode is %q, expected one of %v", table, mode, types.BillingMode("").Values())
	}
	return types.BillingMode(mode), nil
}

// sequence returns the items of the property key of the table, which must be
// a non-empty list.
func (p parser) sequence(props *yaml.Node, table, key string) ([]*yaml.Node, error) {
	where := table + ".Properties." + key
	n := lookup(props, key)
	if n == nil {
		return nil, p.errorf(props, "%s is missing", where)
	}
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		return nil, p.errorf(n, "%s must be a non-empty list", where)
	}
	return n.Content, nil
}

// literal returns the plain scalar value of key in the mapping m. Tagged
// values such as !Ref are rejected because a local table needs a value that
// can be read without deploying the stack.
func (p parser) literal(m *yaml.Node, where, key string) (string, error) {
	if m.Kind != yaml.MappingNode {
		return "", p.errorf(m, "%s must be a mapping", where)
	}
	n := lookup(m, key)
	if n == nil {
		return "", p.errorf(m, "%s.%s is missing", where, key)
	}
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" || n.Value == "" {
		return "", p.errorf(n, "%s.%s must be a literal string", where, key)
	}
	return n.Value, nil
}

// lookup returns the value of key in the mapping m, or nil when m is not a
// mapping or has no such key.
func lookup(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func isOneOf[T ~string](value string, allowed []T) bool {
	for _, a := range allowed {
		if string(a) == value {
			return true
		}
	}
	return false
}
