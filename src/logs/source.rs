//! Inputs: plain, gzip or zstd files (told by their first bytes, not their names) or stdin, read on a
//! thread of their own in blocks that end at a line end, so parsing never waits for decompression.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};

/// Blocks of about this size travel from the reader to the parser.
const BLOCK: usize = 4 << 20;
/// Blocks in flight: enough to keep both threads busy, few enough to bound memory.
const IN_FLIGHT: usize = 4;

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

/// What the reader sends: whole lines, or why it stopped.
pub enum Block {
    /// A buffer and how much of it holds lines.
    Lines(Vec<u8>, usize),
    Failed(String),
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

/// The reader thread's two ends: blocks in input order, and the way back for emptied buffers (reused,
/// so the pages of a block are not faulted in afresh each time).
pub struct Reader {
    pub blocks: Receiver<Block>,
    pub recycle: Sender<Vec<u8>>,
    pub handle: std::thread::JoinHandle<()>,
}

/// Starts the reader thread; blocks arrive in input order, each ending at a line end (an input's
/// unterminated last line is its own block, never glued to the next input's first).
pub fn spawn(inputs: Vec<Input>) -> Reader {
    let (tx, rx) = sync_channel(IN_FLIGHT);
    let (recycle, returned) = channel::<Vec<u8>>();
    let handle = std::thread::spawn(move || {
        for input in &inputs {
            if let Err(e) = read_one(input, &tx, &returned) {
                let _ = tx.send(Block::Failed(format!("{}: {e}", input.name())));
                return;
            }
        }
    });
    Reader {
        blocks: rx,
        recycle,
        handle,
    }
}

fn read_one(
    input: &Input,
    tx: &SyncSender<Block>,
    returned: &Receiver<Vec<u8>>,
) -> std::io::Result<()> {
    let mut r = open(input)?;
    let mut carry: Vec<u8> = Vec::new();
    loop {
        // A returned buffer keeps its length: zeroed once when it grows, never again.
        let mut buf = returned.try_recv().unwrap_or_default();
        let start = carry.len();
        if buf.len() < start + BLOCK {
            buf.resize(start + BLOCK, 0);
        }
        buf[..start].copy_from_slice(&carry);
        carry.clear();
        let end = start + BLOCK;
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
                    continue;
                }
            }
        }
        if len > 0 && tx.send(Block::Lines(buf, len)).is_err() {
            return Ok(());
        }
        if eof {
            return Ok(());
        }
    }
}
