package dispatchfn

import (
	"testing"

	"github.com/openinbox/inbox/shared/app"
	"github.com/openinbox/inbox/shared/channels"
)

// Every registered kind whose replies can be sent finds a sender the function builds.
func TestEveryKindsSenderIsBuilt(t *testing.T) {
	t.Parallel()
	c := app.Config{}
	c.Defaults()
	built := senders(&c, nil)
	for _, k := range channels.All() {
		if _, ok := built[k.Sender]; k.Sender != "" && !ok {
			t.Errorf("kind %q is sent by %q, which the dispatch function does not build", k.Type, k.Sender)
		}
		if k.Sender == "" {
			t.Errorf("kind %q names no sender: agents could not answer its conversations", k.Type)
		}
	}
}
