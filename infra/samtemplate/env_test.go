package samtemplate

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// localOnly are variables the code reads that the template never sets: they point the clients
// at emulators and stand-ins (make run, the tests) or give the sealing key directly.
var localOnly = []string{
	"DYNAMODB_ENDPOINT", "SQS_ENDPOINT", "S3_ENDPOINT", "SES_ENDPOINT",
	"GRAPH_API_BASE", "TWILIO_API_BASE", "INBOX_SECRET_KEY",
}

// lambdaRuntime are variables the Lambda runtime sets itself (the region and the execution
// role's credentials, or the endpoint that serves them): app.AWSFromEnv reads them, and a
// template may not set them (they are reserved).
var lambdaRuntime = []string{
	"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
	"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
	"AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
}

// envReads returns, for every function's main package (by folder, "functions/api"), the
// environment variables read by the packages of this module it links: the string constants
// given to os.Getenv and os.LookupEnv, found with go list and the Go parser, so the list follows
// the code however it is split into packages.
func envReads(t *testing.T, dir string) map[string][]string {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Fatal("go is not on PATH: the test runs under go test")
	}
	goList := func(args ...string) []string {
		cmd := exec.Command("go", append([]string{"list"}, args...)...)
		cmd.Dir = dir
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list %v: %v", args, err)
		}
		return strings.Split(strings.TrimSpace(string(out)), "\n")
	}
	module := goList("-m")[0]
	// Every package of the module: its folder and non-test files, and what it reads.
	reads := map[string][]string{}
	for _, line := range goList("-f", "{{.ImportPath}}|{{.Dir}}|{{join .GoFiles \",\"}}", "./...") {
		parts := strings.SplitN(line, "|", 3)
		if len(parts) != 3 || parts[2] == "" {
			continue
		}
		var files []string
		for _, f := range strings.Split(parts[2], ",") {
			files = append(files, filepath.Join(parts[1], f))
		}
		reads[parts[0]] = getenvNames(t, files)
	}
	out := map[string][]string{}
	for _, line := range goList("-f", "{{.ImportPath}}|{{join .Deps \",\"}}", "./functions/...") {
		main, deps, _ := strings.Cut(line, "|")
		var names []string
		for _, p := range append(strings.Split(deps, ","), main) {
			if p == module || strings.HasPrefix(p, module+"/") {
				names = append(names, reads[p]...)
			}
		}
		slices.Sort(names)
		out[strings.TrimPrefix(main, module+"/")] = slices.Compact(names)
	}
	return out
}

// getenvNames parses files (one package) and returns the names given to os.Getenv and
// os.LookupEnv as string literals or as string constants of the package.
func getenvNames(t *testing.T, files []string) []string {
	t.Helper()
	fset := token.NewFileSet()
	var parsed []*ast.File
	consts := map[string]string{}
	for _, f := range files {
		af, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		parsed = append(parsed, af)
		for _, d := range af.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, s := range gd.Specs {
				vs := s.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if i < len(vs.Values) {
						if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							consts[name.Name], _ = strconv.Unquote(lit.Value)
						}
					}
				}
			}
		}
	}
	var names []string
	for _, af := range parsed {
		ast.Inspect(af, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 1 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "Getenv" && sel.Sel.Name != "LookupEnv") {
				return true
			}
			if pkg, ok := sel.X.(*ast.Ident); !ok || pkg.Name != "os" {
				return true
			}
			switch a := call.Args[0].(type) {
			case *ast.BasicLit:
				if v, err := strconv.Unquote(a.Value); err == nil {
					names = append(names, v)
				}
			case *ast.Ident:
				if v, ok := consts[a.Name]; ok {
					names = append(names, v)
				}
			}
			return true
		})
	}
	return names
}

// Every environment variable the template sets is read by the code of the function it is set
// on (a global one by at least one function), and every variable the functions' code reads is
// set by the template, except the local-only ones and those the Lambda runtime sets. A misspelt or misplaced name would otherwise
// leave a setting silently at its default.
func TestEnvironmentMatchesWhatTheCodeReads(t *testing.T) {
	t.Parallel()
	path, data := readTemplate(t)
	var doc struct {
		Globals struct {
			Function struct {
				Environment struct {
					Variables map[string]yaml.Node `yaml:"Variables"`
				} `yaml:"Environment"`
			} `yaml:"Function"`
		} `yaml:"Globals"`
		Resources map[string]struct {
			Type       string `yaml:"Type"`
			Properties struct {
				CodeUri     string `yaml:"CodeUri"`
				Environment struct {
					Variables map[string]yaml.Node `yaml:"Variables"`
				} `yaml:"Environment"`
			} `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	reads := envReads(t, filepath.Dir(path))
	set := map[string]bool{}
	for name := range doc.Globals.Function.Environment.Variables {
		set[name] = true
	}
	globalRead := map[string]bool{}
	fns := 0
	for id, r := range doc.Resources {
		if r.Type != "AWS::Serverless::Function" {
			continue
		}
		fns++
		pkg := strings.TrimSuffix(r.Properties.CodeUri, "/")
		got, ok := reads[pkg]
		if !ok {
			t.Errorf("%s: no main package %s", id, pkg)
			continue
		}
		for name := range r.Properties.Environment.Variables {
			set[name] = true
			if !slices.Contains(got, name) {
				t.Errorf("%s sets %s, which its code (%s) never reads; it reads %v", id, name, pkg, got)
			}
		}
		for name := range doc.Globals.Function.Environment.Variables {
			globalRead[name] = globalRead[name] || slices.Contains(got, name)
		}
	}
	if fns == 0 {
		t.Fatal("no functions")
	}
	for name, read := range globalRead {
		if !read {
			t.Errorf("Globals set %s, which no function reads", name)
		}
	}
	for pkg, names := range reads {
		for _, name := range names {
			if !set[name] && !slices.Contains(localOnly, name) && !slices.Contains(lambdaRuntime, name) {
				t.Errorf("%s reads %s, which template.yaml never sets (nor is it local-only)", pkg, name)
			}
		}
	}
}
