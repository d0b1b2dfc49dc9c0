//! Helpers the test files share: running the binary, checking files, finite differences,
//! a one-shot loopback HTTP server.
#![allow(dead_code)] // each test file uses some of these

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Output};

use aigc::dfdx::prelude::*;
use aigc::params::{ParamVisitor, Params, parameters, set_parameters};

/// Runs `aigc <args> --out <out>` and waits for it.
pub fn aigc(out: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aigc"))
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .expect("the aigc binary runs")
}

/// What a command printed on stdout.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// What a command printed on stderr.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every one of `names` exists in `dir` and is larger than a stub.
pub fn assert_files(dir: &Path, names: &[&str]) {
    for name in names {
        let path = dir.join(name);
        let meta =
            std::fs::metadata(&path).unwrap_or_else(|_| panic!("{} missing", path.display()));
        assert!(meta.len() > 100, "{} is suspiciously small", path.display());
    }
}

/// Serves `body` with `status` once on a loopback port; returns the URL (`…/name`).
pub fn serve_once(status: &'static str, name: &str, body: Vec<u8>) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/{name}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            let mut request = [0u8; 1024];
            let _ = stream.read(&mut request);
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    url
}

/// Serves `files` (path → body) on a loopback port, one request per connection, for as
/// long as the test runs; an unknown path gets 404. Returns the base URL (no trailing `/`).
pub fn serve_files(files: Vec<(&'static str, Vec<u8>)>) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut request = [0u8; 2048];
            let n = stream.read(&mut request).unwrap_or(0);
            let line = String::from_utf8_lossy(&request[..n]);
            let path = line.split_whitespace().nth(1).unwrap_or("");
            let (status, body) = match files.iter().find(|(p, _)| *p == path) {
                Some((_, body)) => ("200 OK", body.clone()),
                None => ("404 Not Found", b"no such file".to_vec()),
            };
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    base
}

/// Every parameter's gradient as `backward()` computes it, in the model's order.
pub fn gradients<M: Params<f64, Cpu>>(model: &M, grads: &Gradients<f64, Cpu>) -> Vec<Vec<f64>> {
    struct Get<'a>(&'a Gradients<f64, Cpu>, Vec<Vec<f64>>);
    impl ParamVisitor<f64, Cpu> for Get<'_> {
        fn visit<S: Shape>(&mut self, t: &mut Tensor<S, f64, Cpu>) {
            self.1.push(self.0.get(t).as_vec());
        }
    }
    let mut get = Get(grads, Vec::new());
    model.clone().visit_params(&mut get);
    get.1
}

/// Checks ∂loss/∂θ from `backward()` against central differences for about `per_tensor`
/// entries of every parameter tensor (f64, so the two agree to ~1e-6 relative).
/// `loss(model, traced)` computes the loss, on a tape when `traced` is true.
pub fn check_gradients<M: Params<f64, Cpu>>(
    model: &mut M,
    per_tensor: usize,
    loss_and_grads: impl Fn(&M) -> (f64, Gradients<f64, Cpu>),
    loss: impl Fn(&M) -> f64,
) {
    let (_, grads) = loss_and_grads(model);
    let analytic = gradients(model, &grads);
    let original = parameters(model);
    let h = 1e-6;
    for (k, values) in original.iter().enumerate() {
        for j in (0..values.len()).step_by(values.len().div_ceil(per_tensor).max(1)) {
            let mut at = |delta: f64| {
                let mut moved = original.clone();
                moved[k][j] += delta;
                assert!(set_parameters(model, &moved));
                loss(model)
            };
            let numeric = (at(h) - at(-h)) / (2.0 * h);
            assert!(
                (numeric - analytic[k][j]).abs() < 1e-6 * (1.0 + numeric.abs()),
                "parameter tensor {k}, entry {j}: backward {} vs finite difference {numeric}",
                analytic[k][j]
            );
        }
        assert!(set_parameters(model, &original));
    }
}
