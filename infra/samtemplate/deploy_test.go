package samtemplate

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// rawTemplate is template.yaml as plain YAML: what goformation drops (policies, metadata,
// intrinsic functions) is read from here.
type rawTemplate struct {
	Rules      map[string]rawRule   `yaml:"Rules"`
	Conditions map[string]yaml.Node `yaml:"Conditions"`
	Resources  map[string]struct {
		Type                string               `yaml:"Type"`
		DeletionPolicy      string               `yaml:"DeletionPolicy"`
		UpdateReplacePolicy string               `yaml:"UpdateReplacePolicy"`
		Metadata            map[string]any       `yaml:"Metadata"`
		Properties          map[string]yaml.Node `yaml:"Properties"`
		Condition           string               `yaml:"Condition"`
	} `yaml:"Resources"`
	Outputs map[string]struct {
		Condition string    `yaml:"Condition"`
		Value     yaml.Node `yaml:"Value"`
	} `yaml:"Outputs"`
}

type rawRule struct {
	RuleCondition yaml.Node `yaml:"RuleCondition"`
	Assertions    []struct {
		Assert            yaml.Node `yaml:"Assert"`
		AssertDescription string    `yaml:"AssertDescription"`
	} `yaml:"Assertions"`
}

// readTemplate returns the path and the text of the repository's template.yaml.
func readTemplate(t *testing.T) (string, []byte) {
	t.Helper()
	path, err := Find()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, data
}

// loadRaw reads the repository's template.yaml and returns it with its folder.
func loadRaw(t *testing.T) (rawTemplate, string) {
	t.Helper()
	path, data := readTemplate(t)
	var doc rawTemplate
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return doc, filepath.Dir(path)
}

// Stateful resources say what happens to their data when the stack is deleted or CloudFormation
// replaces them (cfn-lint's I3011); those whose loss cannot be undone are kept in both cases.
func TestStatefulResourcesDeclareDeletionAndReplacement(t *testing.T) {
	t.Parallel()
	doc, _ := loadRaw(t)
	stateful := map[string]bool{
		"AWS::DynamoDB::Table": true, "AWS::SecretsManager::Secret": true, "AWS::Cognito::UserPool": true,
		"AWS::SQS::Queue": true, "AWS::S3::Bucket": true, "AWS::Logs::LogGroup": true,
	}
	// The channel secrets' sealing key, the data, the agents and the files: never lost.
	kept := []string{"Table", "SealingKey", "UserPool", "MediaBucket", "RawMailBucket"}
	seen := 0
	for id, r := range doc.Resources {
		if !stateful[r.Type] {
			continue
		}
		seen++
		if r.DeletionPolicy == "" || r.UpdateReplacePolicy == "" {
			t.Errorf("%s (%s): DeletionPolicy %q, UpdateReplacePolicy %q: declare both", id, r.Type, r.DeletionPolicy, r.UpdateReplacePolicy)
		}
		if slices.Contains(kept, id) && (r.DeletionPolicy != "Retain" || r.UpdateReplacePolicy != "Retain") {
			t.Errorf("%s: DeletionPolicy %q, UpdateReplacePolicy %q, want Retain for both", id, r.DeletionPolicy, r.UpdateReplacePolicy)
		}
		// A dead-letter queue holds what needs a person: kept with the stack's deletion.
		if r.Type == "AWS::SQS::Queue" && strings.HasSuffix(id, "DLQ") && r.DeletionPolicy != "Retain" {
			t.Errorf("%s: DeletionPolicy %q, want Retain", id, r.DeletionPolicy)
		}
	}
	for _, id := range kept {
		if _, ok := doc.Resources[id]; !ok {
			t.Errorf("no resource %s", id)
		}
	}
	if seen < 10 {
		t.Errorf("only %d stateful resources found", seen)
	}
	if pool := doc.Resources["UserPool"].Properties["DeletionProtection"]; pool.Value != "ACTIVE" {
		t.Errorf("UserPool DeletionProtection = %q, want ACTIVE", pool.Value)
	}
}

// CloudFormation generates a new value for the sealing key whenever its GenerateSecretString
// changes, and a new secret when its Name changes: either makes every stored channel secret
// unreadable. Its properties are frozen here; change this test only with a migration.
func TestSealingKeyIsNeverRegenerated(t *testing.T) {
	t.Parallel()
	doc, _ := loadRaw(t)
	r, ok := doc.Resources["SealingKey"]
	if !ok {
		t.Fatal("no SealingKey")
	}
	var keys []string
	for k := range r.Properties {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"Description", "GenerateSecretString"}; !slices.Equal(keys, want) {
		t.Errorf("SealingKey properties = %v, want exactly %v (a Name or KmsKeyId change replaces or re-encrypts it)", keys, want)
	}
	var gen map[string]any
	g := r.Properties["GenerateSecretString"]
	if err := g.Decode(&gen); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"PasswordLength": 64, "ExcludePunctuation": true}
	if len(gen) != len(want) || gen["PasswordLength"] != 64 || gen["ExcludePunctuation"] != true {
		t.Errorf("SealingKey GenerateSecretString = %v, want %v: any change generates a new key on the next deploy", gen, want)
	}
}

