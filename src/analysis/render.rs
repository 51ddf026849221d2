//! The human report. Built only from counts, lengths, alphabets, positions and findings (whose details
//! hold fingerprints, never tokens), so it cannot leak a token.

use super::{Analysis, HashSearch, TokenVerdict};
use std::fmt::Write;

pub fn text(a: &Analysis) -> String {
    let mut o = String::new();
    let verdict = match &a.verdict {
        TokenVerdict::Pass => "PASS".to_string(),
        TokenVerdict::Fail => "FAIL".to_string(),
        TokenVerdict::Inconclusive(why) => format!("INCONCLUSIVE ({why})"),
    };
    let _ = writeln!(o, "Token analysis: {verdict}");
    for r in &a.reasons {
        let _ = writeln!(o, "  - {r}");
    }
    let _ = writeln!(
        o,
        "Sample: {} tokens ({} unique, {} duplicates{}), length {}",
        a.sample_size,
        a.unique,
        a.duplicates,
        if a.ignored_empty > 0 {
            format!(", {} empty lines ignored", a.ignored_empty)
        } else {
            String::new()
        },
        if a.length_min == a.length_max {
            a.length_min.to_string()
        } else {
            format!("{}..{}", a.length_min, a.length_max)
        }
    );
    let _ = if a.varying_positions == 0 {
        writeln!(
            o,
            "Alphabet: none (no varying positions); {} constant positions",
            a.constant_positions
        )
    } else {
        writeln!(
            o,
            "Alphabet: {} ({} symbols) over {} varying positions; {} constant positions",
            a.alphabet.name(),
            a.alphabet.size(),
            a.varying_positions,
            a.constant_positions
        )
    };
    match &a.char_level {
        Some(c) => {
            let _ = writeln!(
                o,
                "Character level: Shannon {:.1} bits summed over {} positions; effective {:.1} bits ({} of {} positions uniform, chi-square at p ≥ {:.2e}){}",
                c.shannon_bits,
                c.positions,
                c.effective_bits,
                c.positions - c.non_uniform_positions.len(),
                c.positions,
                c.threshold,
                positions_list(" — non-uniform at offsets ", &c.non_uniform_positions)
            );
        }
        None => {
            let _ = writeln!(o, "Character level: not measured");
        }
    }
    match &a.bit_level {
        Some(b) => {
            let _ = writeln!(
                o,
                "Bit level: {} bits per token ({}), {} bits analysed; effective entropy {} bits{} (policy ≥ {}; per-position p ≥ {:.2e}, {} positions below the uncorrected {}){}",
                b.bits_per_token,
                b.conversion.replace('_', " "),
                b.bits_analysed,
                b.effective_entropy_bits,
                b.capacity_bits
                    .map(|c| format!(", at most the {c:.1} bits the characters can hold"))
                    .unwrap_or_default(),
                a.min_entropy_bits,
                b.threshold,
                b.failing_uncorrected,
                a.significance,
                positions_list(" — failing bit positions ", &b.failing_positions)
            );
            match &b.fips {
                Some(f) if f.scope == "stream" => {
                    let verdict = |pass: usize| if pass == 1 { "pass" } else { "fail" };
                    let _ = writeln!(
                        o,
                        "FIPS 140-2 on the first 20000 bits of the concatenated tokens: monobit {}, poker {}, runs {}, long runs {}",
                        verdict(f.monobit),
                        verdict(f.poker),
                        verdict(f.runs),
                        verdict(f.long_runs)
                    );
                }
                Some(f) => {
                    let _ = writeln!(
                        o,
                        "FIPS 140-2 per bit position (first 20000 tokens), positions passing of {}: monobit {}, poker {}, runs {}, long runs {}",
                        f.tested, f.monobit, f.poker, f.runs, f.long_runs
                    );
                }
                None => {
                    let _ = writeln!(o, "FIPS 140-2: not run (fewer than 20000 bits)");
                }
            }
        }
        None if a.duplicates > 0 => {
            let _ = writeln!(
                o,
                "Bit level: not measured (the sample is not unique; a sample with duplicates gets no entropy figure)"
            );
        }
        None => {
            let _ = writeln!(o, "Bit level: not measured");
        }
    }
    if let (Some(why), Some(b)) = (&a.entropy_withheld, &a.bit_level) {
        let _ = writeln!(
            o,
            "Entropy credited: none — {why}; the {} bits above are what the statistics alone could not tell from random",
            b.effective_entropy_bits
        );
    }
    if a.structure.is_empty() {
        let _ = writeln!(o, "Structure: nothing found");
    } else {
        let _ = writeln!(o, "Structure:");
        for f in &a.structure {
            let _ = writeln!(
                o,
                "  - [{}] {}",
                if f.fails { "FAIL" } else { "info" },
                f.detail
            );
        }
    }
    let _ = match (&a.hash_search, &a.hash_of_counter) {
        (_, Some(f)) => writeln!(o, "Hash of counter: {}", f.detail),
        (
            HashSearch::Searched {
                algorithm,
                candidates,
                ..
            },
            None,
        ) => writeln!(
            o,
            "Hash of counter: no {algorithm} of small integers or recent Unix times among {candidates} candidates"
        ),
        (HashSearch::Disabled, None) => writeln!(o, "Hash of counter: search disabled"),
        (_, None) => writeln!(
            o,
            "Hash of counter: not applicable (tokens are not hex digests)"
        ),
    };
    let _ = writeln!(o, "Note: {}", a.note);
    o
}

fn positions_list(label: &str, positions: &[usize]) -> String {
    const MAX: usize = 24;
    if positions.is_empty() {
        return String::new();
    }
    let mut s: Vec<String> = positions.iter().take(MAX).map(usize::to_string).collect();
    if positions.len() > MAX {
        s.push(format!("… ({} in all)", positions.len()));
    }
    format!("{label}{}", s.join(", "))
}
