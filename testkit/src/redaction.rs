//! Checking that `Debug` output hides credentials (`sasl::Secret` prints `[redacted]`).
//!
//! ```
//! let debug = format!("{:?}", ("alice", "[redacted]"));
//! testkit::redaction::assert_redacted("a login", &debug, &["hunter2-SECRET"]);
//! ```

/// The forms in which `secret` could show in `Debug` output: the text itself, and the byte list
/// `{:?}` prints for a `[u8]` or `Vec<u8>` holding it (`104, 117, 110, ...`).
pub fn leak_forms(secret: &str) -> [String; 2] {
    let bytes = format!("{:?}", secret.as_bytes());
    [secret.to_owned(), bytes.trim_matches(['[', ']']).to_owned()]
}

/// Panics unless `debug` (the `{:?}` of `what`) shows none of `secrets` in any of their
/// [`leak_forms`].
#[track_caller]
pub fn assert_hidden(what: &str, debug: &str, secrets: &[&str]) {
    for secret in secrets {
        for form in leak_forms(secret) {
            assert!(
                !debug.contains(&form),
                "{what}: Debug output shows a secret as {form:?}: {debug}"
            );
        }
    }
}

/// [`assert_hidden`], and `debug` shows `[redacted]`: the credential is there, hidden.
#[track_caller]
pub fn assert_redacted(what: &str, debug: &str, secrets: &[&str]) {
    assert_hidden(what, debug, secrets);
    assert!(
        debug.contains("[redacted]"),
        "{what}: no credential in the output at all: {debug}"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_text_and_byte_lists() {
        assert_eq!(leak_forms("ab"), ["ab".to_owned(), "97, 98".to_owned()]);
        for leaked in [
            format!("{:?}", ("u", "pw-123")),
            format!("{:?}", Some(b"pw-123".to_vec())),
            format!("{:?}", std::borrow::Cow::Borrowed(&b"pw-123"[..])),
        ] {
            let caught = std::panic::catch_unwind(|| assert_hidden("x", &leaked, &["pw-123"]));
            assert!(caught.is_err(), "{leaked}");
        }
        assert_redacted("x", "Login { password: [redacted] }", &["pw-123"]);
        let caught = std::panic::catch_unwind(|| assert_redacted("x", "Login", &["pw-123"]));
        assert!(caught.is_err());
    }
}
