//! Transcript tests of the selected state.
