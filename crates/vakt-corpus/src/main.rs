//! `vakt-corpus --seed S --files N --out DIR`: write the test corpus to `DIR/corpus/` and its ground truth
//! to `DIR/truth.json`.

use std::path::PathBuf;

use clap::Parser;

#[derive(Parser)]
#[command(about = "Write a synthetic mixed test corpus with its ground truth")]
struct Args {
    /// Seed of the generator (same seed, same corpus).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Number of top-level files.
    #[arg(long, default_value_t = 200)]
    files: usize,
    /// Output directory (the corpus goes to OUT/corpus, the truth to OUT/truth.json).
    #[arg(long)]
    out: PathBuf,
    /// Instead of the mixed corpus, write this many plain-text files straight into OUT (benchmark text).
    #[arg(long, value_name = "N")]
    plain_files: Option<usize>,
    /// Size of each plain-text file in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 16)]
    plain_mib: u64,
    /// One line in this many holds a synthetic ID number.
    #[arg(long, value_name = "N", default_value_t = 500)]
    plain_every: u64,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if let Some(files) = args.plain_files {
        let s = vakt_corpus::plain::write_plain(
            &args.out,
            files,
            args.plain_mib << 20,
            args.plain_every,
            args.seed,
        )?;
        println!(
            "{} plain-text files, {} bytes, {} ID numbers in {}",
            s.files,
            s.bytes,
            s.numbers,
            args.out.display()
        );
        return Ok(());
    }
    let truth = vakt_corpus::write_corpus(
        &args.out,
        &vakt_corpus::Options {
            seed: args.seed,
            files: args.files,
        },
    )?;
    let report = truth.planted.iter().filter(|p| p.report).count();
    println!(
        "{} files, {} planted values ({} to report, {} look-alikes) in {}",
        truth.files,
        truth.planted.len(),
        report,
        truth.planted.len() - report,
        args.out.join(&truth.root).display()
    );
    Ok(())
}
