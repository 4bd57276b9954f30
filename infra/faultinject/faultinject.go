// Package faultinject puts an HTTP proxy in front of a real service (DynamoDB Local, the SQS
// emulator, a provider's stand-in) that fails chosen calls the way the real service does when it
// is overloaded or broken: DynamoDB's 400 ProvisionedThroughputExceededException, a 500, SQS's
// 500 InternalError, a provider's 5xx, or a connection dropped mid-request (what a timeout looks
// like to the caller). Every other call passes through unchanged, so tests keep the real
// service's behaviour and only the faults are chosen.
//
// Calls of the AWS JSON protocols are matched by their X-Amz-Target operation (PutItem,
// SendMessage…) and, optionally, a substring of the request body (a queue name, a key prefix).
package faultinject

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
)

// Fault is what a failed call gets.
type Fault struct {
	Status int
	// ContentType and Body are the error document of the service's protocol.
	ContentType string
	Body        string
	// Drop closes the connection without an answer (a network error, as a timeout ends).
	Drop bool
	// Hold keeps matching calls waiting until the rule is removed, then lets them through (a
	// service that does not answer for a while, without spending the client's retries).
	Hold bool
}

// DynamoDBThrottle is DynamoDB's answer when a table's throughput is exceeded; the SDK retries it
// with backoff.
var DynamoDBThrottle = Fault{Status: http.StatusBadRequest, ContentType: "application/x-amz-json-1.0",
	Body: `{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API."}`}

// DynamoDBServerError is DynamoDB's 500 InternalServerError.
var DynamoDBServerError = Fault{Status: http.StatusInternalServerError, ContentType: "application/x-amz-json-1.0",
	Body: `{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"Internal server error"}`}

// SQSServerError is SQS's 500 InternalError (JSON protocol).
var SQSServerError = Fault{Status: http.StatusInternalServerError, ContentType: "application/x-amz-json-1.0",
	Body: `{"__type":"com.amazonaws.sqs#InternalError","message":"We encountered an internal error. Please try again."}`}

// ServerError is a plain HTTP 500 of a provider's API.
var ServerError = Fault{Status: http.StatusInternalServerError, ContentType: "application/json", Body: `{"error":"internal"}`}

// Drop is a connection closed without an answer.
var Drop = Fault{Drop: true}

// Hold is a call left waiting until its rule is removed.
var Hold = Fault{Hold: true}

// Rule fails matching calls.
type Rule struct {
	// Op is the operation (the part after the dot of X-Amz-Target, e.g. "TransactWriteItems");
	// for non-AWS services, a substring of the request path. Empty matches every call.
	Op string
	// Contains, when set, must occur in the request body.
	Contains string
	// Skip lets this many matching calls through before failing any.
	Skip int
	// Times is how many matching calls fail after Skip (0: every one, until the rule is removed).
	Times int
	Fault Fault
}

type rule struct {
	Rule
	seen, failed int
	released     chan struct{}
}

// Proxy is a running fault-injecting proxy. Its zero value is not usable: use Start.
type Proxy struct {
	// URL is the proxy's endpoint: give it to clients instead of the service's.
	URL string

	srv      *httptest.Server
	mu       sync.Mutex
	target   *url.URL
	rules    []*rule
	injected int
}

// Start returns a proxy in front of target (a base URL), which SetTarget may set later.
func Start(target string) (*Proxy, error) {
	p := &Proxy{}
	if err := p.SetTarget(target); err != nil {
		return nil, err
	}
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			p.mu.Lock()
			t := p.target
			p.mu.Unlock()
			r.SetURL(t)
			r.Out.Host = t.Host
		},
	}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		if f, release, ok := p.match(r, body); ok {
			if !f.Hold {
				p.fail(w, f)
				return
			}
			select {
			case <-release:
			case <-r.Context().Done():
				return
			}
		}
		rp.ServeHTTP(w, r)
	}))
	p.URL = p.srv.URL
	return p, nil
}

// SetTarget points the proxy at another base URL (for a service whose address is known only
// after its clients were built). It returns an error when target is not a URL.
func (p *Proxy) SetTarget(target string) error {
	if target == "" {
		return nil
	}
	u, err := url.Parse(target)
	if err != nil || u.Host == "" {
		return fmt.Errorf("faultinject: bad target %q", target)
	}
	p.mu.Lock()
	p.target = u
	p.mu.Unlock()
	return nil
}

// Add installs r and returns a function that removes it.
func (p *Proxy) Add(r Rule) (remove func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	x := &rule{Rule: r, released: make(chan struct{})}
	p.rules = append(p.rules, x)
	return func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		for i, y := range p.rules {
			if y == x {
				p.rules = append(p.rules[:i], p.rules[i+1:]...)
				close(x.released)
				return
			}
		}
	}
}

// Injected returns how many calls the proxy has failed so far (held calls are not failures).
func (p *Proxy) Injected() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.injected
}

// Close stops the proxy.
func (p *Proxy) Close() { p.srv.Close() }

func (p *Proxy) match(r *http.Request, body []byte) (Fault, <-chan struct{}, bool) {
	target := r.Header.Get("X-Amz-Target")
	matches := func(want string) bool {
		if target != "" {
			return target[strings.LastIndexByte(target, '.')+1:] == want
		}
		return strings.Contains(r.URL.Path, want)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, x := range p.rules {
		if x.Op != "" && !matches(x.Op) {
			continue
		}
		if x.Contains != "" && !bytes.Contains(body, []byte(x.Contains)) {
			continue
		}
		x.seen++
		if x.seen <= x.Skip || (x.Times > 0 && x.failed >= x.Times) {
			continue
		}
		x.failed++
		if !x.Fault.Hold {
			p.injected++
		}
		return x.Fault, x.released, true
	}
	return Fault{}, nil, false
}

func (p *Proxy) fail(w http.ResponseWriter, f Fault) {
	if f.Drop {
		if hj, ok := w.(http.Hijacker); ok {
			if c, _, err := hj.Hijack(); err == nil {
				if tc, ok := c.(*net.TCPConn); ok {
					_ = tc.SetLinger(0)
				}
				_ = c.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	w.Header().Set("Content-Type", f.ContentType)
	if f.Status == http.StatusBadRequest || f.Status >= 500 {
		// AWS JSON protocol errors also name their type in a header.
		if i := strings.Index(f.Body, `"__type":"`); i >= 0 {
			rest := f.Body[i+len(`"__type":"`):]
			w.Header().Set("X-Amzn-ErrorType", rest[:strings.IndexByte(rest, '"')])
		}
	}
	w.WriteHeader(f.Status)
	_, _ = io.WriteString(w, f.Body)
}
