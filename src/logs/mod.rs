//! `usher logs`: session flaws in production access logs. One streaming pass (no index): a reader
//! thread decompresses, the caller's thread parses and judges; memory follows the sessions alive.
//!
//! Layout: `format/` parses lines into `Fields`, `session_id` finds the session in them, `session`
//! is what is kept per id, `rules/` judge (one file per rule), `distributions` summarise, `report/`
//! writes JUnit, JSON and HTML, `generate` writes test logs with planted incidents.

pub mod agent;
pub mod analyzer;
pub mod distributions;
pub mod format;
pub mod generate;
pub mod hash;
pub mod network;
pub mod outcome;
pub mod policy;
pub mod report;
pub mod rules;
pub mod session;
pub mod session_id;
pub mod source;

pub use analyzer::{Analyzer, Options};
pub use outcome::{Outcome, Verdict};
pub use source::Input;

/// Reads every input in order and judges it. `Err` when an input cannot be read (the outcome of what
/// was read comes with it, for the reports).
pub fn analyse(inputs: Vec<Input>, options: &Options) -> Result<Outcome, (String, Box<Outcome>)> {
    let started = std::time::Instant::now();
    let names: Vec<String> = inputs.iter().map(Input::name).collect();
    let reader = source::spawn(inputs);
    let mut a = Analyzer::new(options);
    let mut no: u64 = 0;
    let mut bytes: u64 = 0;
    let mut failure = None;
    for block in reader.blocks.iter() {
        match block {
            source::Block::Lines(block, len) => {
                let buf = &block[..len];
                bytes += len as u64;
                let mut start = 0;
                for end in memchr::memchr_iter(b'\n', buf) {
                    no += 1;
                    a.line(no, &buf[start..end]);
                    start = end + 1;
                }
                if start < buf.len() {
                    no += 1;
                    a.line(no, &buf[start..]);
                }
                let _ = reader.recycle.send(block);
            }
            source::Block::Failed(e) => failure = Some(e),
        }
    }
    let _ = reader.handle.join();
    let mut outcome = a.finish();
    outcome.input.files = names;
    outcome.input.bytes = bytes;
    outcome.input.seconds = (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0;
    match failure {
        Some(e) => Err((e, Box::new(outcome))),
        None => Ok(outcome),
    }
}
