package mediafn

import (
	"net/http"
	"testing"

	"github.com/openinbox/inbox/shared/channels"
	"github.com/openinbox/inbox/shared/meta"
)

// Every registered kind that has media to copy finds a source the function builds.
func TestEveryKindsMediaIsBuilt(t *testing.T) {
	t.Parallel()
	built := sources(http.DefaultClient, meta.NewClient("", http.DefaultClient))
	for _, k := range channels.All() {
		if _, ok := built[k.Media]; k.Media != "" && !ok {
			t.Errorf("kind %q fetches media by %q, which the media function does not build", k.Type, k.Media)
		}
	}
}
