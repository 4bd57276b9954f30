// Package assignment wires the routing of conversations that the api, router and schedule
// functions share: the assigner with its notifier, which emails contact owners passed over
// while away (through SES).
package assignment

import (
	"errors"

	"github.com/openinbox/inbox/shared/app"
	"github.com/openinbox/inbox/shared/assign"
	"github.com/openinbox/inbox/shared/dynamo"
	"github.com/openinbox/inbox/shared/notify"
	"github.com/openinbox/inbox/shared/sesmail"
)

// New returns the assigner that applies routing rules; it emails away contact owners whose
// conversation goes to the fallback, whether that happens when a message arrives (router) or
// when a queue drains (API, schedule): the notifier sends one email per conversation whoever
// routes it. c must have its defaults (app.Config.Defaults). It never fails: see notifier.
func New(c *app.Config, store *dynamo.Store) *assign.Assigner {
	// The router's routings keep the people they read while the account's routing version is
	// unchanged (assign.PeopleCacheTTL); Route and Drain, the API's and the schedule's, read.
	return assign.New(assign.Config{Store: store, Notifier: notifier(c, store), PeopleCacheTTL: assign.PeopleCacheTTL, Now: c.Now, Log: c.Log})
}

// notifier emails contact owners passed over while away, from NotifyFrom through SES
// (SES_ENDPOINT for the emulator). A NotifyFrom or AppURL that is not usable is logged and
// leaves the emails off (or without links) rather than stopping the router.
func notifier(c *app.Config, store *dynamo.Store) *notify.Mailer {
	nc := notify.Config{From: c.NotifyFrom, AppURL: c.AppURL, Sender: sesmail.New(sesmail.NewClient(c.AWS, c.SESEndpoint)),
		Claims: store, Now: c.Now, Log: c.Log}
	m, err := notify.New(nc)
	if errors.Is(err, notify.ErrInvalidAppURL) {
		c.Log.Error("APP_URL is not an absolute http(s) URL: notification emails carry no links", "err", err)
		nc.AppURL = ""
		m, err = notify.New(nc)
	}
	if err != nil {
		c.Log.Error("NOTIFY_FROM is not an email address: no notification emails are sent", "err", err)
		nc.From, nc.AppURL = "", ""
		m, _ = notify.New(nc)
	}
	return m
}
