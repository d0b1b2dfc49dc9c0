//! `aigc` — every chapter's experiment as a command.
//!
//! The CLI is thin on purpose: per command, arguments become the chapter's `Config` (one
//! conversion), the library runs it, and the report is printed and written. With no
//! subcommand it runs the whole tour.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use aigc::device::DeviceChoice;
use aigc::regression::{MlpConfig, RegressionConfig};
use aigc::report::{OutputDir, Report};
use aigc::train::Stop;
use clap::parser::ValueSource;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

#[path = "aigc/corpus.rs"]
mod corpus;
#[path = "aigc/foundations.rs"]
mod foundations;
#[path = "aigc/gan.rs"]
mod gan;
#[path = "aigc/text.rs"]
mod text;

/// Generative AI, hands-on in Rust: run the book's experiments.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
struct Cli {
    /// Where tensors live: cpu, cuda, or auto (CUDA when built with it and a GPU is present).
    #[arg(long, global = true, value_enum, default_value_t = DeviceChoice::Cpu)]
    device: DeviceChoice,

    /// Folder for figures, JSON and tables; each command writes into a subfolder.
    #[arg(long, global = true, default_value = "out")]
    out: PathBuf,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run every chapter's experiment with its defaults (what `aigc` alone does).
    Tour(TourArgs),
    /// Chapter 3: tensors, shapes, a forward pass and backward().
    Tensors,
    /// Chapter 4: a neuron, the MSE two ways, its gradient and the Gaussian view.
    Mse,
    /// Chapter 5: linear regression on red-wine quality: closed form, gradient descent,
    /// learning-rate sweep, SGD vs momentum vs Adam.
    Regression(foundations::RegressionArgs),
    /// Chapter 5: a small MLP fitting a curve no straight line can.
    Mlp(foundations::MlpArgs),
    /// Chapter 6: a character-level LSTM, trained on English and Chinese text.
    #[command(subcommand)]
    Lstm(text::LstmCommand),
    /// Chapter 7: attention and a character-level GPT, trained on the same text.
    #[command(subcommand)]
    Gpt(text::GptCommand),
    /// Chapter 8: generative adversarial networks: mode collapse on 2-D mixtures, and digits.
    #[command(subcommand)]
    Gan(gan::GanCommand),
    /// Chapter 9: time per training step on the CPU, and on the GPU with `--device cuda`.
    Bench(BenchArgs),
}

#[derive(Debug, Args, Default)]
struct TourArgs {
    /// Shorten the LSTM's, the GPT's and the GANs' training to a few dozen steps (a quick
    /// check of the whole pipeline).
    #[arg(long)]
    quick: bool,
}

#[derive(Debug, Args)]
struct BenchArgs {
    /// Timed steps per sample (five samples are taken; the median is reported).
    #[arg(long, default_value_t = 20, value_parser = at_least_one)]
    reps: usize,
    /// A name for the GPU in the table (e.g. from `nvidia-smi --query-gpu=name`).
    #[arg(long)]
    gpu_name: Option<String>,
}

/// A number that must be positive and finite, for the parsers of learning rates.
fn positive<T: std::str::FromStr + PartialOrd + Default + std::fmt::Display + Copy>(
    s: &str,
) -> Result<T, String>
where
    f64: From<T>,
{
    match s.parse::<T>() {
        Ok(v) if f64::from(v).is_finite() && v > T::default() => Ok(v),
        Ok(v) => Err(format!("must be a positive number, got {v}")),
        Err(_) => Err(format!("{s:?} is not a number")),
    }
}

/// Zero or a positive number (a clipping threshold, a temperature).
fn non_negative(s: &str) -> Result<f32, String> {
    match s.parse::<f32>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        Ok(v) => Err(format!("must be zero or a positive number, got {v}")),
        Err(_) => Err(format!("{s:?} is not a number")),
    }
}

/// A flag's default, as clap shows and parses it. Generic `Args` structs use this, not
/// `default_value_t`: that keeps its string in a `static` of the derived function, which
/// every instance shares (`gpt train` showed, and trained with, the LSTM's defaults).
fn shown(value: impl std::fmt::Display) -> &'static str {
    value.to_string().leak()
}

fn at_least_one(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(0) => Err("must be at least 1, got 0".to_string()),
        Ok(v) => Ok(v),
        Err(_) => Err(format!("{s:?} is not a whole number ≥ 1")),
    }
}

/// Prints a line to stdout. Unlike `println!`, a closed pipe (`aigc | head`) is an error
/// value that `main` turns into a quiet exit, not a panic.
macro_rules! say {
    () => { say!("") };
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)?
    }};
}
pub(crate) use say;

/// Raised by Ctrl-C; every training loop of the command stops at its next step.
static STOP: Stop = Stop::new();

/// What every command needs besides its own arguments.
struct Ctx {
    device: DeviceChoice,
    out: PathBuf,
    /// The flags given on the command line (not defaulted), of the leaf subcommand.
    given: Vec<String>,
}

impl Ctx {
    fn stop(&self) -> &'static Stop {
        &STOP
    }
}

/// The exit status of a command stopped by Ctrl-C (128 + SIGINT, as shells report it).
const INTERRUPTED: u8 = 130;

/// A run that Ctrl-C stopped after saving its checkpoint.
#[derive(Debug)]
struct Interrupted;

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("interrupted")
    }
}

impl std::error::Error for Interrupted {}

