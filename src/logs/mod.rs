//! `usher logs`: session flaws in production access logs. One streaming pass (no index): a reader
//! thread decompresses, worker threads parse blocks of lines in parallel, the caller's thread judges
//! them in order; memory follows the sessions alive (and a fixed number of blocks in flight).
//!
//! Layout: `format/` parses lines into `Fields`, `batch` packs what each line says on its own,
//! `session_id` finds the session in them, `session`
//! is what is kept per id, `rules/` judge (one file per rule), `distributions` summarise, `report/`
//! writes JUnit, JSON and HTML, `generate` writes test logs with planted incidents.

pub mod agent;
pub mod analyzer;
pub mod batch;
pub mod distributions;
pub mod format;
pub mod generate;
pub mod geo;
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
///
/// Three stages: the reader thread cuts the input into blocks of whole lines, `workers` threads parse
/// blocks (any block, as they come), and this thread judges them strictly in input order, so the
/// outcome is the same whatever the number of workers. Parsing is most of the work and needs no
/// state; judging needs every earlier line and stays on one thread.
pub fn analyse(inputs: Vec<Input>, options: &Options) -> Result<Outcome, (String, Box<Outcome>)> {
    analyse_in_blocks(inputs, options, source::BLOCK)
}

fn analyse_in_blocks(
    inputs: Vec<Input>,
    options: &Options,
    block: usize,
) -> Result<Outcome, (String, Box<Outcome>)> {
    let started = std::time::Instant::now();
    let names: Vec<String> = inputs.iter().map(Input::name).collect();
    let workers = match options.workers {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get().min(8)),
        n => n,
    };
    // Two batches per worker (one parsed, one being parsed) and two for the reader and the judge.
    let reader = source::spawn(inputs, 2 * workers + 2, block);
    let (done_tx, done) = std::sync::mpsc::sync_channel::<batch::Batch>(2 * workers + 2);
    let queue = std::sync::Mutex::new(reader.batches);
    let carries = options.format.carries();
    let mut a = Analyzer::new(options);
    let mut bytes: u64 = 0;
    let mut failure = None;
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let done_tx = done_tx.clone();
            let queue = &queue;
            scope.spawn(move || {
                let mut scratch = format::JsonScratch::default();
                loop {
                    let next = queue.lock().map(|q| q.recv());
                    let Ok(Ok(mut b)) = next else {
                        return;
                    };
                    b.parse(options, carries, &mut scratch);
                    if done_tx.send(b).is_err() {
                        return;
                    }
                }
            });
        }
        drop(done_tx);
        let mut waiting = std::collections::BTreeMap::new();
        let mut next_seq = 0;
        for b in done.iter() {
            waiting.insert(b.seq, b);
            while let Some(b) = waiting.remove(&next_seq) {
                next_seq += 1;
                if let Some(e) = &b.failed {
                    failure = Some(e.clone());
                }
                bytes += b.len as u64;
                a.batch(&b);
                let _ = reader.recycle.send(b);
            }
        }
    });
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Workers parse blocks in any order; the judge must see them in input order, so the outcome is
    /// the same with one worker or several, whatever the block size.
    #[test]
    fn parallel_parsing_judges_in_input_order() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("a.log");
        generate::write(&log, 1_500_000, 3, None).unwrap();
        let run = |workers: usize, block: usize| {
            let options = Options {
                format: format::Format::parse("ticketbooth", &[]).unwrap(),
                format_name: "ticketbooth".into(),
                sources: session_id::Sources::default(),
                policy: policy::LogPolicy::default(),
                redact_ips: false,
                workers,
                geoip: None,
            };
            let mut o = analyse_in_blocks(vec![Input::File(log.clone())], &options, block)
                .unwrap_or_else(|(e, _)| panic!("{e}"));
            o.input.seconds = 0.0;
            serde_json::to_string(&o).unwrap()
        };
        let one = run(1, source::BLOCK);
        assert!(
            one.contains("\"verdict\":\"FAIL\""),
            "the planted incidents"
        );
        assert_eq!(one, run(3, 64 << 10));
        assert_eq!(one, run(2, 4 << 10));
    }
}
