//! Inputs: plain, gzip or zstd files (told by their first bytes, not their names) or stdin, read on a
//! thread of their own in blocks that end at a line end, so parsing never waits for decompression.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

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
    Lines(Vec<u8>),
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

/// Starts the reader thread; blocks arrive in input order, each ending at a line end (an input's
/// unterminated last line is its own block, never glued to the next input's first).
pub fn spawn(inputs: Vec<Input>) -> (Receiver<Block>, std::thread::JoinHandle<()>) {
    let (tx, rx) = sync_channel(IN_FLIGHT);
    let handle = std::thread::spawn(move || {
        for input in &inputs {
            if let Err(e) = read_one(input, &tx) {
                let _ = tx.send(Block::Failed(format!("{}: {e}", input.name())));
                return;
            }
        }
    });
    (rx, handle)
}

fn read_one(input: &Input, tx: &SyncSender<Block>) -> std::io::Result<()> {
    let mut r = open(input)?;
    let mut carry: Vec<u8> = Vec::new();
    loop {
        let mut buf = Vec::with_capacity(BLOCK + carry.len());
        buf.append(&mut carry);
        let start = buf.len();
        buf.resize(start + BLOCK, 0);
        let mut filled = start;
        while filled < buf.len() {
            match r.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        buf.truncate(filled);
        let eof = filled < start + BLOCK;
        if !eof {
            match memchr::memrchr(b'\n', &buf) {
                Some(end) => carry.extend_from_slice(&buf[end + 1..]),
                // One line longer than a block: keep reading it.
                None => {
                    carry = buf;
                    continue;
                }
            }
            let end = buf.len() - carry.len();
            buf.truncate(end);
        }
        if !buf.is_empty() && tx.send(Block::Lines(buf)).is_err() {
            return Ok(());
        }
        if eof {
            return Ok(());
        }
    }
}
