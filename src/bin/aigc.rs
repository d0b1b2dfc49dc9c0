//! `aigc` — every chapter's experiment as a command.
//!
//! The CLI is thin on purpose: it parses arguments, picks the device, calls the library and
//! says where the results went. With no subcommand it runs the whole tour.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use aigc::device::{DeviceChoice, Resolved, resolve};
use aigc::regression::{GdConfig, MlpConfig, RegressionConfig};
use aigc::report::OutputDir;
use clap::{Args, Parser, Subcommand};
use dfdx::prelude::*;

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
    Regression(RegressionArgs),
    /// Chapter 5: a small MLP fitting a curve no straight line can.
    Mlp(MlpArgs),
    /// Chapter 6: a character-level LSTM, trained on English and Chinese text.
    #[command(subcommand)]
    Lstm(LstmCommand),
    /// Chapter 7: attention and a character-level GPT, trained on the same text.
    #[command(subcommand)]
    Gpt(GptCommand),
    /// Chapter 8: generative adversarial networks: mode collapse on 2-D mixtures, and digits.
    #[command(subcommand)]
    Gan(GanCommand),
    /// Chapter 9: time per training step on the CPU, and on the GPU with `--device cuda`.
    Bench(BenchArgs),
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

#[derive(Debug, Args)]
struct RegressionArgs {
    /// A CSV file with a header line and numeric cells [default: the bundled red-wine data].
    #[arg(long)]
    data: Option<PathBuf>,
    /// The column to predict.
    #[arg(long, default_value = "quality")]
    target: String,
    /// Learning rate of the main gradient-descent run.
    #[arg(long, default_value_t = GdConfig::default().lr, value_parser = positive_f64, allow_negative_numbers = true)]
    lr: f64,
    /// Epochs (full passes) of the main gradient-descent run.
    #[arg(long, default_value_t = GdConfig::default().epochs, value_parser = at_least_one)]
    epochs: usize,
}

#[derive(Debug, Args)]
struct MlpArgs {
    /// Adam's learning rate.
    #[arg(long, default_value_t = MlpConfig::default().lr, value_parser = positive_f64, allow_negative_numbers = true)]
    lr: f64,
    /// Training steps.
    #[arg(long, default_value_t = MlpConfig::default().steps, value_parser = at_least_one)]
    steps: usize,
    /// Number of noisy points of sin(3x).
    #[arg(long, default_value_t = MlpConfig::default().points, value_parser = at_least_one)]
    points: usize,
    /// Seed of the data and the initial weights.
    #[arg(long, default_value_t = MlpConfig::default().seed)]
    seed: u64,
}

fn positive_f64(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        Ok(v) => Err(format!("must be a positive number, got {v}")),
        Err(_) => Err(format!("{s:?} is not a number")),
    }
}

fn non_negative_f32(s: &str) -> Result<f32, String> {
    match s.parse::<f32>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        Ok(v) => Err(format!("must be zero or a positive number, got {v}")),
        Err(_) => Err(format!("{s:?} is not a number")),
    }
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

/// Runs `$body` with `$dev` bound to the chosen dfdx device, seeded with `$seed`.
// ANCHOR: on_device
macro_rules! on_device {
    ($choice:expr, $seed:expr, |$dev:ident| $body:expr) => {
        match resolve($choice)? {
            Resolved::Cpu => {
                let $dev = Cpu::seed_from_u64($seed);
                $body
            }
            #[cfg(feature = "cuda")]
            Resolved::Cuda => {
                let $dev = Cuda::try_seed_from_u64($seed)
                    .map_err(|e| aigc::AigcError::Device(format!("cannot open GPU 0: {e:?}")))?;
                $body
            }
            #[cfg(not(feature = "cuda"))]
            Resolved::Cuda => {
                return Err(aigc::AigcError::Device("built without CUDA".into()).into());
            }
        }
    };
}
// ANCHOR_END: on_device

#[path = "aigc/lstm.rs"]
mod lstm;
use lstm::{LstmCommand, LstmTrainArgs, lstm, lstm_train};
#[path = "aigc/gpt.rs"]
mod gpt;
use gpt::{GptCommand, GptTrainArgs, gpt, gpt_train};
#[path = "aigc/gan.rs"]
mod gan;
use gan::{GanCommand, gan};

/// dfdx allocates a fresh buffer for every tensor; mimalloc recycles them where glibc's
/// malloc would return large ones to the system and fault them in again (measured: a fifth
/// of a mini-GPT training step).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.downcast_ref::<std::io::Error>()
        .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
}

fn run(cli: &Cli) -> anyhow::Result<()> {
    match &cli.command {
        None => tour(cli, &TourArgs::default()),
        Some(Command::Tour(args)) => tour(cli, args),
        Some(Command::Tensors) => tensors(cli),
        Some(Command::Mse) => mse(cli),
        Some(Command::Regression(args)) => regression(cli, args),
        Some(Command::Mlp(args)) => mlp(cli, args),
        Some(Command::Lstm(cmd)) => lstm(cli, cmd),
        Some(Command::Gpt(cmd)) => gpt(cli, cmd),
        Some(Command::Gan(cmd)) => gan(cli, cmd),
        Some(Command::Bench(args)) => bench(cli, args),
    }
}

impl Default for RegressionArgs {
    fn default() -> Self {
        RegressionArgs {
            data: None,
            target: "quality".into(),
            lr: GdConfig::default().lr,
            epochs: GdConfig::default().epochs,
        }
    }
}

impl Default for MlpArgs {
    fn default() -> Self {
        let d = MlpConfig::default();
        MlpArgs {
            lr: d.lr,
            steps: d.steps,
            points: d.points,
            seed: d.seed,
        }
    }
}

