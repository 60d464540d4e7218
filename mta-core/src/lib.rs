//! Mail transfer agent core: the queue, routing, relay over DNS MX, local delivery with filtering, bounces, and the MSA, MX and LMTP policies that plug into the `smtp-proto` server.
//!
//! Placeholder: filled by the MTA issues.
