// Package auth reads the caller's identity from the claims that API Gateway's JWT authorizer
// verified and passed in the request context. The api function never parses tokens itself:
// in AWS the authorizer has checked them, and the local runner checks them the same way before
// it builds the event, so this code is the same in both places.
//
// Claims used: "sub" (the user), "custom:account_id" (the account) and "custom:role" ("admin" or
// "agent"), as a Cognito ID token carries custom attributes, and the standard "name",
// "given_name" and "family_name" for email From names and signatures. API Gateway passes claims as
// strings.
package auth

import (
	"context"
	"net/http"

	"github.com/awslabs/aws-lambda-go-api-proxy/core"

	"github.com/openinbox/inbox/shared/inbox"
)

// Claim names read from the verified JWT.
const (
	ClaimUser    = "sub"
	ClaimAccount = "custom:account_id"
	ClaimRole    = "custom:role"
)

// Principal returns the caller of r. It returns EUnauthorized when the request carries no
// verified claims or lacks the user or account claim, and EForbidden for an unknown role.
func Principal(r *http.Request) (inbox.Principal, error) {
	return FromContext(r.Context())
}

// FromContext is Principal for a context made by the Lambda HTTP adapter.
func FromContext(ctx context.Context) (inbox.Principal, error) {
	rc, ok := core.GetAPIGatewayV2ContextFromContext(ctx)
	if !ok || rc.Authorizer == nil || rc.Authorizer.JWT == nil {
		return inbox.Principal{}, inbox.Errorf(inbox.EUnauthorized, "a valid bearer token is required")
	}
	return FromClaims(rc.Authorizer.JWT.Claims)
}

// FromClaims builds a principal from verified claims; see Principal for the errors.
func FromClaims(c map[string]string) (inbox.Principal, error) {
	p := inbox.Principal{UserID: c[ClaimUser], AccountID: c[ClaimAccount], Role: inbox.Role(c[ClaimRole]),
		Name: c["name"], GivenName: c["given_name"], FamilyName: c["family_name"]}
	if p.UserID == "" || p.AccountID == "" {
		return inbox.Principal{}, inbox.Errorf(inbox.EUnauthorized, "the token has no user or account")
	}
	switch p.Role {
	case inbox.RoleAdmin, inbox.RoleAgent:
	case "":
		p.Role = inbox.RoleAgent
	default:
		return inbox.Principal{}, inbox.Errorf(inbox.EForbidden, "unknown role %q", p.Role)
	}
	return p, nil
}
