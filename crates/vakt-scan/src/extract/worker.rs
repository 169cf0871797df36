//! PDF extraction in a child process.
//!
//! The PDF reader (lopdf through pdf-extract) decompresses streams without a limit of its own and
//! recurses into nested objects, so a hostile PDF can exhaust memory or overflow the stack — neither can
//! be caught inside the process. The scanner therefore hands each PDF to a short-lived worker process
//! (the `vakt` binary itself, started again as `vakt scan --pdf-worker`), which
//! - caps its own address space (`RLIMIT_AS`) and CPU time (`RLIMIT_CPU`) before reading anything,
//! - reads the PDF from stdin and writes its pages to stdout in a small binary framing,
//!
//! while the parent waits at most for the time left for the file, kills the worker when that runs out,
//! caps how much output it accepts, and turns a crash (signal), a kill or a broken answer into an error
//! row for that file. The scan goes on.
//!
//! Framing of the answer: `O` followed by pages as (`u32` LE page number, `u32` LE length, UTF-8 text);
//! or `E`, one kind byte (`M` malformed, `L` limit, `T` timeout, `U` unsupported) and the UTF-8 detail.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::ExtractError;
use super::pdf::{MAX_TEXT, pdf_pages};

/// How to start a PDF worker: `program args…` reads one PDF on stdin and writes its pages to stdout
/// (see [`pdf_worker_main`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfWorker {
    pub program: PathBuf,
    pub args: Vec<String>,
    /// Address-space limit of the worker in bytes (0: none).
    pub max_memory: u64,
}

/// Default address-space limit of a PDF worker.
pub const DEFAULT_PDF_MEMORY: u64 = 1 << 30;

const ENV_MEMORY: &str = "VAKT_PDF_WORKER_MEMORY";
const ENV_TIMEOUT_MS: &str = "VAKT_PDF_WORKER_TIMEOUT_MS";
/// Most output accepted from a worker: the text limit plus the page framing.
const MAX_OUTPUT: u64 = MAX_TEXT as u64 + (16 << 20);

fn malformed(detail: String) -> ExtractError {
    ExtractError::Malformed {
        format: "pdf",
        detail,
    }
}

/// Extract the pages of `data` in a worker process, allowing it `time`.
pub(crate) fn run_pdf_worker(
    worker: &PdfWorker,
    data: &[u8],
    time: Duration,
) -> Result<Vec<(u32, String)>, ExtractError> {
    let deadline = Instant::now() + time;
    let timeout = || ExtractError::Timeout(time.as_secs());
    let mut child = Command::new(&worker.program)
        .args(&worker.args)
        .env(ENV_MEMORY, worker.max_memory.to_string())
        .env(ENV_TIMEOUT_MS, time.as_millis().to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| {
            ExtractError::Unsupported(format!(
                "cannot start the PDF worker {}: {e}",
                worker.program.display()
            ))
        })?;
    let stdin = child.stdin.take();
    let stdout = child.stdout.take();
    let (tx, rx) = std::sync::mpsc::channel::<Vec<u8>>();
    std::thread::scope(|s| {
        s.spawn(move || {
            if let Some(mut input) = stdin {
                // A worker that stops reading (crash, kill) makes this fail with EPIPE: nothing to do.
                let _ = input.write_all(data);
            }
        });
        s.spawn(move || {
            let mut buf = Vec::new();
            if let Some(out) = stdout {
                let _ = out.take(MAX_OUTPUT + 1).read_to_end(&mut buf);
            }
            let _ = tx.send(buf);
        });
        let answer = rx.recv_timeout(deadline.saturating_duration_since(Instant::now()));
        let Ok(buf) = answer else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(timeout());
        };
        if buf.len() as u64 > MAX_OUTPUT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(ExtractError::Limit {
                what: super::LimitKind::PdfText,
                max: MAX_TEXT as u64,
            });
        }
        // The answer is complete (stdout closed): the worker is exiting. Wait for it, within the deadline.
        let status = loop {
            match child.try_wait() {
                Ok(Some(st)) => break Some(st),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(1))
                }
                _ => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break None;
                }
            }
        };
        match status {
            None => Err(timeout()),
            Some(st) if st.success() => decode_answer(&buf),
            Some(st) => Err(crashed(st)),
        }
    })
}

fn crashed(st: std::process::ExitStatus) -> ExtractError {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = st.signal() {
            return malformed(format!(
                "the PDF reader crashed (signal {sig}: stack overflow, memory limit or CPU limit)"
            ));
        }
    }
    malformed(format!("the PDF reader failed ({st})"))
}

