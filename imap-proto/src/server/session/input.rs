//! The input side of [`ServerSession`]: framing, command dispatch by state, authentication,
//! STARTTLS, ENABLE, ID, IDLE, COMPRESS, APPEND streaming. (To be written: issue 11.)

use super::*;

impl ServerSession {
    /// Writes the greeting (`* OK [CAPABILITY ...] ready`, or `* PREAUTH`).
    pub(super) fn greeting(&mut self) {
        let _ = &self.config;
    }
}
