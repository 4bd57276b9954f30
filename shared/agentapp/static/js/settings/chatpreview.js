// The chat channel's live preview (filled in below).
export function chatPreview() { return null; }
