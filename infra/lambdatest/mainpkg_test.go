package lambdatest

import (
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"path/filepath"
	"testing"

	"github.com/openinbox/inbox/infra/samtemplate"
)

// TestEveryFunctionHasAMainPackage checks that the CodeUri of every function of template.yaml
// holds a `package main` with a `func main()` for the deployment target (linux, without cgo,
// -tags lambda.norpc), which is what sam build compiles into `bootstrap`.
func TestEveryFunctionHasAMainPackage(t *testing.T) {
	t.Parallel()
	tpl, err := samtemplate.LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	fns, err := tpl.Functions()
	if err != nil {
		t.Fatal(err)
	}
	if len(fns) == 0 {
		t.Fatal("template.yaml has no functions")
	}
	bc := build.Default
	bc.GOOS, bc.GOARCH, bc.CgoEnabled = "linux", "arm64", false
	bc.BuildTags = []string{"lambda.norpc"}
	for _, f := range fns {
		t.Run(f.LogicalID, func(t *testing.T) {
			dir := filepath.Join(tpl.Dir(), filepath.FromSlash(f.CodeURI))
			pkg, err := bc.ImportDir(dir, 0)
			if err != nil {
				t.Fatalf("%s: %v", f.CodeURI, err)
			}
			if pkg.Name != "main" {
				t.Fatalf("%s is package %s, want main", f.CodeURI, pkg.Name)
			}
			fset := token.NewFileSet()
			found := 0
			for _, name := range pkg.GoFiles {
				file, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
				if err != nil {
					t.Fatal(err)
				}
				for _, decl := range file.Decls {
					fd, ok := decl.(*ast.FuncDecl)
					if ok && fd.Recv == nil && fd.Name.Name == "main" && fd.Type.TypeParams == nil &&
						fd.Type.Params.NumFields() == 0 && fd.Type.Results.NumFields() == 0 {
						found++
					}
				}
			}
			if found != 1 {
				t.Fatalf("%s has %d func main(), want 1", f.CodeURI, found)
			}
		})
	}
}
