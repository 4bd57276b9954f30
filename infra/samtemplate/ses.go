package samtemplate

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// sesPrincipal is the service principal of Amazon SES.
const sesPrincipal = "ses.amazonaws.com"

// rawSESInvoked reads from the template's YAML which functions SES may invoke: the logical id
// named by the FunctionName of every AWS::Lambda::Permission that grants lambda:InvokeFunction to
// ses.amazonaws.com (SAM has no SES event source; a receipt rule's Lambda action needs this
// permission). goformation resolves !Ref and !GetAtt to nothing, hence the YAML. It returns an
// error when such a permission names its function other than by !Ref Function or
// !GetAtt Function.Arn.
func rawSESInvoked(data []byte) (map[string]bool, error) {
	var doc struct {
		Resources map[string]struct {
			Type       string `yaml:"Type"`
			Properties struct {
				Action       string    `yaml:"Action"`
				Principal    string    `yaml:"Principal"`
				FunctionName yaml.Node `yaml:"FunctionName"`
			} `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("samtemplate: %w", err)
	}
	out := map[string]bool{}
	for id, r := range doc.Resources {
		p := r.Properties
		if r.Type != "AWS::Lambda::Permission" || p.Principal != sesPrincipal || p.Action != "lambda:InvokeFunction" {
			continue
		}
		fn := functionRef(p.FunctionName)
		if fn == "" {
			return nil, fmt.Errorf("samtemplate: %s: FunctionName must be !Ref Function or !GetAtt Function.Arn", id)
		}
		out[fn] = true
	}
	return out, nil
}

// functionRef returns the logical id that n (!Ref X, !GetAtt X.Arn or !GetAtt [X, Arn]) names,
// or "".
func functionRef(n yaml.Node) string {
	switch {
	case n.Kind == yaml.ScalarNode && n.Tag == "!Ref":
		return n.Value
	case n.Kind == yaml.ScalarNode && n.Tag == "!GetAtt" && strings.HasSuffix(n.Value, ".Arn"):
		return strings.TrimSuffix(n.Value, ".Arn")
	case n.Kind == yaml.SequenceNode && n.Tag == "!GetAtt" && len(n.Content) == 2 && n.Content[1].Value == "Arn":
		return n.Content[0].Value
	}
	return ""
}
