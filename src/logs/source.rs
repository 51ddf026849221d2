//! Inputs: plain, gzip or zstd files (told by their first bytes, not their names) or stdin, read on a
//! thread of their own in blocks that end at a line end, so parsing never waits for decompression.

use super::batch::Batch;
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};

/// Blocks of about this size travel from the reader to the parsers: small enough that two workers
/// share even a small file, large enough that handing one over costs nothing.
pub const BLOCK: usize = 2 << 20;

#[derive(Debug, Clone)]
pub enum Input {
    Stdin,
    File(PathBuf),
}

impl Input {
    pub fn parse(arg: &std::path::Path) -> Input {
        if arg.as_os_str() == "-" {
            Input::Stdin
        } else {
            Input::File(arg.to_path_buf())
        }
    }

    pub fn name(&self) -> String {
        match self {
            Input::Stdin => "-".into(),
            Input::File(p) => p.display().to_string(),
        }
    }
}

fn open(input: &Input) -> std::io::Result<Box<dyn Read + Send>> {
    let raw: Box<dyn Read + Send> = match input {
        Input::Stdin => Box::new(std::io::stdin()),
        Input::File(p) => Box::new(std::fs::File::open(p)?),
    };
    let mut buffered = BufReader::with_capacity(1 << 20, raw);
    let head = buffered.fill_buf()?;
    Ok(if head.starts_with(&[0x1f, 0x8b]) {
        Box::new(flate2::bufread::MultiGzDecoder::new(buffered))
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Box::new(zstd::stream::read::Decoder::with_buffer(buffered)?)
    } else {
        Box::new(buffered)
    })
}

/// Every input must open before the pass starts: a typo in the third file is bad input, not a
/// half-read report.
pub fn check(inputs: &[Input]) -> Result<(), String> {
    for i in inputs {
        if let Input::File(p) = i {
            std::fs::File::open(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
        }
    }
    Ok(())
}

/// The reader thread's two ends: batches in input order (numbered), and the way back for emptied
/// batches (reused, so the pages of a block are not faulted in afresh each time).
pub struct Reader {
    pub batches: Receiver<Batch>,
    pub recycle: Sender<Batch>,
    pub handle: std::thread::JoinHandle<()>,
}

/// Starts the reader thread; batches carry blocks in input order, each ending at a line end (an
/// input's unterminated last line is its own block, never glued to the next input's first). At most
/// `pool` batches exist: the reader waits for one to come back before it reads on, which bounds
/// memory however far the parsers fall behind.
pub fn spawn(inputs: Vec<Input>, pool: usize, block: usize) -> Reader {
    let (tx, rx) = sync_channel(pool);
    let (recycle, returned) = channel::<Batch>();
    let handle = std::thread::spawn(move || {
        let mut r = Pool {
            tx,
            returned,
            made: 0,
            pool,
            spare: None,
            block,
            seq: 0,
        };
        for input in &inputs {
            if let Err(e) = read_one(input, &mut r) {
                if let Some(mut b) = r.take() {
                    b.failed = Some(format!("{}: {e}", input.name()));
                    b.len = 0;
                    let _ = r.send(b);
                }
                return;
            }
        }
    });
    Reader {
        batches: rx,
        recycle,
        handle,
    }
}

struct Pool {
    tx: SyncSender<Batch>,
    returned: Receiver<Batch>,
    made: usize,
    pool: usize,
    /// A batch taken but not sent (its block held no whole line yet).
    spare: Option<Batch>,
    block: usize,
    seq: u64,
}

impl Pool {
    /// An empty batch: a new one while fewer than `pool` exist, else one that came back. `None` when
    /// the judge is gone.
    fn take(&mut self) -> Option<Batch> {
        if let Some(b) = self.spare.take() {
            return Some(b);
        }
        if let Ok(b) = self.returned.try_recv() {
            return Some(b);
        }
        if self.made < self.pool {
            self.made += 1;
            return Some(Batch::default());
        }
        self.returned.recv().ok()
    }

    fn returned_one(&mut self, b: Batch) {
        self.spare = Some(b);
    }

    fn send(&mut self, mut b: Batch) -> bool {
        b.seq = self.seq;
        self.seq += 1;
        self.tx.send(b).is_ok()
    }
}

fn read_one(input: &Input, pool: &mut Pool) -> std::io::Result<()> {
    let mut r = open(input)?;
    let mut carry: Vec<u8> = Vec::new();
    loop {
        let Some(mut batch) = pool.take() else {
            return Ok(());
        };
        batch.failed = None;
        // A returned buffer keeps its length: zeroed once when it grows, never again.
        let buf = &mut batch.block;
        let start = carry.len();
        if buf.len() < start + pool.block {
            buf.resize(start + pool.block, 0);
        }
        buf[..start].copy_from_slice(&carry);
        carry.clear();
        let end = start + pool.block;
        let mut filled = start;
        while filled < end {
            match r.read(&mut buf[filled..end]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        let eof = filled < end;
        let mut len = filled;
        if !eof {
            match memchr::memrchr(b'\n', &buf[..filled]) {
                Some(last) => {
                    carry.extend_from_slice(&buf[last + 1..filled]);
                    len = last + 1;
                }
                // One line longer than a block: keep reading it.
                None => {
                    carry.extend_from_slice(&buf[..filled]);
                    pool.returned_one(batch);
                    continue;
                }
            }
        }
        batch.len = len;
        if len > 0 {
            if !pool.send(batch) {
                return Ok(());
            }
        } else {
            pool.returned_one(batch);
        }
        if eof {
            return Ok(());
        }
    }
}