// sam build compiles every function with the Makefile's build-<LogicalId> target: the flags of
// make build (no cgo, lambda.norpc, stripped, trimmed), the main package in CodeUri. Shown by
// make itself (-n prints the commands without running them).
func TestSamBuildUsesTheMakefile(t *testing.T) {
	t.Parallel()
	doc, dir := loadRaw(t)
	if _, err := exec.LookPath("make"); err != nil {
		t.Fatal("make is not installed: make test and CI run with it")
	}
	fns := 0
	for id, r := range doc.Resources {
		if r.Type != "AWS::Serverless::Function" {
			continue
		}
		fns++
		m := r.Metadata
		if m["BuildMethod"] != "makefile" || m["ContextPath"] != "." || m["ProjectRootDirectory"] != "." {
			t.Errorf("%s Metadata = %v, want BuildMethod makefile, ContextPath and ProjectRootDirectory \".\"", id, m)
			continue
		}
		name := strings.ToLower(strings.TrimSuffix(id, "Function"))
		code := r.Properties["CodeUri"].Value
		if strings.TrimSuffix(code, "/") != "functions/"+name || !strings.HasSuffix(id, "Function") {
			t.Errorf("%s: CodeUri %q, want functions/%s/ (the Makefile builds XyzFunction from functions/xyz)", id, code, name)
			continue
		}
		cmd := exec.Command("make", "-s", "-n", "build-"+id, "ARTIFACTS_DIR=/artifacts/"+id)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("make -n build-%s: %v\n%s", id, err, out)
			continue
		}
		got := string(out)
		for _, want := range []string{"GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0", "-tags lambda.norpc", "-trimpath", "-ldflags='-s -w'",
			"-o /artifacts/" + id + "/bootstrap", "./functions/" + name} {
			if !strings.Contains(got, want) {
				t.Errorf("make build-%s runs %q: no %q", id, strings.TrimSpace(got), want)
			}
		}
	}
	if fns == 0 {
		t.Fatal("no functions")
	}
	// make build compiles the same way.
	cmd := exec.Command("make", "-s", "-n", "build")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "CGO_ENABLED=0 go build -tags lambda.norpc -trimpath -ldflags='-s -w'") {
		t.Errorf("make -n build: %v\n%s", err, out)
	}
}

// samconfig reads as TOML sections of key = value lines: enough for this file.
func readSamconfig(t *testing.T, dir string) map[string]map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "samconfig.toml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]map[string]string{}
	section := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "["):
			section = strings.Trim(line, "[]")
			out[section] = map[string]string{}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				t.Fatalf("samconfig.toml: %q", line)
			}
			if out[section] == nil {
				out[section] = map[string]string{}
			}
			out[section][strings.TrimSpace(k)] = strings.Trim(strings.TrimSpace(v), `"`)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// sam build never reuses a build (its cache hashes only CodeUri, not shared/), and sam sync,
// which hot-patches functions, has a stack of its own and cannot default to the deployed one.
func TestSamconfigBuildsFreshAndSyncsItsOwnStack(t *testing.T) {
	t.Parallel()
	_, dir := loadRaw(t)
	cfg := readSamconfig(t, dir)
	if b := cfg["default.build.parameters"]; b["cached"] != "false" {
		t.Errorf("default build: cached = %q, want false", b["cached"])
	}
	for section, kv := range cfg {
		if _, ok := kv["stack_name"]; ok && strings.Contains(section, "global") {
			t.Errorf("[%s] sets stack_name: sam sync would take it", section)
		}
		if strings.HasSuffix(section, ".build.parameters") && kv["cached"] == "true" {
			t.Errorf("[%s] cached = true", section)
		}
	}
	deploy := cfg["default.deploy.parameters"]["stack_name"]
	if deploy == "" {
		t.Error("no stack_name in [default.deploy.parameters]")
	}
	if _, ok := cfg["default.sync.parameters"]; ok {
		t.Error("[default.sync.parameters]: sam sync must name its environment (--config-env dev)")
	}
	sync := cfg["dev.sync.parameters"]["stack_name"]
	if sync == "" || sync == deploy {
		t.Errorf("[dev.sync.parameters] stack_name = %q, want one of its own (deploy: %q)", sync, deploy)
	}
}

var regionName = regexp.MustCompile("`([a-z]{2}(?:-[a-z]+)+-[0-9])`")

