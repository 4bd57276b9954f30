package inbox

import (
	"mime"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxFileName caps a file name, in bytes (most file systems' limit).
const maxFileName = 255

// FileName reduces a file name as a sender gave it to a safe base name: the part after the
// last '/' or '\', without control or format characters (line breaks, NUL, right-to-left
// overrides that disguise an extension), trimmed of spaces and dots at both ends, at most 255
// bytes. It returns "" when nothing is left ("../..", "", a name of control characters): the
// caller picks a default.
func FileName(name string) string {
	name = name[strings.LastIndexAny(name, `/\`)+1:]
	name = strings.Map(func(r rune) rune {
		if r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' {
			return -1
		}
		return r
	}, name)
	name = strings.Trim(name, " .")
	for len(name) > maxFileName {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	return name
}

// inlineTypes are the media types a browser may show or play in place (raster images and
// MP3/WAV audio such as call recordings, which it never runs as script). Every other file is
// sent as a download.
var inlineTypes = map[string]bool{
	"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true, "image/avif": true,
	"audio/mpeg": true, "audio/wav": true, "audio/x-wav": true,
}

// Download is how a stored file is served to a browser: the Content-Type and the
// Content-Disposition (RFC 6266) of its link. A raster image or recording of inlineTypes is shown inline with
// its type; anything else (HTML, SVG, PDF, …) is an attachment served as
// application/octet-stream, so that no browser renders it in the bucket's origin, whatever
// its name or content.
func Download(name, contentType string) (respType, disposition string) {
	mt, _, err := mime.ParseMediaType(contentType)
	kind := "attachment"
	respType = "application/octet-stream"
	if err == nil && inlineTypes[mt] {
		kind, respType = "inline", mt
	}
	name = FileName(name)
	if name == "" {
		return respType, kind
	}
	return respType, kind + "; " + dispositionName(name)
}

// dispositionName is the filename parameter of a Content-Disposition: an ASCII fallback
// (RFC 6266 §4.3), plus filename* in UTF-8 (RFC 8187) when the name is not plain ASCII.
func dispositionName(name string) string {
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '%' {
			return '_'
		}
		return r
	}, name)
	out := `filename="` + ascii + `"`
	if ascii != name {
		out += "; filename*=UTF-8''" + percentEncode(name)
	}
	return out
}

// percentEncode encodes name as an RFC 8187 value: attr-chars as they are, every other byte
// as %XX.
func percentEncode(name string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
