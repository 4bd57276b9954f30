package localrun

import (
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/openinbox/inbox/infra/samtemplate"
)

// maxPayload is API Gateway's request payload limit (10 MB).
const maxPayload = 10 << 20

// route is a template route bound to the handler of its function.
type route struct {
	samtemplate.Route
	segments []string
	invoke   func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)
}

func newRoute(r samtemplate.Route, h http.Handler) route {
	return route{Route: r, segments: strings.Split(strings.Trim(r.Path, "/"), "/"), invoke: httpadapter.NewV2(h).ProxyWithContext}
}

// match reports whether method and path hit the route and returns its path parameters.
func (r route) match(method, path string) (map[string]string, bool) {
	if r.Method != "ANY" && r.Method != method {
		return nil, false
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	params := map[string]string{}
	for i, seg := range r.segments {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "+}") {
			if i >= len(parts) {
				return nil, false
			}
			params[strings.Trim(seg, "{+}")] = strings.Join(parts[i:], "/")
			return params, true
		}
		if i >= len(parts) {
			return nil, false
		}
		if strings.HasPrefix(seg, "{") {
			if parts[i] == "" {
				return nil, false
			}
			params[strings.Trim(seg, "{}")] = parts[i]
			continue
		}
		if seg != parts[i] {
			return nil, false
		}
	}
	return params, len(parts) == len(r.segments)
}

// gateway serves the template's routes as API Gateway's HTTP API does: it checks bearer tokens
// on routes with the authorizer, builds a payload 2.0 event and writes the function's response.
type gateway struct {
	routes []route
	// verify checks a bearer token (the Authorization header's value) as the JWT authorizer.
	verify func(ctx context.Context, authorization string) (map[string]string, error)
	now    func() time.Time
	log    *slog.Logger
}

func (g *gateway) find(method, path string) (route, map[string]string, bool) {
	// Most specific first: literal segments beat parameters, as API Gateway chooses.
	var best route
	var bestParams map[string]string
	found, score := false, -1
	for _, r := range g.routes {
		p, ok := r.match(method, path)
		if !ok {
			continue
		}
		s := 0
		for _, seg := range r.segments {
			if !strings.HasPrefix(seg, "{") {
				s += 2
			} else if !strings.HasSuffix(seg, "+}") {
				s++
			}
		}
		if s > score {
			best, bestParams, found, score = r, p, true, s
		}
	}
	return best, bestParams, found
}

func (g *gateway) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	rt, params, ok := g.find(req.Method, req.URL.Path)
	if !ok {
		writeJSON(w, http.StatusNotFound, `{"message":"Not Found"}`)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, maxPayload))
	if err != nil {
		writeJSON(w, http.StatusRequestEntityTooLarge, `{"message":"Request Entity Too Large"}`)
		return
	}
	ev := events.APIGatewayV2HTTPRequest{
		Version:               "2.0",
		RouteKey:              rt.Method + " " + rt.Path,
		RawPath:               req.URL.EscapedPath(),
		RawQueryString:        req.URL.RawQuery,
		Headers:               map[string]string{},
		QueryStringParameters: map[string]string{},
		PathParameters:        params,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			AccountID: "000000000000", APIID: "local", Stage: "$default",
			DomainName: req.Host, DomainPrefix: "local",
			RequestID: newRequestID(), RouteKey: rt.Method + " " + rt.Path,
			Time: g.now().UTC().Format("02/Jan/2006:15:04:05 -0700"), TimeEpoch: g.now().UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method: req.Method, Path: req.URL.Path, Protocol: req.Proto,
				SourceIP: strings.Split(req.RemoteAddr, ":")[0], UserAgent: req.UserAgent(),
			},
		},
	}
	// API Gateway lower-cases header names and joins repeated values with commas.
	for k, v := range req.Header {
		if strings.EqualFold(k, "Cookie") {
			for _, c := range v {
				ev.Cookies = append(ev.Cookies, strings.Split(c, "; ")...)
			}
			continue
		}
		ev.Headers[strings.ToLower(k)] = strings.Join(v, ",")
	}
	ev.Headers["host"] = req.Host
	for k, v := range req.URL.Query() {
		ev.QueryStringParameters[k] = strings.Join(v, ",")
	}
	if isText(req.Header.Get("Content-Type"), body) {
		ev.Body = string(body)
	} else {
		ev.Body = base64.StdEncoding.EncodeToString(body)
		ev.IsBase64Encoded = true
	}
	if !rt.Public {
		claims, err := g.verify(req.Context(), req.Header.Get("Authorization"))
		if err != nil {
			writeJSON(w, http.StatusUnauthorized, `{"message":"Unauthorized"}`)
			return
		}
		ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims, Scopes: nil},
		}
	}
	resp, err := rt.invoke(req.Context(), ev)
	if err != nil {
		g.log.Error("function failed", "function", rt.Function, "err", err)
		writeJSON(w, http.StatusInternalServerError, `{"message":"Internal Server Error"}`)
		return
	}
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	for k, vs := range resp.MultiValueHeaders {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	for _, c := range resp.Cookies {
		w.Header().Add("Set-Cookie", c)
	}
	out := []byte(resp.Body)
	if resp.IsBase64Encoded {
		if out, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
			writeJSON(w, http.StatusInternalServerError, `{"message":"Internal Server Error"}`)
			return
		}
	}
	status := resp.StatusCode
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

// isText mirrors API Gateway HTTP APIs, which pass JSON and text bodies as they are and
// base64-encode the rest (forms included).
func isText(contentType string, body []byte) bool {
	if len(body) == 0 {
		return true
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	return (mt == "application/json" || strings.HasPrefix(mt, "text/")) && utf8.Valid(body)
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}
