//go:build linux

package lambdatest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/realtime"
)

// managementAPI stands in for API Gateway's @connections endpoint of a stage: POST
// /live/@connections/{id} records the frame, or answers 410 GoneException for the ids in gone,
// as the management API's wire format says.
type managementAPI struct {
	mu     sync.Mutex
	frames map[string][]realtime.ServerFrame
	gone   map[string]bool
}

func (m *managementAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id, ok := strings.CutPrefix(r.URL.Path, "/live/@connections/")
	if !ok || r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		http.Error(w, `{"message":"not found"}`, http.StatusNotFound)
		return
	}
	body, _ := io.ReadAll(r.Body)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.gone[id] {
		w.Header().Set("X-Amzn-ErrorType", "GoneException")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusGone)
		_, _ = w.Write([]byte(`{"message":"Gone"}`))
		return
	}
	var f realtime.ServerFrame
	_ = json.Unmarshal(body, &f)
	m.frames[id] = append(m.frames[id], f)
}

func (m *managementAPI) of(id string) []realtime.ServerFrame {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]realtime.ServerFrame(nil), m.frames[id]...)
}

// issuer stands in for the user pool: its discovery document and key set, and RS256 tokens.
type issuer struct {
	srv *httptest.Server
	key *rsa.PrivateKey
}

func newIssuer(t *testing.T) *issuer {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	is := &issuer{key: key}
	mux := http.NewServeMux()
	mux.HandleFunc("/pool/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": is.srv.URL + "/pool", "jwks_uri": is.srv.URL + "/pool/.well-known/jwks.json"})
	})
	mux.HandleFunc("/pool/.well-known/jwks.json", func(w http.ResponseWriter, r *http.Request) {
		e := big.NewInt(int64(key.E)).Bytes()
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{"kid": "k1", "kty": "RSA", "alg": "RS256", "use": "sig",
			"n": base64.RawURLEncoding.EncodeToString(key.N.Bytes()), "e": base64.RawURLEncoding.EncodeToString(e)}}})
	})
	is.srv = httptest.NewServer(mux)
	t.Cleanup(is.srv.Close)
	return is
}

