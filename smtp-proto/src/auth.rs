//! SMTP AUTH framing (RFC 4954): base64 challenge and response lines, `*` cancel, initial response.
