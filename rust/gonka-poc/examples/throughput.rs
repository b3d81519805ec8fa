//! Single-core and all-core throughput of the PoC streams: `cargo run --release --example throughput`.

use std::time::Instant;

#[repr(C)]
struct Timespec {
    sec: i64,
    nsec: i64,
}

extern "C" {
    fn clock_gettime(clock: i32, ts: *mut Timespec) -> i32;
}

/// CPU seconds used by the whole process (all threads): load-independent work measure.
fn cpu_seconds() -> f64 {
    let mut ts = Timespec { sec: 0, nsec: 0 };
    // SAFETY: CLOCK_PROCESS_CPUTIME_ID (2) with a valid out pointer.
    unsafe { clock_gettime(2, &mut ts) };
    ts.sec as f64 + ts.nsec as f64 * 1e-9
}

use gonka_poc::streams;

const BH: &str = "52DAB38B4329170319EF41AD0E4A653A668B6B2267A86222EA4E9B03A4F0D4E6";
const PK: &str = "02eb3102a6cb586765d01fad324523ec0bc67b9efd6a2d9589c135adfedf7922cc";

fn main() {
    let per_nonce = 256 * 1792;
    let mut one = vec![0u16; per_nonce];
    let single = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let mut best = f64::MAX;
    for nonce in 0..20u64 {
        let t = cpu_seconds();
        single.install(|| streams::inputs(BH, PK, &[nonce], per_nonce, &mut one).unwrap());
        best = best.min(cpu_seconds() - t);
    }
    println!("inputs, one nonce: {:.3} ms CPU", best * 1e3);
    let mut raw = vec![0u64; per_nonce];
    let mut rng = gonka_poc::Generator::from_seed("x", 4)
        .unwrap()
        .bit_generator();
    let t = cpu_seconds();
    for _ in 0..20 {
        rng.fill(&mut raw);
    }
    println!(
        "pcg64 fill, {} u64: {:.3} ms CPU",
        per_nonce,
        (cpu_seconds() - t) / 20.0 * 1e3
    );
    let mut g = gonka_poc::Generator::from_seed("x", 4).unwrap();
    let mut f64s = vec![0f64; per_nonce];
    let t = cpu_seconds();
    for _ in 0..20 {
        g.fill_standard_normal(&mut f64s);
    }
    println!(
        "normals f64, {}: {:.3} ms CPU",
        per_nonce,
        (cpu_seconds() - t) / 20.0 * 1e3
    );

    let nonces: Vec<u64> = (0..64).collect();
    let mut batch = vec![0u16; per_nonce * nonces.len()];
    let t = Instant::now();
    streams::inputs(BH, PK, &nonces, per_nonce, &mut batch).unwrap();
    let secs = t.elapsed().as_secs_f64();
    println!(
        "inputs, 64 nonces, {} threads: {:.1} nonces/s",
        rayon::current_num_threads(),
        nonces.len() as f64 / secs
    );

    let n: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse().unwrap())
        .unwrap_or(888_156_147);
    let mut pool = vec![0u16; n];
    for pass in ["fresh buffer", "reused buffer"] {
        let (t, c) = (Instant::now(), cpu_seconds());
        streams::weight_pool(BH, &mut pool).unwrap();
        println!(
            "weight pool, {n} values, {} threads, {pass}: {:.3} s wall, {:.3} s CPU",
            rayon::current_num_threads(),
            t.elapsed().as_secs_f64(),
            cpu_seconds() - c
        );
    }
    let (t, c) = (Instant::now(), cpu_seconds());
    single.install(|| streams::weight_pool(BH, &mut pool[..n / 8]).unwrap());
    println!(
        "weight pool, {} values, one core: {:.3} s wall, {:.3} s CPU",
        n / 8,
        t.elapsed().as_secs_f64(),
        cpu_seconds() - c
    );
}
