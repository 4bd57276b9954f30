package secretbox

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"testing"
)

func newKey(t *testing.T) []byte {
	t.Helper()
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		t.Fatal(err)
	}
	return k
}

func newBox(t *testing.T) *Box {
	t.Helper()
	b, err := New(newKey(t))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestNewKeySize(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 16, 24, 31, 33, 64} {
		if _, err := New(make([]byte, n)); err == nil {
			t.Errorf("New with %d-byte key: want error", n)
		}
	}
	if _, err := New(make([]byte, 32)); err != nil {
		t.Errorf("New with 32-byte key: %v", err)
	}
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	b := newBox(t)
	for _, pt := range [][]byte{nil, []byte(""), []byte("x"), []byte(`{"twilioAuthToken":"s3cr3t"}`), bytes.Repeat([]byte("a"), 10000)} {
		sealed, err := b.Seal(pt, []byte("acct/ch"))
		if err != nil {
			t.Fatal(err)
		}
		if len(sealed) != 12+len(pt)+16 {
			t.Errorf("sealed length %d for %d-byte plaintext", len(sealed), len(pt))
		}
		if len(pt) > 3 && bytes.Contains(sealed, pt) {
			t.Error("sealed value contains the plaintext")
		}
		got, err := b.Open(sealed, []byte("acct/ch"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, pt) {
			t.Errorf("Open = %q, want %q", got, pt)
		}
	}
}

func TestNonceIsRandom(t *testing.T) {
	t.Parallel()
	b := newBox(t)
	a, _ := b.Seal([]byte("same"), nil)
	c, _ := b.Seal([]byte("same"), nil)
	if bytes.Equal(a[:12], c[:12]) || bytes.Equal(a, c) {
		t.Error("two seals of the same plaintext are equal")
	}
}

func TestOpenRejects(t *testing.T) {
	t.Parallel()
	b := newBox(t)
	other := newBox(t)
	aad := []byte("acct1/ch1")
	sealed, err := b.Seal([]byte("token-123"), aad)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) []byte {
		s := bytes.Clone(sealed)
		s[i] ^= 0x01
		return s
	}
	tests := []struct {
		name   string
		box    *Box
		sealed []byte
		aad    []byte
	}{
		{"tampered nonce", b, flip(0), aad},
		{"tampered ciphertext", b, flip(13), aad},
		{"tampered tag", b, flip(len(sealed) - 1), aad},
		{"truncated", b, sealed[:len(sealed)-1], aad},
		{"too short", b, sealed[:10], aad},
		{"empty", b, nil, aad},
		{"wrong aad", b, sealed, []byte("acct2/ch1")},
		{"missing aad", b, sealed, nil},
		{"wrong key", other, sealed, aad},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.box.Open(tt.sealed, tt.aad)
			if !errors.Is(err, ErrOpen) {
				t.Fatalf("Open = %q, %v; want ErrOpen", got, err)
			}
		})
	}
}

func TestKeyFromBase64(t *testing.T) {
	t.Parallel()
	key := newKey(t)
	tests := []struct {
		name    string
		in      string
		wantErr bool
	}{
		{"std", base64.StdEncoding.EncodeToString(key), false},
		{"raw std", base64.RawStdEncoding.EncodeToString(key), false},
		{"url", base64.URLEncoding.EncodeToString(key), false},
		{"raw url", base64.RawURLEncoding.EncodeToString(key), false},
		{"whitespace", " " + base64.StdEncoding.EncodeToString(key) + "\n", false},
		{"empty", "", true},
		{"not base64", "!!!not-base64!!!", true},
		{"short", base64.StdEncoding.EncodeToString(key[:16]), true},
		{"long", base64.StdEncoding.EncodeToString(append(bytes.Clone(key), 0)), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := KeyFromBase64(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("want error, got %x", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, key) {
				t.Fatalf("key = %x, want %x", got, key)
			}
		})
	}
}
