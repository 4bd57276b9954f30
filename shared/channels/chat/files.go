package chat

import (
	"slices"
	"strings"
)

// Limits of the files a visitor attaches in the widget (what the chat API's uploads and sends
// check). They follow what chat widgets commonly take: Crisp and Chatwoot take documents,
// images and media of a few megabytes, several to a message.
const (
	// MaxFileBytes is a visitor's largest file: 10 MiB. The file goes to S3 straight from the
	// browser through a presigned link, so Lambda's 6 MB payload limit is not in its way.
	MaxFileBytes = 10 << 20
	// MaxFiles is how many files one message carries.
	MaxFiles = 5
)

// FileTypes are the media types a visitor may attach: images, PDF, plain text and CSV, office
// documents, ZIP archives, MP3 and MP4. No HTML, SVG or scripts: agents download visitors'
// files (served as attachments, never as pages of the bucket's origin) and a type list keeps
// the widget's promise plain.
var FileTypes = []string{
	"image/png", "image/jpeg", "image/gif", "image/webp",
	"application/pdf", "text/plain", "text/csv",
	"application/msword", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"application/vnd.ms-excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"application/vnd.ms-powerpoint", "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	"application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet",
	"application/zip", "audio/mpeg", "video/mp4",
}

// AcceptsFile reports whether a visitor may attach a file of media type contentType
// (parameters ignored, case-insensitive): one of FileTypes.
func AcceptsFile(contentType string) bool {
	mt, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(contentType)), ";")
	mt = strings.TrimSpace(mt)
	return slices.Contains(FileTypes, mt)
}
