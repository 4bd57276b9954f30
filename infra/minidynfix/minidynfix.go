// Package minidynfix serves the embedded DynamoDB (github.com/truora/minidyn, the store of
// `make run -data ”` and of tests without DYNAMODB_ENDPOINT) with REMOVE applied.
//
// minidyn v0.8.2 evaluates an update's REMOVE of a top-level attribute but never takes the
// attribute off the stored item (its Environment.Apply only writes the attributes that are
// left), so "REMOVE #language" was a no-op there while DynamoDB Local and AWS drop the
// attribute: a user who reset their language kept the old one on the embedded store. No newer
// minidyn is published, so the handler here finishes such updates itself: after minidyn
// accepted an UpdateItem (or a TransactWriteItems with updates) whose REMOVE names top-level
// attributes, it reads the item, drops them and puts it back, and answers ReturnValues
// ALL_NEW / UPDATED_NEW without them. Requests are served one at a time (minidyn serializes
// them on one lock anyway), so nothing sees the item between the update and the fix.
// Nested paths (a.b, a[0]) are applied by minidyn itself and left alone.
package minidynfix

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/truora/minidyn/server"
)

// New returns a fresh in-process minidyn server whose updates apply REMOVE.
func New() http.Handler {
	return &handler{inner: server.NewServer()}
}

type handler struct {
	mu    sync.Mutex
	inner http.Handler
}

// update is the part of an UpdateItem request (or a transaction's Update) the fix needs.
type update struct {
	TableName                string                     `json:"TableName"`
	Key                      map[string]json.RawMessage `json:"Key"`
	UpdateExpression         string                     `json:"UpdateExpression"`
	ExpressionAttributeNames map[string]string          `json:"ExpressionAttributeNames"`
	ReturnValues             string                     `json:"ReturnValues"`
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	target := r.Header.Get("X-Amz-Target")
	op := target[strings.LastIndexByte(target, '.')+1:]
	if op != "UpdateItem" && op != "TransactWriteItems" {
		h.inner.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var updates []update
	if op == "UpdateItem" {
		var u update
		if json.Unmarshal(body, &u) == nil {
			updates = append(updates, u)
		}
	} else {
		var tx struct {
			TransactItems []struct {
				Update *update `json:"Update"`
			} `json:"TransactItems"`
		}
		if json.Unmarshal(body, &tx) == nil {
			for _, it := range tx.TransactItems {
				if it.Update != nil {
					updates = append(updates, *it.Update)
				}
			}
		}
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	var removing bool
	for _, u := range updates {
		removing = removing || len(removed(u)) > 0
	}
	if !removing {
		h.inner.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	h.inner.ServeHTTP(rec, r)
	out := rec.Body.Bytes()
	if rec.Code == http.StatusOK {
		for _, u := range updates {
			if names := removed(u); len(names) > 0 {
				h.drop(u.TableName, u.Key, names)
			}
		}
		if op == "UpdateItem" && (updates[0].ReturnValues == "ALL_NEW" || updates[0].ReturnValues == "UPDATED_NEW") {
			out = withoutAttributes(out, removed(updates[0]))
		}
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(rec.Code)
	_, _ = w.Write(out)
}

// drop takes names off the stored item of key: read it, delete them, put it back.
func (h *handler) drop(table string, key map[string]json.RawMessage, names []string) {
	got := h.call("GetItem", map[string]any{"TableName": table, "Key": key, "ConsistentRead": true})
	var item struct {
		Item map[string]json.RawMessage `json:"Item"`
	}
	if json.Unmarshal(got, &item) != nil || item.Item == nil {
		return
	}
	for _, n := range names {
		delete(item.Item, n)
	}
	h.call("PutItem", map[string]any{"TableName": table, "Item": item.Item})
}

// call makes one request of the inner server and returns its body.
func (h *handler) call(op string, in any) []byte {
	b, _ := json.Marshal(in)
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(b))
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	rec := httptest.NewRecorder()
	h.inner.ServeHTTP(rec, req)
	return rec.Body.Bytes()
}

// withoutAttributes deletes names from the Attributes of an UpdateItem answer.
func withoutAttributes(body []byte, names []string) []byte {
	var resp map[string]json.RawMessage
	if json.Unmarshal(body, &resp) != nil || resp["Attributes"] == nil {
		return body
	}
	var attrs map[string]json.RawMessage
	if json.Unmarshal(resp["Attributes"], &attrs) != nil {
		return body
	}
	for _, n := range names {
		delete(attrs, n)
	}
	resp["Attributes"], _ = json.Marshal(attrs)
	out, err := json.Marshal(resp)
	if err != nil {
		return body
	}
	return out
}

// clause finds the clause keywords of an update expression (its values are placeholders, so
// no literal text can hold them).
var clause = regexp.MustCompile(`(?i)\b(SET|REMOVE|ADD|DELETE)\b`)

// removed is the top-level attribute names u's REMOVE clauses name, aliases resolved.
func removed(u update) []string {
	expr := u.UpdateExpression
	locs := clause.FindAllStringIndex(expr, -1)
	var names []string
	for i, l := range locs {
		if !strings.EqualFold(expr[l[0]:l[1]], "REMOVE") {
			continue
		}
		end := len(expr)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		for p := range strings.SplitSeq(expr[l[1]:end], ",") {
			p = strings.TrimSpace(p)
			if p == "" || strings.ContainsAny(p, ".[") {
				continue
			}
			if strings.HasPrefix(p, "#") {
				n, ok := u.ExpressionAttributeNames[p]
				if !ok {
					continue
				}
				p = n
			}
			names = append(names, p)
		}
	}
	return names
}
