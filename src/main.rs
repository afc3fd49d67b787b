//! The respsig CLI.
fn main() {}
