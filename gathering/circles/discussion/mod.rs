//! Circle discussions: who speaks next (`turns`, with `mentions` and `selector`) and when a
//! discussion ends (`ending`). Pure logic, no I/O.

pub mod ending;
pub mod mentions;
pub mod selector;
pub mod turns;