func (is *issuer) token(t *testing.T, acct, user, aud string, key *rsa.PrivateKey) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{"iss": is.srv.URL + "/pool", "aud": aud, "sub": user,
		"custom:account_id": acct, "custom:role": "agent", "token_use": "id", "exp": time.Now().Add(time.Hour).Unix()})
	tok.Header["kid"] = "k1"
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func wsFixture(t *testing.T, name string, replace ...string) []byte {
	t.Helper()
	b, err := os.ReadFile("../../shared/lambdaws/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return []byte(strings.NewReplacer(replace...).Replace(string(b)))
}

// TestLiveChannelFunctions runs the ws and realtime functions under aws-lambda-rie with API
// Gateway's WebSocket events and DynamoDB Streams records: $connect checks the Cognito ID token
// of ?token= against the issuer's keys (a forged or foreign one is refused with 401 and nothing
// is recorded), frames reach the other connections through PostToConnection, the stream's
// records become one event pushed to the account's agents, a 410 forgets the connection, and
// $disconnect removes it.
func TestLiveChannelFunctions(t *testing.T) {
	t.Parallel()
	d := newDeployment(t)
	mgmt := &managementAPI{frames: map[string][]realtime.ServerFrame{}, gone: map[string]bool{}}
	apigw := httptest.NewServer(mgmt)
	t.Cleanup(apigw.Close)
	is := newIssuer(t)
	d.Env = map[string]string{"WS_ENDPOINT": apigw.URL + "/live", "JWT_ISSUER": is.srv.URL + "/pool", "JWT_AUDIENCE": "client-1"}
	acct := "acct-" + inbox.NewID()[:8]
	ws := start(t, "WsFunction", d)
	ctx := t.Context()

	route := func(event []byte) int {
		t.Helper()
		var res struct {
			StatusCode int `json:"statusCode"`
		}
		if err := json.Unmarshal(ws.invoke(t, event), &res); err != nil {
			t.Fatal(err)
		}
		return res.StatusCode
	}
	connect := func(id, token string) int {
		t.Helper()
		return route(wsFixture(t, "ws_connect.json", "TOKEN", token, "R1kmxc2VNjMCFIA=", id))
	}
	forger, _ := rsa.GenerateKey(rand.Reader, 2048)
	for name, tok := range map[string]string{
		"none": "", "forged": is.token(t, acct, "ann", "client-1", forger), "other audience": is.token(t, acct, "ann", "client-2", is.key),
		"not a JWT": "abc",
	} {
		if got := connect("refused=", tok); got != http.StatusUnauthorized {
			t.Errorf("%s: $connect = %d, want 401", name, got)
		}
	}
	if _, err := d.Store.GetConnection(ctx, "refused="); inbox.ErrorCodeOf(err) != inbox.ENotFound {
		t.Fatalf("a refused connection was recorded: %v", err)
	}
	for _, c := range []struct{ id, user string }{{"annConn=", "ann"}, {"bobConn=", "bob"}, {"goneConn=", "cy"}} {
		if got := connect(c.id, is.token(t, acct, c.user, "client-1", is.key)); got != http.StatusOK {
			t.Fatalf("$connect %s = %d", c.user, got)
		}
	}
	conn, err := d.Store.GetConnection(ctx, "annConn=")
	if err != nil || conn.Account != acct || conn.UserID != "ann" {
		t.Fatalf("recorded %+v, %v", conn, err)
	}

	// Bob types: Ann (and Cy) hear it, Bob does not.
	msg := wsFixture(t, "ws_message.json", "CONV", "conv1", "R1kmxc2VNjMCFIA=", "bobConn=")
	if got := route(msg); got != http.StatusOK {
		t.Fatalf("typing frame = %d", got)
	}
	if f := mgmt.of("annConn="); len(f) != 1 || f[0].Type != "typing" || f[0].ConversationID != "conv1" || f[0].From != "bob" {
		t.Fatalf("Ann got %+v", f)
	}
	if f := mgmt.of("bobConn="); len(f) != 0 {
		t.Fatalf("Bob got his own typing: %+v", f)
	}

	// The stream: a new message and its conversation's change (a removal ignored) reach every
	// agent connection; Cy's is gone and forgotten.
	mgmt.mu.Lock()
	mgmt.gone["goneConn="] = true
	mgmt.mu.Unlock()
	rt := start(t, "RealtimeFunction", d)
	var out struct {
		BatchItemFailures []struct {
			ItemIdentifier string `json:"itemIdentifier"`
		} `json:"batchItemFailures"`
	}
	resp := rt.invoke(t, wsFixture(t, "stream_keys_only.json", "ACCT", acct, "CONV", "conv1", "MSG", "msg1"))
	if err := json.Unmarshal(resp, &out); err != nil || out.BatchItemFailures == nil || len(out.BatchItemFailures) != 0 {
		t.Fatalf("stream response %s", resp)
	}
	for _, id := range []string{"annConn=", "bobConn="} {
		var evs []realtime.Event
		for _, f := range mgmt.of(id) {
			if f.Type == "event" {
				evs = append(evs, *f.Event)
			}
		}
		if len(evs) != 2 || evs[0].Kind != realtime.KindMessage || evs[0].ConversationID != "conv1" || evs[0].MessageID != "msg1" || evs[0].Cursor == "" ||
			evs[1].Kind != realtime.KindConversation || evs[1].ConversationID != "conv1" || evs[1].Cursor <= evs[0].Cursor {
			t.Fatalf("%s got %+v", id, evs)
		}
	}
	if _, err := d.Store.GetConnection(ctx, "goneConn="); inbox.ErrorCodeOf(err) != inbox.ENotFound {
		t.Fatalf("a gone connection was kept: %v", err)
	}
	if evs, err := d.Store.EventsAfter(ctx, acct, "", 10); err != nil || len(evs) != 2 {
		t.Fatalf("event log %+v, %v", evs, err)
	}

	if got := route(wsFixture(t, "ws_disconnect.json", "R1kmxc2VNjMCFIA=", "annConn=")); got != http.StatusOK {
		t.Fatalf("$disconnect = %d", got)
	}
	if _, err := d.Store.GetConnection(ctx, "annConn="); inbox.ErrorCodeOf(err) != inbox.ENotFound {
		t.Fatalf("disconnected connection kept: %v", err)
	}
}