fn decode_answer(buf: &[u8]) -> Result<Vec<(u32, String)>, ExtractError> {
    let broken = || malformed("the PDF reader gave a broken answer".into());
    match buf.split_first() {
        Some((b'O', mut rest)) => {
            let mut pages = Vec::new();
            while !rest.is_empty() {
                let (head, tail) = rest.split_at_checked(8).ok_or_else(broken)?;
                let page = u32::from_le_bytes([head[0], head[1], head[2], head[3]]);
                let len = u32::from_le_bytes([head[4], head[5], head[6], head[7]]) as usize;
                let (text, tail) = tail.split_at_checked(len).ok_or_else(broken)?;
                let text = std::str::from_utf8(text).map_err(|_| broken())?;
                pages.push((page, text.to_string()));
                rest = tail;
            }
            Ok(pages)
        }
        Some((b'E', rest)) => {
            let (kind, detail) = rest.split_first().ok_or_else(broken)?;
            let detail = String::from_utf8_lossy(detail).into_owned();
            Err(match kind {
                b'L' => match detail.split_once(':').and_then(|(what, max)| {
                    Some((super::LimitKind::from_code(what)?, max.parse().ok()?))
                }) {
                    Some((what, max)) => ExtractError::Limit { what, max },
                    None => malformed(detail),
                },
                b'T' => ExtractError::Timeout(detail.parse().unwrap_or(0)),
                b'U' => ExtractError::Unsupported(detail),
                _ => malformed(detail),
            })
        }
        _ => Err(broken()),
    }
}

fn encode_answer(result: &Result<Vec<(u32, String)>, ExtractError>) -> Vec<u8> {
    match result {
        Ok(pages) => {
            let mut out = vec![b'O'];
            for (page, text) in pages {
                out.extend_from_slice(&page.to_le_bytes());
                let len = u32::try_from(text.len()).unwrap_or(u32::MAX);
                out.extend_from_slice(&len.to_le_bytes());
                out.extend_from_slice(&text.as_bytes()[..len as usize]);
            }
            out
        }
        Err(e) => {
            let (kind, detail) = match e {
                ExtractError::Malformed { detail, .. } => (b'M', detail.clone()),
                ExtractError::Limit { what, max } => (b'L', format!("{}:{max}", what.code())),
                ExtractError::Timeout(s) => (b'T', s.to_string()),
                ExtractError::Unsupported(d) => (b'U', d.clone()),
            };
            let mut out = vec![b'E', kind];
            out.extend_from_slice(detail.as_bytes());
            out
        }
    }
}

#[cfg(unix)]
fn limit_self(memory: u64, time: Duration) {
    use rustix::process::{Resource, Rlimit, setrlimit};
    if memory > 0 {
        let _ = setrlimit(
            Resource::As,
            Rlimit {
                current: Some(memory),
                maximum: Some(memory),
            },
        );
    }
    // CPU seconds, as a backstop to the parent's kill.
    let cpu = time.as_secs().saturating_add(2);
    let _ = setrlimit(
        Resource::Cpu,
        Rlimit {
            current: Some(cpu),
            maximum: Some(cpu.saturating_add(1)),
        },
    );
}

#[cfg(not(unix))]
fn limit_self(_memory: u64, _time: Duration) {}

/// The worker side (`vakt scan --pdf-worker`): limit this process, read one PDF from stdin, write the
/// answer to stdout. Returns the exit status.
pub fn pdf_worker_main() -> i32 {
    let env_u64 = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
    let memory = env_u64(ENV_MEMORY).unwrap_or(DEFAULT_PDF_MEMORY);
    let time = Duration::from_millis(env_u64(ENV_TIMEOUT_MS).unwrap_or(60_000));
    limit_self(memory, time);
    let mut data = Vec::new();
    if let Err(e) = std::io::stdin().lock().read_to_end(&mut data) {
        eprintln!("vakt scan --pdf-worker: cannot read the PDF: {e}");
        return 2;
    }
    let answer = encode_answer(&pdf_pages(&data, Instant::now(), time));
    let mut out = std::io::stdout().lock();
    if out.write_all(&answer).and_then(|()| out.flush()).is_err() {
        return 2;
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_round_trip() {
        let pages = vec![(1, "Fødselsnummer 010190".to_string()), (3, String::new())];
        let ok = decode_answer(&encode_answer(&Ok(pages.clone())));
        assert_eq!(ok, Ok(pages));
        for e in [
            ExtractError::Limit {
                what: crate::extract::LimitKind::PdfText,
                max: 9,
            },
            ExtractError::Timeout(7),
            ExtractError::Unsupported("encrypted PDF".into()),
            malformed("bad xref".into()),
        ] {
            assert_eq!(decode_answer(&encode_answer(&Err(e.clone()))), Err(e));
        }
        assert!(decode_answer(b"O\x01\x00\x00\x00\xFF\x00\x00\x00abc").is_err());
        assert!(decode_answer(b"").is_err());
    }

    #[test]
    fn a_missing_worker_program_is_an_error_not_a_panic() {
        let w = PdfWorker {
            program: PathBuf::from("/nonexistent/vakt-pdf-worker"),
            args: vec![],
            max_memory: 0,
        };
        let r = run_pdf_worker(&w, b"%PDF-1.4", Duration::from_secs(5));
        assert!(matches!(r, Err(ExtractError::Unsupported(_))), "{r:?}");
    }
}
