// Package secretbox seals small secrets (channel credentials) with AES-256-GCM so that they are
// never stored in clear text. A sealed value is the random 12-byte nonce followed by the GCM
// ciphertext and tag; the additional authenticated data (aad) binds a sealed value to its owner,
// so that it cannot be copied onto another record and opened there.
package secretbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the size in bytes of a key: AES-256.
const KeySize = 32

// Box seals and opens secrets with one key. It is safe for concurrent use.
type Box struct {
	aead cipher.AEAD
}

// New returns a Box for key, which must be KeySize (32) bytes long.
func New(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("secretbox: key is %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secretbox: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secretbox: %w", err)
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts and authenticates plaintext together with aad and returns nonce‖ciphertext.
func (b *Box) Seal(plaintext, aad []byte) ([]byte, error) {
	ns := b.aead.NonceSize()
	out := make([]byte, ns, ns+len(plaintext)+b.aead.Overhead())
	if _, err := rand.Read(out); err != nil {
		return nil, fmt.Errorf("secretbox: nonce: %w", err)
	}
	return b.aead.Seal(out, out[:ns], plaintext, aad), nil
}

// ErrOpen is returned by Open when a sealed value is malformed, was tampered with, or is opened
// with another key or aad than it was sealed with.
var ErrOpen = errors.New("secretbox: message authentication failed")

// Open authenticates and decrypts a value returned by Seal with the same aad. It returns ErrOpen
// when the value is malformed, tampered with, or sealed with another key or aad.
func (b *Box) Open(sealed, aad []byte) ([]byte, error) {
	ns := b.aead.NonceSize()
	if len(sealed) < ns+b.aead.Overhead() {
		return nil, ErrOpen
	}
	pt, err := b.aead.Open(nil, sealed[:ns], sealed[ns:], aad)
	if err != nil {
		return nil, ErrOpen
	}
	return pt, nil
}

// KeyFromBase64 decodes a key written in standard or URL-safe base64 (padded or not) and checks
// that it is KeySize bytes long. Surrounding whitespace is ignored.
func KeyFromBase64(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("secretbox: empty key")
	}
	var key []byte
	var err error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if key, err = enc.DecodeString(s); err == nil {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("secretbox: key is not base64: %w", err)
	}
	if len(key) != KeySize {
		return nil, fmt.Errorf("secretbox: key is %d bytes, want %d", len(key), KeySize)
	}
	return key, nil
}
