//! Times generation for every response schema of one document (a profiling aid).
//!
//! Usage: cargo run --release -p standin-core --example gen_time -- FILE [ROUNDS]

use standin_core::generate::{Direction, GenContext};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!("usage: gen_time FILE [ROUNDS]");
        std::process::exit(2);
    };
    let rounds: u64 = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(10_000);
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut files = standin_core::source::MemoryFiles::new();
    files.insert(path.as_str(), text);
    let loaded = standin_core::source::load(&files, std::path::Path::new(path));
    let Some(doc) = loaded.document else {
        eprintln!("not loaded: {:?}", loaded.diagnostics);
        std::process::exit(1);
    };
    for op in &doc.operations {
        for r in &op.responses {
            for m in &r.media {
                let Some(ptr) = &m.schema else { continue };
                let Some(schema) = doc.root.pointer(ptr) else {
                    continue;
                };
                let started = std::time::Instant::now();
                let mut bytes = 0;
                for seed in 0..rounds {
                    let ctx = GenContext {
                        root: &doc.root,
                        dialect: doc.version.dialect(),
                        direction: Direction::Response,
                        seed,
                        hints: &[],
                    };
                    if let Ok(v) = standin_core::generate::generate(&ctx, schema, ptr) {
                        bytes += serde_json::to_vec(&v).map(|b| b.len()).unwrap_or(0);
                    }
                }
                let each = started.elapsed().as_secs_f64() * 1e6 / rounds as f64;
                println!(
                    "{} {} {}: {each:.1} µs per body ({} bytes avg)",
                    op.method,
                    op.template,
                    r.key,
                    bytes as u64 / rounds
                );
            }
        }
    }
}
