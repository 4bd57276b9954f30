package samtemplate

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// sesTemplate is a SAM template with the functions A and B and the permission resources perms.
func sesTemplate(t *testing.T, perms string) string {
	t.Helper()
	doc := `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  A:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/a/
      Runtime: provided.al2023
      Handler: bootstrap
  B:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/b/
      Runtime: provided.al2023
      Handler: bootstrap
  Bucket:
    Type: AWS::S3::Bucket
` + perms
	p := filepath.Join(t.TempDir(), "template.yaml")
	if err := os.WriteFile(p, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// permission is an AWS::Lambda::Permission resource named id.
func permission(id, action, functionName, principal string) string {
	return "  " + id + ":\n    Type: AWS::Lambda::Permission\n    Properties:\n" +
		"      Action: " + action + "\n      FunctionName: " + functionName + "\n      Principal: " + principal + "\n"
}

func TestFunctionsInvokedBySES(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		perms   string
		want    []string // functions with SES set
		loadErr string   // an error of Load
		fnErr   string   // an error of Functions
	}{
		{name: "no permission", want: nil},
		{name: "!Ref", perms: permission("P", "lambda:InvokeFunction", "!Ref A", "ses.amazonaws.com"), want: []string{"A"}},
		{name: "!GetAtt Arn", perms: permission("P", "lambda:InvokeFunction", "!GetAtt B.Arn", "ses.amazonaws.com"), want: []string{"B"}},
		{name: "!GetAtt list", perms: permission("P", "lambda:InvokeFunction", "!GetAtt [A, Arn]", "ses.amazonaws.com"), want: []string{"A"}},
		{
			name: "both",
			perms: permission("P", "lambda:InvokeFunction", "!Ref A", "ses.amazonaws.com") +
				permission("Q", "lambda:InvokeFunction", "!Ref B", "ses.amazonaws.com"),
			want: []string{"A", "B"},
		},
		{name: "another service", perms: permission("P", "lambda:InvokeFunction", "!Ref A", "s3.amazonaws.com"), want: nil},
		{name: "another action", perms: permission("P", "lambda:InvokeFunctionUrl", "!Ref A", "ses.amazonaws.com"), want: nil},
		{
			name:    "function named by a literal ARN",
			perms:   permission("P", "lambda:InvokeFunction", "arn:aws:lambda:us-east-1:123456789012:function:a", "ses.amazonaws.com"),
			loadErr: "P: FunctionName must be",
		},
		{
			name:  "permission on something else",
			perms: permission("P", "lambda:InvokeFunction", "!Ref Bucket", "ses.amazonaws.com"),
			fnErr: "names Bucket, which is not a serverless function",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			tpl, err := Load(sesTemplate(t, c.perms))
			if c.loadErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.loadErr) {
					t.Fatalf("Load error = %v, want one containing %q", err, c.loadErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			fns, err := tpl.Functions()
			if c.fnErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.fnErr) {
					t.Fatalf("Functions error = %v, want one containing %q", err, c.fnErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(fns) != 2 {
				t.Fatalf("functions = %+v", fns)
			}
			var got []string
			for _, f := range fns {
				if f.SES {
					got = append(got, f.LogicalID)
				}
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("SES functions = %v, want %v", got, c.want)
			}
		})
	}
}

// The email function is the one SES invokes, and every function a receipt rule's Lambda action
// names may be invoked by SES (else creating the rule fails).
func TestTemplateSESFunctions(t *testing.T) {
	t.Parallel()
	path, err := Find()
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	fns, err := tpl.Functions()
	if err != nil {
		t.Fatal(err)
	}
	ses := map[string]bool{}
	var got []string
	for _, f := range fns {
		if f.SES {
			ses[f.LogicalID] = true
			got = append(got, f.LogicalID)
		}
	}
	if !slices.Equal(got, []string{"EmailFunction"}) {
		t.Fatalf("functions SES may invoke = %v, want [EmailFunction]", got)
	}

	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Resources map[string]struct {
			Type       string `yaml:"Type"`
			Properties struct {
				Rule struct {
					Actions []struct {
						LambdaAction *struct {
							FunctionArn yaml.Node `yaml:"FunctionArn"`
						} `yaml:"LambdaAction"`
					} `yaml:"Actions"`
				} `yaml:"Rule"`
			} `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var invoked []string
	for id, r := range doc.Resources {
		if r.Type != "AWS::SES::ReceiptRule" {
			continue
		}
		for _, a := range r.Properties.Rule.Actions {
			if a.LambdaAction == nil {
				continue
			}
			fn := functionRef(a.LambdaAction.FunctionArn)
			invoked = append(invoked, fn)
			if !ses[fn] {
				t.Errorf("receipt rule %s invokes %q, which has no permission for SES", id, fn)
			}
		}
	}
	if len(invoked) == 0 {
		t.Error("no receipt rule invokes a function")
	}
}
