//! The benchmark's report: CPU and GPU timings side by side, with the machine named.

use serde::Serialize;

use super::BenchRow;

/// The CPU's model name (from `/proc/cpuinfo` on Linux) and its number of threads.
pub fn cpu_name() -> String {
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string());
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    format!("{model}, {threads} threads")
}

/// CPU and (optionally) GPU timings of the same configurations, side by side.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchReport {
    /// The CPU's name and thread count.
    pub cpu: String,
    /// The GPU's name, when one was measured.
    pub gpu: Option<String>,
    /// CPU timings.
    pub cpu_rows: Vec<BenchRow>,
    /// GPU timings of the same configurations, when measured.
    pub gpu_rows: Option<Vec<BenchRow>>,
    /// The CPU's best matrix-product speed ([`matmul_peak_gflops`](super::matmul_peak_gflops)), GFLOP/s.
    pub cpu_peak_gflops: f64,
    /// The GPU's, when measured.
    pub gpu_peak_gflops: Option<f64>,
}

impl BenchReport {
    /// Puts CPU and GPU rows (same order, from [`run_bench`](super::run_bench)) together, each with its
    /// device's matrix-product peak.
    pub fn new(
        (cpu_rows, cpu_peak_gflops): (Vec<BenchRow>, f64),
        gpu: Option<(Vec<BenchRow>, f64)>,
        gpu_name: Option<String>,
    ) -> Self {
        let name = gpu
            .as_ref()
            .map(|_| gpu_name.unwrap_or_else(|| "CUDA device 0".into()));
        let (gpu_rows, gpu_peak_gflops) = gpu.map_or((None, None), |(r, p)| (Some(r), Some(p)));
        BenchReport {
            cpu: cpu_name(),
            gpu: name,
            cpu_rows,
            gpu_rows,
            cpu_peak_gflops,
            gpu_peak_gflops,
        }
    }
}

impl crate::report::Report for BenchReport {
    /// The comparison as a Markdown table, with the machine named above it.
    fn summary(&self) -> String {
        use crate::numbers::sig;
        let mut t = crate::report::MarkdownTable::new(&[
            "model",
            "batch",
            "CPU ms/step",
            "CPU GFLOP/s (of peak)",
            "GPU ms/step",
            "GPU speed-up",
        ]);
        for (i, c) in self.cpu_rows.iter().enumerate() {
            let g = self.gpu_rows.as_ref().and_then(|rows| rows.get(i));
            t.row(vec![
                c.model.clone(),
                c.batch.to_string(),
                sig(c.ms_per_step, 3),
                format!(
                    "{} ({}%)",
                    sig(c.gflops, 3),
                    sig(100.0 * c.gflops / self.cpu_peak_gflops.max(1e-9), 2)
                ),
                g.map_or("not measured".into(), |g| sig(g.ms_per_step, 3)),
                g.map_or("—".into(), |g| {
                    format!("{}×", sig(c.ms_per_step / g.ms_per_step, 2))
                }),
            ]);
        }
        let gpu = self.gpu.as_deref().unwrap_or("none measured");
        let peaks = match self.gpu_peak_gflops {
            Some(g) => format!(
                "{} GFLOP/s on the CPU, {} on the GPU",
                sig(self.cpu_peak_gflops, 3),
                sig(g, 3)
            ),
            None => format!("{} GFLOP/s", sig(self.cpu_peak_gflops, 3)),
        };
        format!(
            "CPU: {}. GPU: {gpu}. Matrix-product peak (1024² × 1024, f32): {peaks}.\n\n{}",
            self.cpu,
            t.to_markdown()
        )
    }

    /// Writes `bench.json` and `bench.md` into `out`.
    fn write(&self, out: &mut crate::report::OutputDir) -> crate::Result<()> {
        out.json("bench.json", self)?;
        out.text("bench.md", &self.summary())
    }
}