// readmeRegions returns the regions named in backquotes in the README paragraph that begins
// with prefix (a line under the "### Regions" heading).
func readmeRegions(t *testing.T, dir, prefix string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(data), "\n### Regions\n")
	if !ok {
		t.Fatal(`README has no "### Regions" section`)
	}
	sec, _, _ = strings.Cut(sec, "\n#")
	for _, para := range strings.Split(sec, "\n\n") {
		if !strings.HasPrefix(strings.TrimSpace(para), prefix) {
			continue
		}
		var out []string
		for _, m := range regionName.FindAllStringSubmatch(para, -1) {
			out = append(out, m[1])
		}
		slices.Sort(out)
		return out
	}
	t.Fatalf("README's Regions section has no paragraph beginning %q", prefix)
	return nil
}

// cfn-lint checks the template in exactly the regions the README supports, and the template
// creates SES receiving resources in exactly the regions the README lists for team email (a
// subset: elsewhere they do not exist and the deploy would fail).
func TestRegionsAgreeWithTheReadme(t *testing.T) {
	t.Parallel()
	doc, dir := loadRaw(t)
	data, err := os.ReadFile(filepath.Join(dir, ".cfnlintrc.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var rc struct {
		Regions       []string `yaml:"regions"`
		IncludeChecks []string `yaml:"include_checks"`
		Templates     []string `yaml:"templates"`
	}
	if err := yaml.Unmarshal(data, &rc); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(rc.IncludeChecks, "I") || !slices.Equal(rc.Templates, []string{"template.yaml"}) {
		t.Errorf(".cfnlintrc.yaml: include_checks %v, templates %v", rc.IncludeChecks, rc.Templates)
	}
	slices.Sort(rc.Regions)
	all := readmeRegions(t, dir, "The stack deploys in")
	if !slices.Equal(rc.Regions, all) {
		t.Errorf(".cfnlintrc.yaml regions = %v\nREADME = %v", rc.Regions, all)
	}

	var ses []string
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Tag == "!Equals" && len(n.Content) == 2 && n.Content[0].Value == "AWS::Region" {
			ses = append(ses, n.Content[1].Value)
			return
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	cond := doc.Conditions["SesReceivesEmail"]
	walk(&cond)
	slices.Sort(ses)
	if want := readmeRegions(t, dir, "Team email"); len(ses) == 0 || !slices.Equal(ses, want) {
		t.Errorf("template SesReceivesEmail regions = %v\nREADME team email = %v", ses, want)
	}
	for _, r := range ses {
		if !slices.Contains(all, r) {
			t.Errorf("team email region %s is not a supported region", r)
		}
	}
	for id, r := range doc.Resources {
		if strings.HasPrefix(r.Type, "AWS::SES::Receipt") && r.Condition != "HasInboundEmail" {
			t.Errorf("%s: Condition %q, want HasInboundEmail (which requires SesReceivesEmail)", id, r.Condition)
		}
	}
}

// infra/stack-policy.json (set once after the first deploy, README) makes CloudFormation refuse
// any update of the sealing key and any replacement of the stores, whatever the template says.
func TestStackPolicyProtectsTheKeyAndTheStores(t *testing.T) {
	t.Parallel()
	doc, dir := loadRaw(t)
	data, err := os.ReadFile(filepath.Join(dir, "infra", "stack-policy.json"))
	if err != nil {
		t.Fatal(err)
	}
	var pol struct {
		Statement []struct {
			Effect   string
			Action   any
			Resource any
		}
	}
	if err := json.Unmarshal(data, &pol); err != nil {
		t.Fatal(err)
	}
	list := func(v any) []string {
		switch v := v.(type) {
		case string:
			return []string{v}
		case []any:
			var out []string
			for _, s := range v {
				out = append(out, fmt.Sprint(s))
			}
			return out
		}
		return nil
	}
	denied := map[string][]string{}
	for _, s := range pol.Statement {
		if s.Effect != "Deny" {
			continue
		}
		for _, r := range list(s.Resource) {
			id := strings.TrimPrefix(r, "LogicalResourceId/")
			if _, ok := doc.Resources[id]; !ok {
				t.Errorf("stack policy names %s, which the template does not have", r)
			}
			denied[id] = append(denied[id], list(s.Action)...)
		}
	}
	if !slices.Contains(denied["SealingKey"], "Update:*") {
		t.Errorf("SealingKey: denied %v, want Update:*", denied["SealingKey"])
	}
	for _, id := range []string{"Table", "UserPool", "MediaBucket", "RawMailBucket"} {
		if !slices.Contains(denied[id], "Update:Replace") || !slices.Contains(denied[id], "Update:Delete") {
			t.Errorf("%s: denied %v, want Update:Replace and Update:Delete", id, denied[id])
		}
	}
}
