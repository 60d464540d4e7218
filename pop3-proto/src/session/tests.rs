//! Session tests: RFC 1939 transcripts, state rules, limits.
