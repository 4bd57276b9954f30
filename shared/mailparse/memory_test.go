package mailparse

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// bigMail builds a mail of about size bytes: a text/HTML body and n base64 attachments.
func bigMail(size, n int) ([]byte, [][]byte) {
	per := size * 3 / 4 / n // base64 grows data by 4/3
	rng := rand.New(rand.NewPCG(1, 2))
	var atts [][]byte
	var b bytes.Buffer
	b.WriteString("From: Big Sender <big@example.com>\r\nTo: support@acme.example\r\nSubject: Scans\r\n" +
		"Date: Mon, 3 Jun 2024 10:00:00 +0000\r\nMessage-ID: <big-1@example.com>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"big\"\r\n\r\n--big\r\n" +
		"Content-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n--alt\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\nHere are the scans.\r\n--alt\r\n" +
		"Content-Type: text/html; charset=utf-8\r\n\r\n<p>Here are the <b>scans</b>.</p>\r\n--alt--\r\n")
	for i := range n {
		data := make([]byte, per)
		for j := 0; j < len(data); j += 8 {
			v := rng.Uint64()
			for k := 0; k < 8 && j+k < len(data); k++ {
				data[j+k] = byte(v >> (8 * k))
			}
		}
		atts = append(atts, data)
		fmt.Fprintf(&b, "--big\r\nContent-Type: application/pdf; name=\"scan-%d.pdf\"\r\n"+
			"Content-Disposition: attachment; filename=\"scan-%d.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n", i, i)
		enc := base64.StdEncoding.EncodeToString(data)
		for len(enc) > 76 {
			b.WriteString(enc[:76])
			b.WriteString("\r\n")
			enc = enc[76:]
		}
		b.WriteString(enc)
		b.WriteString("\r\n")
	}
	b.WriteString("--big--\r\n")
	return b.Bytes(), atts
}

// TestParseLargeMessageMemory parses a 25 MB mail (the SES inbound limit is larger than what
// most providers send; 25 MB is Gmail's and Outlook's) and logs the heap it takes, as a
// 256 MB Lambda has to hold it. It runs alone (not parallel) so that the numbers are its own.
func TestParseLargeMessageMemory(t *testing.T) {
	raw, atts := bigMail(25<<20, 5)

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)

	// Sample the heap while parsing to estimate the peak.
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peak.Load() {
				peak.Store(ms.HeapAlloc)
			}
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	m, err := Parse(bytes.NewReader(raw))
	close(done)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)

	if m.Malformed || m.Text != "Here are the scans." || len(m.Attachments) != len(atts) {
		t.Fatalf("parse: malformed %v, text %q, %d attachments, problems %v", m.Malformed, m.Text, len(m.Attachments), m.Problems)
	}
	for i, a := range m.Attachments {
		if !bytes.Equal(a.Data, atts[i]) {
			t.Fatalf("attachment %d differs", i)
		}
	}
	mb := func(v uint64) float64 { return float64(v) / (1 << 20) }
	retained := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("parsed %.1f MB mail with %d attachments: HeapAlloc growth %.1f MB retained (result), peak HeapAlloc %.1f MB above start (sampled), %.1f MB allocated in total",
		mb(uint64(len(raw))), len(atts), float64(retained)/(1<<20), mb(peak.Load()-min(peak.Load(), before.HeapAlloc)), mb(after.TotalAlloc-before.TotalAlloc))
	if peak.Load() > before.HeapAlloc && peak.Load()-before.HeapAlloc > 200<<20 {
		t.Errorf("peak heap growth %.1f MB does not leave room in a 256 MB Lambda", mb(peak.Load()-before.HeapAlloc))
	}
	runtime.KeepAlive(m)
	runtime.KeepAlive(raw)
}
