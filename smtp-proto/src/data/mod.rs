//! Message data: the streaming DATA decoder and encoder (RFC 5321 §4.5.2) and BDAT framing (RFC 3030).
