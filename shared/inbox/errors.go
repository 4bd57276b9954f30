package inbox

import (
	"errors"
	"fmt"
)

// ErrorCode classifies an error so that the edges (HTTP, queues) can react to it without
// knowing where it came from.
type ErrorCode string

// The error codes of the application. The HTTP layer maps each to one status code.
const (
	ENotFound     ErrorCode = "not_found"
	EInvalid      ErrorCode = "invalid"
	EConflict     ErrorCode = "conflict"
	EUnauthorized ErrorCode = "unauthorized"
	EForbidden    ErrorCode = "forbidden"
	ETooLarge     ErrorCode = "too_large"
	EUnavailable  ErrorCode = "unavailable"
	EInternal     ErrorCode = "internal"
	// ETooMany is a caller over its rate (a browser sending a form again and again).
	ETooMany ErrorCode = "too_many_requests"
	// EUpstream is a provider (Meta, Twilio) refusing or failing a call the inbox made for the
	// caller, answered at once (a listing, not a queued send).
	EUpstream ErrorCode = "upstream"
)

// Causes that callers tell apart with errors.Is: the stores wrap them in an EConflict.
var (
	// ErrAtCapacity is the cause when a user who was to keep or get a conversation has no room
	// left under their capacity.
	ErrAtCapacity = errors.New("user at capacity")
	// ErrTicketLimit is the cause when a contact has reached its ticket limit, which tells it
	// from "ticket exists".
	ErrTicketLimit = errors.New("the contact has reached its ticket limit")
	// ErrNotOpen is the cause when a message was to join a conversation that is no longer open.
	ErrNotOpen = errors.New("the conversation is not open")
)

// Error is an application error: a code, a message fit for people, and an optional cause that
// is logged but never shown to callers.
type Error struct {
	Code    ErrorCode
	Message string
	Err     error
}

// Error implements error.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an *Error with the given code and message whose cause is err.
func Wrap(err error, code ErrorCode, message string) *Error {
	return &Error{Code: code, Message: message, Err: err}
}

// ErrorCodeOf returns the code of the first *Error in err's chain, EInternal for any other
// non-nil error and "" for nil.
func ErrorCodeOf(err error) ErrorCode {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the people-facing message of err: the message of the first *Error in its
// chain, or a generic text for any other error so that internals never leak.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// IsCode reports whether err carries the given code.
func IsCode(err error, code ErrorCode) bool { return ErrorCodeOf(err) == code }

// permanentError marks an error that no retry can heal.
type permanentError struct{ err error }

func (p *permanentError) Error() string { return p.err.Error() }
func (p *permanentError) Unwrap() error { return p.err }

// Permanent marks err as one that cannot heal by trying again: a message for a channel or inbox
// that was deleted, or a queued body that can never be parsed. Queue consumers drop such a message
// (with a log line and a metric) instead of cycling it into the dead-letter queue. The code and
// message of err stay readable through ErrorCodeOf and ErrorMessage. It returns nil for nil.
func Permanent(err error) error {
	if err == nil || IsPermanent(err) {
		return err
	}
	return &permanentError{err: err}
}

// IsPermanent reports whether err, or an error in its chain, was marked with Permanent.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}
