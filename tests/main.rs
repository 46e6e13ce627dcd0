//! helpline's integration tests: one binary, one module per story.

mod support;

mod content_check; // `helpline check` passes on the shipped files and pinpoints each kind of fault
mod conversation_walk; // every reachable path of every flow, in every locale: no dead end, no raw id
mod plurals; // plural forms render right in every locale
mod red_flags; // each red flag brings emergency numbers and a talk-now button in the same reply
mod simulate_script; // `helpline simulate` replays a scripted conversation in Ukrainian
