package localrun

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/openinbox/inbox/shared/dynamo"
	"github.com/openinbox/inbox/shared/inbox"
	"github.com/openinbox/inbox/shared/lambdaws"
	"github.com/openinbox/inbox/shared/realtime"
)

// WebSocketPath is where the runner serves the live channel, on the API's own port, as the
// WebSocket API's stage does in AWS (wss://…/live?token=…).
const WebSocketPath = "/ws"

// wsHub is the local WebSocket API: it accepts connections at WebSocketPath, hands their
// lifecycle and frames to the same realtime.Service the ws function runs, and is that
// service's Pusher (PostToConnection's stand-in: an unknown connection is gone, 410).
type wsHub struct {
	svc *realtime.Service
	log *slog.Logger

	mu    sync.Mutex
	conns map[string]*websocket.Conn // nil while the connection is being authorised
	down  bool                       // see Runner.SetLiveDown
}

func newHub(log *slog.Logger) *wsHub { return &wsHub{log: log, conns: map[string]*websocket.Conn{}} }

// Push writes frame to connection id; see realtime.Pusher.
func (h *wsHub) Push(ctx context.Context, id string, frame []byte) error {
	h.mu.Lock()
	c, ok := h.conns[id]
	h.mu.Unlock()
	if !ok {
		return realtime.ErrGone
	}
	if c == nil {
		// Recorded but not yet upgraded: its catch-up covers what it misses.
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := c.Write(ctx, websocket.MessageText, frame); err != nil {
		return realtime.ErrGone
	}
	return nil
}

// ServeHTTP runs one connection: $connect (the token of ?token=; refused with the status the
// ws function gives API Gateway, before the upgrade), its frames ($default), $disconnect.
func (h *wsHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := connectionID()
	h.mu.Lock()
	if h.down {
		h.mu.Unlock()
		writeJSON(w, http.StatusServiceUnavailable, `{"error":{"code":"unavailable","message":"the live channel is down"}}`)
		return
	}
	h.conns[id] = nil
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		delete(h.conns, id)
		h.mu.Unlock()
	}()
	if _, err := h.svc.Connect(r.Context(), id, r.URL.Query().Get("token")); err != nil {
		code := inbox.ErrorCodeOf(err)
		body, _ := json.Marshal(map[string]any{"error": map[string]string{"code": string(code), "message": "connection refused"}})
		writeJSON(w, lambdaws.Status(err), string(body))
		return
	}
	defer func() {
		if err := h.svc.Disconnect(context.WithoutCancel(r.Context()), id); err != nil {
			h.log.Warn("disconnect failed", "connection", id, "error", err)
		}
	}()
	// API Gateway checks no Origin either: the token, never a cookie, is the credential.
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		return
	}
	defer c.CloseNow()
	c.SetReadLimit(32 << 10) // API Gateway's frame limit
	h.mu.Lock()
	h.conns[id] = c
	h.mu.Unlock()
	ctx := r.Context()
	for {
		_, data, err := c.Read(ctx)
		if err != nil {
			return
		}
		if err := h.svc.Receive(ctx, id, data); err != nil {
			h.log.Debug("frame refused", "connection", id, "code", inbox.ErrorCodeOf(err), "error", err)
		}
	}
}

// serveLiveApart serves hub on a loopback port of its own (Options.LiveOwnHost) until the runner
// closes, and returns its endpoint as WS_ENDPOINT gives it: http://127.0.0.1:{port}/ws.
func (r *Runner) serveLiveApart(hub *wsHub) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	mux := http.NewServeMux()
	mux.Handle(WebSocketPath, hub)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	r.closers = append(r.closers, func() { _ = srv.Close() })
	return "http://" + ln.Addr().String() + WebSocketPath, nil
}

// SetLiveDown takes the live channel down (true): every open WebSocket connection is dropped
// without a closing handshake, as a lost network drops it, and new ones are refused (503) until
// it is up again (false). Clients' reconnects and catch-ups are tested with it.
func (r *Runner) SetLiveDown(down bool) {
	h := r.hub
	h.mu.Lock()
	h.down = down
	var open []*websocket.Conn
	if down {
		for _, c := range h.conns {
			if c != nil {
				open = append(open, c)
			}
		}
	}
	h.mu.Unlock()
	for _, c := range open {
		_ = c.CloseNow()
	}
}

// connectionID makes an id shaped like API Gateway's ("L0SM9cOFvHcCIhw=").
func connectionID() string {
	var b [10]byte
	_, _ = rand.Read(b[:])
	return base64.StdEncoding.EncodeToString(b[:])
}

// changeFeed is the local table's stream: the store's commit hook (dynamo.CommitHook) adds the
// keys of committed writes, and run hands them in batches to the same code the realtime
// function runs on the stream's batches.
type changeFeed struct {
	mu      sync.Mutex
	pending []lambdaws.Change
	signal  chan struct{}
}

func newChangeFeed() *changeFeed { return &changeFeed{signal: make(chan struct{}, 1)} }

// add is the commit hook: it keeps what the event source mapping's filter lets through.
func (f *changeFeed) add(pk, sk, op string) {
	if _, ok := dynamo.ChangeEvent(pk, sk); !ok || op == "REMOVE" {
		return
	}
	f.mu.Lock()
	f.pending = append(f.pending, lambdaws.Change{PK: pk, SK: sk, Op: op})
	f.mu.Unlock()
	select {
	case f.signal <- struct{}{}:
	default:
	}
}

// run publishes what was committed until ctx ends, retrying a failed batch a few times as
// Lambda retries a stream batch.
func (f *changeFeed) run(ctx context.Context, svc *realtime.Service, log *slog.Logger, wg *sync.WaitGroup) {
	defer wg.Done()
	for {
		select {
		case <-ctx.Done():
			return
		case <-f.signal:
		}
		f.mu.Lock()
		batch := f.pending
		f.pending = nil
		f.mu.Unlock()
		evs := lambdaws.ToEvents(batch, dynamo.ChangeEvent)
		for attempt := 0; attempt < 3; attempt++ {
			err := svc.Publish(ctx, evs)
			if err == nil || ctx.Err() != nil {
				break
			}
			log.Warn("publishing failed; retrying", "events", len(evs), "error", err)
			time.Sleep(time.Duration(attempt+1) * 100 * time.Millisecond)
		}
	}
}