/// dfdx allocates a fresh buffer for every tensor; mimalloc recycles them where glibc's
/// malloc would return large ones to the system and fault them in again (measured: a fifth
/// of a mini-GPT training step).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    if let Err(e) = aigc::train::stop_on_ctrl_c(&STOP) {
        eprintln!("warning: {e}; Ctrl-C will end the process without a checkpoint");
    }
    let ctx = Ctx {
        device: cli.device,
        out: cli.out.clone(),
        given: given_flags(&matches),
    };
    match run(&ctx, &cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is::<Interrupted>() => ExitCode::from(INTERRUPTED),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The ids of the arguments typed on the command line, in the innermost subcommand: its
/// own arguments only (not the global --out and --device, nor the derived arg groups).
fn given_flags(matches: &clap::ArgMatches) -> Vec<String> {
    let (mut m, mut cmd) = (matches, Cli::command());
    while let Some((name, sub)) = m.subcommand() {
        cmd = cmd.find_subcommand(name).cloned().unwrap_or_default();
        m = sub;
    }
    cmd.get_arguments()
        .map(|arg| arg.get_id().as_str())
        .filter(|id| m.value_source(id) == Some(ValueSource::CommandLine))
        .map(str::to_string)
        .collect()
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.downcast_ref::<std::io::Error>()
        .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
}

fn run(ctx: &Ctx, cli: &Cli) -> anyhow::Result<()> {
    match &cli.command {
        None => tour(ctx, &TourArgs::default()),
        Some(Command::Tour(args)) => tour(ctx, args),
        Some(Command::Tensors) => foundations::tensors(ctx),
        Some(Command::Mse) => foundations::mse(ctx),
        Some(Command::Regression(args)) => foundations::regression(ctx, args),
        Some(Command::Mlp(args)) => foundations::mlp(ctx, &args.config()),
        Some(Command::Lstm(cmd)) => text::lstm(ctx, cmd),
        Some(Command::Gpt(cmd)) => text::gpt(ctx, cmd),
        Some(Command::Gan(cmd)) => gan::gan(ctx, cmd),
        Some(Command::Bench(args)) => bench(ctx, args),
    }
}

fn heading(title: &str) -> anyhow::Result<()> {
    say!("\n== {title} ==\n");
    Ok(())
}

/// Prints `report`'s summary, writes its files into `<out>/<folder>` and says where.
fn report(ctx: &Ctx, folder: &str, report: &impl Report, start: Instant) -> anyhow::Result<()> {
    say!("{}", report.summary().trim_end());
    let mut out = OutputDir::create(ctx.out.join(folder))?;
    report.write(&mut out)?;
    finish(&out, start, &[])
}

/// Says how many files went where, and how long it took; `extra` lists files written
/// elsewhere (checkpoints).
fn finish(out: &OutputDir, start: Instant, extra: &[PathBuf]) -> anyhow::Result<()> {
    say!(
        "\nwrote {} files to {}/ in {:.1} s:",
        out.written.len() + extra.len(),
        out.path.display(),
        start.elapsed().as_secs_f64()
    );
    for f in out.written.iter().chain(extra) {
        say!("  {}", f.display());
    }
    Ok(())
}

fn bench(ctx: &Ctx, args: &BenchArgs) -> anyhow::Result<()> {
    let device = aigc::device::resolve(ctx.device)?; // a missing GPU is an error at once
    heading("Chapter 9: time per training step")?;
    let start = Instant::now();
    say!("measuring on the CPU ({})…", aigc::bench::cpu_name());
    let cpu_dev = aigc::dfdx::tensor::Cpu::seed_from_u64(0);
    let cpu = (
        aigc::bench::run_bench(&cpu_dev, args.reps),
        aigc::bench::matmul_peak_gflops(&cpu_dev),
    );
    let gpu = match device {
        aigc::device::Resolved::Cpu => None,
        aigc::device::Resolved::Cuda => {
            say!("measuring on the GPU…");
            let dev = aigc::device::open_gpu(0)?;
            Some((
                aigc::bench::run_bench(&dev, args.reps),
                aigc::bench::matmul_peak_gflops(&dev),
            ))
        }
    };
    let outcome = aigc::bench::BenchReport::new(cpu, gpu, args.gpu_name.clone());
    report(ctx, "bench", &outcome, start)
}

/// Stops the tour (or any sequence of runs) once Ctrl-C has been pressed.
fn check_stop(ctx: &Ctx) -> anyhow::Result<()> {
    match ctx.stop().requested() {
        true => Err(Interrupted.into()),
        false => Ok(()),
    }
}

fn tour(ctx: &Ctx, args: &TourArgs) -> anyhow::Result<()> {
    let start = Instant::now();
    foundations::tensors(ctx)?;
    foundations::mse(ctx)?;
    let wine = aigc::data::wine_table()?;
    foundations::regression_on(ctx, &wine, "quality", &RegressionConfig::default())?;
    foundations::mlp(ctx, &MlpConfig::default())?;
    check_stop(ctx)?;
    text::tour(ctx, args.quick)?; // the LSTM, then the GPT
    check_stop(ctx)?;
    gan::tour(ctx, args.quick)?; // the ring, then the digits
    say!(
        "\nTour finished in {:.1} s; everything is under {}/",
        start.elapsed().as_secs_f64(),
        ctx.out.display()
    );
    Ok(())
}
