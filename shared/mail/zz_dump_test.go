package mail

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func TestZZDump(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.eml")
	for _, f := range files {
		fh, _ := os.Open(f)
		m, err := Parse(fh)
		fh.Close()
		if err != nil {
			t.Fatal(err)
		}
		for i := range m.Attachments {
			m.Attachments[i].Data = m.Attachments[i].Data[:min(8, len(m.Attachments[i].Data))]
		}
		m.Header = nil
		b, err := json.MarshalIndent(m, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("==== %s\n%s", f, b)
	}
}
