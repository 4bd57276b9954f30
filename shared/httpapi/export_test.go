package httpapi

// InlineImagesForTest exposes inlineImages to the external tests.
var InlineImagesForTest = inlineImages
