// Package httpjson writes JSON responses and maps inbox error codes to HTTP statuses with the
// body {"error":{"code":…,"message":…}}. Internal details are logged, never returned.
package httpjson

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/openinbox/inbox/shared/inbox"
)

// Status returns the HTTP status for an error code.
func Status(code inbox.ErrorCode) int {
	switch code {
	case inbox.ENotFound:
		return http.StatusNotFound
	case inbox.EInvalid:
		return http.StatusBadRequest
	case inbox.EConflict:
		return http.StatusConflict
	case inbox.EUnauthorized:
		return http.StatusUnauthorized
	case inbox.EForbidden:
		return http.StatusForbidden
	case inbox.ETooLarge:
		return http.StatusRequestEntityTooLarge
	case inbox.EUnavailable:
		return http.StatusServiceUnavailable
	case inbox.ETooMany:
		return http.StatusTooManyRequests
	case inbox.EUpstream:
		return http.StatusBadGateway
	}
	return http.StatusInternalServerError
}

// Write writes v as JSON with the given status.
func Write(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// ErrorBody is the JSON shape of every error response.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the code and people-facing message of an error response.
type ErrorDetail struct {
	Code    inbox.ErrorCode `json:"code"`
	Message string          `json:"message"`
}

// Error writes err as an error response and logs what is not shown (the cause of internal and
// unavailable errors).
func Error(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	code := inbox.ErrorCodeOf(err)
	status := Status(code)
	if status >= 500 {
		log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	Write(w, status, ErrorBody{Error: ErrorDetail{Code: code, Message: inbox.ErrorMessage(err)}})
}

// Decode reads a JSON body of at most limit bytes into v. It returns ETooLarge when the body is
// over the limit and EInvalid when it is not valid JSON for v (unknown fields included).
func Decode(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return inbox.Errorf(inbox.ETooLarge, "the request body is larger than %d bytes", limit)
		}
		return inbox.Wrap(err, inbox.EInvalid, "the request body is not valid JSON for this endpoint: "+err.Error())
	}
	if dec.More() {
		return inbox.Errorf(inbox.EInvalid, "the request body has data after its JSON value")
	}
	return nil
}
