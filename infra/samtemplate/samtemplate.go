// Package samtemplate reads the project's SAM template (template.yaml) with goformation, so that
// the local runner and the tests take the table definition, the functions and the HTTP routes
// from the one file that is deployed.
package samtemplate

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/awslabs/goformation/v7"
	"github.com/awslabs/goformation/v7/cloudformation"
	cfdynamodb "github.com/awslabs/goformation/v7/cloudformation/dynamodb"
	"gopkg.in/yaml.v3"
)

var parseMu sync.Mutex

// TableResource is the logical id of the application's table in template.yaml.
const TableResource = "Table"

// Template is a parsed template.yaml.
type Template struct {
	cf         *cloudformation.Template
	dir        string
	sqsEvents  map[string]map[string]sqsEvent
	redrive    map[string]redrive
	redriveErr error
	// sesInvoked holds the logical ids of the functions SES may invoke.
	sesInvoked map[string]bool
	// rawRoutes are HttpApi routes written as raw resources (routes.go).
	rawRoutes []rawRoute
}

// Load parses the SAM template at path. It returns an error when the file cannot be read or is
// not a valid template.
func Load(path string) (*Template, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("samtemplate: %w", err)
	}
	known, err := withoutUnknownProperties(data)
	if err != nil {
		return nil, fmt.Errorf("samtemplate: parse %s: %w", path, err)
	}
	// goformation registers YAML tags in a package-level map on every parse: one at a time.
	parseMu.Lock()
	cf, err := goformation.ParseYAML(known)
	parseMu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("samtemplate: parse %s: %w", path, err)
	}
	ev, rd, err := rawSQSEvents(data)
	if err != nil {
		return nil, err
	}
	ses, err := rawSESInvoked(data)
	if err != nil {
		return nil, err
	}
	routes, err := rawHTTPRoutes(data)
	if err != nil {
		return nil, err
	}
	return &Template{cf: cf, dir: filepath.Dir(path), sqsEvents: ev, redrive: rd, sesInvoked: ses, rawRoutes: routes}, nil
}

// Find walks up from the working directory to the first folder holding template.yaml and
// returns its path. It returns an error when there is none.
func Find() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, "template.yaml")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("samtemplate: no template.yaml above the working directory")
		}
		dir = parent
	}
}

// LoadDefault finds and loads the repository's template.yaml.
func LoadDefault() (*Template, error) {
	p, err := Find()
	if err != nil {
		return nil, err
	}
	return Load(p)
}

// Dir is the folder holding the template; CodeUri paths are relative to it.
func (t *Template) Dir() string { return t.dir }

// CloudFormation returns the parsed template for checks this package does not wrap.
func (t *Template) CloudFormation() *cloudformation.Template { return t.cf }

// CreateTableInput returns the CreateTable request for the application's table under the given
// name: key schema, attributes and global secondary indexes exactly as the template declares
// them, billed on demand. It returns an error when the template has no such table.
func (t *Template) CreateTableInput(name string) (*ddb.CreateTableInput, error) {
	tbl, err := t.cf.GetDynamoDBTableWithName(TableResource)
	if err != nil {
		return nil, fmt.Errorf("samtemplate: %w", err)
	}
	in := &ddb.CreateTableInput{
		TableName:   aws.String(name),
		BillingMode: ddbtypes.BillingModePayPerRequest,
	}
	for _, a := range tbl.AttributeDefinitions {
		in.AttributeDefinitions = append(in.AttributeDefinitions, ddbtypes.AttributeDefinition{
			AttributeName: aws.String(a.AttributeName),
			AttributeType: ddbtypes.ScalarAttributeType(a.AttributeType),
		})
	}
	in.KeySchema = keySchema(tbl.KeySchema)
	for _, g := range tbl.GlobalSecondaryIndexes {
		proj := &ddbtypes.Projection{ProjectionType: ddbtypes.ProjectionTypeAll}
		if g.Projection != nil && g.Projection.ProjectionType != nil {
			proj.ProjectionType = ddbtypes.ProjectionType(*g.Projection.ProjectionType)
			proj.NonKeyAttributes = g.Projection.NonKeyAttributes
		}
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, ddbtypes.GlobalSecondaryIndex{
			IndexName:  aws.String(g.IndexName),
			KeySchema:  keySchema(g.KeySchema),
			Projection: proj,
		})
	}
	return in, nil
}

func keySchema(ks []cfdynamodb.Table_KeySchema) []ddbtypes.KeySchemaElement {
	out := make([]ddbtypes.KeySchemaElement, 0, len(ks))
	for _, k := range ks {
		out = append(out, ddbtypes.KeySchemaElement{
			AttributeName: aws.String(k.AttributeName),
			KeyType:       ddbtypes.KeyType(k.KeyType),
		})
	}
	return out
}

// newerProperties are properties of SAM resources that goformation v7's models lack (it refuses
// a template that has them); nothing here reads them from goformation.
var newerProperties = map[string][]string{
	"AWS::Serverless::Function":    {"LoggingConfig"},
	"AWS::Serverless::HttpApi":     {"AccessLogSettings", "DefaultRouteSettings"},
	"AWS::Cognito::UserPoolDomain": {"ManagedLoginVersion"},
}

// withoutUnknownProperties returns the template with newerProperties removed, for goformation.
// It returns an error when data is not YAML.
func withoutUnknownProperties(data []byte) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	changed := false
	if len(doc.Content) == 1 {
		resources := mapValue(doc.Content[0], "Resources")
		for i := 0; resources != nil && i+1 < len(resources.Content); i += 2 {
			r := resources.Content[i+1]
			typ, props := mapValue(r, "Type"), mapValue(r, "Properties")
			if typ == nil || props == nil {
				continue
			}
			for _, name := range newerProperties[typ.Value] {
				for j := 0; j+1 < len(props.Content); j += 2 {
					if props.Content[j].Value == name {
						props.Content = append(props.Content[:j], props.Content[j+2:]...)
						changed = true
						break
					}
				}
			}
		}
	}
	if !changed {
		return data, nil
	}
	return yaml.Marshal(&doc)
}

// mapValue returns the value of key in the mapping node m, or nil.
func mapValue(m *yaml.Node, key string) *yaml.Node {
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