fn heading(title: &str) -> anyhow::Result<()> {
    say!("\n== {title} ==\n");
    Ok(())
}

fn finish(out: &OutputDir, start: Instant) -> anyhow::Result<()> {
    say!(
        "\nwrote {} files to {}/ in {:.1} s:",
        out.written.len(),
        out.path.display(),
        start.elapsed().as_secs_f64()
    );
    for f in &out.written {
        say!("  {}", f.display());
    }
    Ok(())
}

fn tensors(cli: &Cli) -> anyhow::Result<()> {
    heading("Chapter 3: tensors and autodiff")?;
    let start = Instant::now();
    let report = on_device!(cli.device, 0, |dev| aigc::tensors::run_tensors(&dev));
    say!("{}", report.summary().trim_end());
    let mut out = OutputDir::create(cli.out.join("tensors"))?;
    report.write(&mut out)?;
    finish(&out, start)?;
    Ok(())
}

fn mse(cli: &Cli) -> anyhow::Result<()> {
    heading("Chapter 4: neurons and the MSE loss")?;
    let start = Instant::now();
    let report = on_device!(cli.device, 0, |dev| aigc::mse::run_mse(&dev));
    say!("{}", report.summary().trim_end());
    let mut out = OutputDir::create(cli.out.join("mse"))?;
    report.write(&mut out)?;
    finish(&out, start)?;
    Ok(())
}

fn regression(cli: &Cli, args: &RegressionArgs) -> anyhow::Result<()> {
    heading("Chapter 5: gradient descent on red-wine quality")?;
    let start = Instant::now();
    let data = match &args.data {
        None => aigc::data::wine_quality()?,
        Some(path) => aigc::data::Table::from_path(path)?.split_target(&args.target)?,
    };
    say!(
        "data: {} rows × {} features, target {:?} (features standardised)\n",
        data.len(),
        data.n_features(),
        data.target_name
    );
    let cfg = RegressionConfig {
        gd: GdConfig {
            lr: args.lr,
            epochs: args.epochs,
        },
        ..RegressionConfig::default()
    };
    let data = data.standardized();
    let report = on_device!(cli.device, 0, |dev| {
        aigc::regression::run_regression(&dev, &data, &cfg)?
    });
    say!("{}", report.summary().trim_end());
    let mut out = OutputDir::create(cli.out.join("regression"))?;
    report.write(&mut out)?;
    finish(&out, start)?;
    Ok(())
}

fn mlp(cli: &Cli, args: &MlpArgs) -> anyhow::Result<()> {
    heading("Chapter 5: an MLP fits a curve")?;
    let start = Instant::now();
    let cfg = MlpConfig {
        lr: args.lr,
        steps: args.steps,
        points: args.points,
        seed: args.seed,
        ..MlpConfig::default()
    };
    let report = on_device!(cli.device, args.seed, |dev| {
        aigc::regression::run_mlp(&dev, &cfg)?
    });
    say!("{}", report.summary().trim_end());
    let mut out = OutputDir::create(cli.out.join("mlp"))?;
    report.write(&mut out)?;
    finish(&out, start)?;
    Ok(())
}

fn bench(cli: &Cli, args: &BenchArgs) -> anyhow::Result<()> {
    let device = resolve(cli.device)?; // before any output: a missing GPU is an error at once
    heading("Chapter 9: time per training step")?;
    let start = Instant::now();
    say!("measuring on the CPU ({})…", aigc::bench::cpu_name());
    let cpu = aigc::bench::run_bench(&Cpu::seed_from_u64(0), args.reps);
    let gpu = match device {
        Resolved::Cpu => None,
        #[cfg(feature = "cuda")]
        Resolved::Cuda => {
            say!("measuring on the GPU…");
            let dev = Cuda::try_seed_from_u64(0)
                .map_err(|e| aigc::AigcError::Device(format!("cannot open GPU 0: {e:?}")))?;
            Some(aigc::bench::run_bench(&dev, args.reps))
        }
        #[cfg(not(feature = "cuda"))]
        Resolved::Cuda => None,
    };
    let report = aigc::bench::BenchReport::new(cpu, gpu, args.gpu_name.clone());
    say!("{}", report.summary().trim_end());
    let mut out = OutputDir::create(cli.out.join("bench"))?;
    report.write(&mut out)?;
    finish(&out, start)
}

#[derive(Debug, Args, Default)]
struct TourArgs {
    /// Shorten the LSTM's, the GPT's and the GANs' training to a few dozen steps (a quick
    /// check of the whole pipeline).
    #[arg(long)]
    quick: bool,
}

fn tour(cli: &Cli, args: &TourArgs) -> anyhow::Result<()> {
    let start = Instant::now();
    tensors(cli)?;
    mse(cli)?;
    regression(cli, &RegressionArgs::default())?;
    mlp(cli, &MlpArgs::default())?;
    let mut lstm_args = LstmTrainArgs::default();
    if args.quick {
        (lstm_args.steps, lstm_args.eval_every) = (60, 30);
    }
    lstm_train(cli, &lstm_args)?;
    let mut gpt_args = GptTrainArgs::default();
    if args.quick {
        (gpt_args.steps, gpt_args.eval_every) = (30, 15);
    }
    gpt_train(cli, &gpt_args)?;
    let (mut ring, mut digits) = (gan::PlaneArgs::default(), gan::DigitsArgs::default());
    if args.quick {
        (ring.steps, ring.eval_every) = (200, 50);
        (digits.steps, digits.eval_every) = (100, 50);
    }
    gan::gan_plane(cli, aigc::data::Mixture::ring(), &ring)?;
    gan::gan_digits(cli, &digits)?;
    say!(
        "\nTour finished in {:.1} s; everything is under {}/",
        start.elapsed().as_secs_f64(),
        cli.out.display()
    );
    Ok(())
}
