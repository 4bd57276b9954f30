// Package apispec checks HTTP exchanges against the OpenAPI description of the API, openapi.yaml
// at the repository root, so that tests fail when the code and the description drift apart.
//
// A test loads the description once and checks every request it makes and the response it got:
//
//	spec, err := apispec.Load()
//	if err != nil {
//		t.Fatal(err)
//	}
//	...
//	spec.Check(t, req, reqBody, resp, respBody)
//
// Check fails the test when the route is not in the description, when a response's status,
// content type or body is not one the description allows for that operation, or when a request
// that the server accepted (a 2xx answer) is not one the description allows. Requests answered
// with 4xx or 5xx may be invalid: tests send invalid requests on purpose to see them refused.
//
// Servers are ignored when matching routes: requests to any host (httptest's 127.0.0.1:port,
// localhost, API Gateway's domain) match on their path alone.
package apispec

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// FileName is the name of the OpenAPI description at the repository root.
const FileName = "openapi.yaml"

func init() {
	// The Twilio webhooks answer TwiML as text/xml; openapi3filter has no decoder for it by
	// default, so responses could not be checked. XML is validated as a plain string.
	if openapi3filter.RegisteredBodyDecoder("text/xml") == nil {
		openapi3filter.RegisterBodyDecoder("text/xml", openapi3filter.PlainBodyDecoder)
	}
	// Web forms serve their page and thank-you page as HTML: checked as a plain string too.
	if openapi3filter.RegisteredBodyDecoder("text/html") == nil {
		openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.PlainBodyDecoder)
	}
}

// Spec is a loaded and validated OpenAPI description with a router over its operations. It is
// safe for concurrent use by parallel tests.
type Spec struct {
	doc    *openapi3.T
	router routers.Router
	path   string
}

// Load finds openapi.yaml at the repository root (the nearest directory at or above the
// working directory that has a go.mod and an openapi.yaml) and loads it with LoadFile.
func Load() (*Spec, error) {
	path, err := Find()
	if err != nil {
		return nil, err
	}
	return LoadFile(path)
}

// Find returns the path of openapi.yaml, looking in the working directory and then in each of
// its parents up to the root of the module.
func Find() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("apispec: %w", err)
	}
	for {
		p := filepath.Join(dir, FileName)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return "", fmt.Errorf("apispec: no %s in the module root %s", FileName, dir)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("apispec: no %s in the working directory or any parent", FileName)
		}
		dir = parent
	}
}

// LoadFile loads the OpenAPI description at path, validates it and builds its router. The
// description's servers are dropped so that routes match on the request's path whatever its
// host.
func LoadFile(path string) (*Spec, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(path)
	if err != nil {
		return nil, fmt.Errorf("apispec: loading %s: %w", path, err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("apispec: %s is not a valid OpenAPI description: %w", path, err)
	}
	doc.Servers = nil
	router, err := legacy.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("apispec: routing %s: %w", path, err)
	}
	return &Spec{doc: doc, router: router, path: path}, nil
}

// Doc returns the loaded description. Callers must not change it.
func (s *Spec) Doc() *openapi3.T { return s.doc }

// Path returns the file the description was loaded from.
func (s *Spec) Path() string { return s.path }

// Operations returns every operation of the description as "METHOD /path", sorted, with the
// path as written in the description (parameters in braces, like chi's patterns).
func (s *Spec) Operations() []string {
	var ops []string
	for path, item := range s.doc.Paths.Map() {
		for method := range item.Operations() {
			ops = append(ops, strings.ToUpper(method)+" "+path)
		}
	}
	sort.Strings(ops)
	return ops
}

// Check validates one exchange against the description and fails t (with Errorf, so the test
// goes on) when it does not match; see Validate. req is the request as sent or received (its
// body need not be readable any more: reqBody is its body), resp the response with respBody its
// body. A nil resp checks the request alone, as if it had been accepted.
func (s *Spec) Check(t testing.TB, req *http.Request, reqBody []byte, resp *http.Response, respBody []byte) {
	t.Helper()
	if err := s.Validate(req, reqBody, resp, respBody); err != nil {
		t.Errorf("%s", err)
	}
}

// Validate is Check returning the mismatch as an error instead of failing a test:
//
//   - the request's method and path must be an operation of the description;
//   - when the response status is 2xx (or resp is nil), the request's parameters and body must
//     be valid for the operation (security is not checked: any credentials are accepted);
//   - the response's status must be one the operation declares, its Content-Type one declared
//     for that status, and its body must match the schema.
func (s *Spec) Validate(req *http.Request, reqBody []byte, resp *http.Response, respBody []byte) error {
	if req == nil {
		return errors.New("apispec: no request to check")
	}
	what := req.Method + " " + req.URL.Path
	if resp != nil {
		what = fmt.Sprintf("%s → %d", what, resp.StatusCode)
	}

	r := req.Clone(context.Background())
	r.Body = io.NopCloser(bytes.NewReader(reqBody))
	r.ContentLength = int64(len(reqBody))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(reqBody)), nil }

	route, pathParams, err := s.router.FindRoute(r)
	if err != nil {
		return fmt.Errorf("apispec: %s: the route is not described in %s: %v", what, FileName, err)
	}
	opts := &openapi3filter.Options{
		AuthenticationFunc: func(context.Context, *openapi3filter.AuthenticationInput) error { return nil },
		MultiError:         true,
		// Defaults are not written into the request: the check must not change what it checks.
		SkipSettingDefaults:   true,
		IncludeResponseStatus: true,
		// Name the failing value's path and the reason; the bodies are printed once, below.
		SchemaValidationOptions: []openapi3.SchemaValidationOption{openapi3.DisableSchemaErrorDetails()},
	}
	in := &openapi3filter.RequestValidationInput{Request: r, PathParams: pathParams, Route: route, Options: opts}
	if resp == nil || resp.StatusCode/100 == 2 {
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			status := "accepted"
			if resp == nil {
				status = "to be sent"
			}
			return fmt.Errorf("apispec: %s: the request (%s) does not match %s %s in %s:\n%s\nrequest body: %s",
				what, status, route.Method, route.Path, FileName, indent(err.Error()), clip(reqBody))
		}
	}
	if resp == nil {
		return nil
	}
	if responses := route.Operation.Responses; responses.Status(resp.StatusCode) == nil && responses.Default() == nil {
		declared := slices.Sorted(maps.Keys(responses.Map()))
		return fmt.Errorf("apispec: %s: status %d is not declared for %s %s in %s (declared: %s)\nresponse: %s",
			what, resp.StatusCode, route.Method, route.Path, FileName, strings.Join(declared, ", "), clip(respBody))
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Options:                opts,
	}
	out.SetBodyBytes(respBody)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		return fmt.Errorf("apispec: %s: the response does not match %s %s in %s:\n%s\nresponse (Content-Type %q): %s",
			what, route.Method, route.Path, FileName, indent(err.Error()), resp.Header.Get("Content-Type"), clip(respBody))
	}
	return nil
}

func indent(s string) string {
	return "\t" + strings.ReplaceAll(strings.TrimSpace(s), "\n", "\n\t")
}

// clip shortens a body for an error message.
func clip(b []byte) string {
	const max = 2000
	if len(b) > max {
		return string(b[:max]) + fmt.Sprintf("… (%d bytes)", len(b))
	}
	if len(b) == 0 {
		return "(empty)"
	}
	return strings.TrimSpace(string(b))
}
