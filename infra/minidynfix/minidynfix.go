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
//
// minidyn also writes an empty map attribute as {} (its JSON omits the empty "M"), which no
// client can decode and which, put back by the REMOVE fix, stored a value of no type (a
// conversation's first read marker creates readBy as an empty map): every answer's items and
// the items put back have such values written as {"M":{}} (emptyMaps).
package minidynfix

import (
	"bytes"
	"encoding/json"
	"hash/crc32"
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
		h.serve(w, r)
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
		h.serve(w, r)
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
	h.write(w, rec, emptyMaps(out))
}

// serve answers r with the inner server, its items' empty maps written as {"M":{}}.
func (h *handler) serve(w http.ResponseWriter, r *http.Request) {
	rec := httptest.NewRecorder()
	h.inner.ServeHTTP(rec, r)
	h.write(w, rec, emptyMaps(rec.Body.Bytes()))
}

// write sends rec's status and headers with body out.
func (h *handler) write(w http.ResponseWriter, rec *httptest.ResponseRecorder, out []byte) {
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	if w.Header().Get("X-Amz-Crc32") != "" {
		w.Header().Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(out)), 10))
	}
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
	h.call("PutItem", map[string]any{"TableName": table, "Item": fixItem(item.Item)})
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

// emptyMaps rewrites the typeless {} attribute values minidyn writes for empty maps as
// {"M":{}} in the items of an answer: Item (GetItem), Items (Query, Scan), Attributes (the
// writes' ReturnValues) and Responses (BatchGetItem). Anything else, or a body that is not
// JSON, is returned as it is.
func emptyMaps(body []byte) []byte {
	if !bytes.Contains(body, []byte("{}")) {
		return body
	}
	var resp map[string]json.RawMessage
	if json.Unmarshal(body, &resp) != nil {
		return body
	}
	fix := func(raw json.RawMessage, v any) json.RawMessage {
		if json.Unmarshal(raw, v) != nil {
			return raw
		}
		switch x := v.(type) {
		case *map[string]json.RawMessage:
			v = fixItem(*x)
		case *[]map[string]json.RawMessage:
			for i := range *x {
				(*x)[i] = fixItem((*x)[i])
			}
		case *map[string][]map[string]json.RawMessage:
			for _, items := range *x {
				for i := range items {
					items[i] = fixItem(items[i])
				}
			}
		}
		out, err := json.Marshal(v)
		if err != nil {
			return raw
		}
		return out
	}
	for _, k := range []string{"Item", "Attributes"} {
		if raw, ok := resp[k]; ok {
			resp[k] = fix(raw, &map[string]json.RawMessage{})
		}
	}
	if raw, ok := resp["Items"]; ok {
		resp["Items"] = fix(raw, &[]map[string]json.RawMessage{})
	}
	if raw, ok := resp["Responses"]; ok {
		resp["Responses"] = fix(raw, &map[string][]map[string]json.RawMessage{})
	}
	out, err := json.Marshal(resp)
	if err != nil {
		return body
	}
	return out
}

// fixItem writes item's typeless {} values, at any depth of its maps and lists, as {"M":{}}.
func fixItem(item map[string]json.RawMessage) map[string]json.RawMessage {
	for k, v := range item {
		item[k] = fixValue(v)
	}
	return item
}

func fixValue(v json.RawMessage) json.RawMessage {
	var av map[string]json.RawMessage
	if json.Unmarshal(v, &av) != nil {
		return v
	}
	if len(av) == 0 {
		return json.RawMessage(`{"M":{}}`)
	}
	if m, ok := av["M"]; ok {
		var inner map[string]json.RawMessage
		if json.Unmarshal(m, &inner) == nil {
			av["M"], _ = json.Marshal(fixItem(inner))
		}
	} else if l, ok := av["L"]; ok {
		var inner []json.RawMessage
		if json.Unmarshal(l, &inner) == nil {
			for i := range inner {
				inner[i] = fixValue(inner[i])
			}
			av["L"], _ = json.Marshal(inner)
		}
	} else {
		return v
	}
	out, err := json.Marshal(av)
	if err != nil {
		return v
	}
	return out
}
