"""Record a production-parameter run against the reference's H100 golden vectors (needs CUDA).

    python benches/poc_golden_gpu.py [--engine torch|triton] [--golden-dir tests/vectors/poc]

Writes ``benches/results/poc_golden_v2_<engine>_<gpu>.json``: the GPU, library versions, model build time,
forward throughput and the distance/logit differences to the golden values (the check that
``tests/test_poc_gpu.py`` asserts).
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import time
from pathlib import Path

import gonka
import numpy as np
import torch
from gonka.poc import PARAMS_V2, R_TARGET_LAUNCH, PocModel

GOLDEN_BLOCK_HASH = "4d3c2b1a0f9e8d7c6b5a49382716f5e4d3c2b1a0f9e8d7c6b5a49382716f5e4d"
GOLDEN_PUBLIC_KEY = "gonka-public-golden-key"
ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", default="torch")
    parser.add_argument("--golden-dir", type=Path, default=ROOT / "tests" / "vectors" / "poc")
    parser.add_argument("--batch-size", type=int, default=128)
    args = parser.parse_args()

    golden_dist = np.load(args.golden_dir / "golden_v2_public_dist.npy")
    golden_logits = np.load(args.golden_dir / "golden_v2_public_logits.npy")
    model = PocModel(PARAMS_V2, GOLDEN_BLOCK_HASH, device="cuda", dtype="float16", engine=args.engine)
    logits = model.logits(GOLDEN_PUBLIC_KEY, [0, 1])
    nonces = list(range(len(golden_dist)))
    model.distances(GOLDEN_PUBLIC_KEY, nonces[: args.batch_size // 4 or 1])  # warm-up
    torch.cuda.synchronize()
    started = time.perf_counter()
    dist = model.distances(GOLDEN_PUBLIC_KEY, nonces, batch_size=args.batch_size)
    seconds = time.perf_counter() - started

    delta = np.abs(dist - golden_dist)
    rel_logits = np.linalg.norm(logits - golden_logits, axis=1) / np.linalg.norm(golden_logits, axis=1)
    flips = int(np.sum((dist < R_TARGET_LAUNCH) != (golden_dist < R_TARGET_LAUNCH)))
    gpu = torch.cuda.get_device_name()
    record = {
        "gpu": gpu,
        "engine": args.engine,
        "versions": {
            "gonka": gonka.__version__,
            "torch": torch.__version__,
            "cuda": torch.version.cuda,
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
        "build_seconds": model.build_seconds,
        "nonces": len(nonces),
        "batch_size": args.batch_size,
        "nonces_per_s_end_to_end": len(nonces) / seconds,
        "tflops": len(nonces) * PARAMS_V2.flops_per_nonce / seconds / 1e12,
        "dist_max_abs_diff": float(delta.max()),
        "dist_mean_abs_diff": float(delta.mean()),
        "logits_rel_diff": rel_logits.tolist(),
        "valid_flips_at_r_target_launch": flips,
        "passes_1e-6": bool(delta.max() <= 1e-6 and (rel_logits < 1e-3).all()),
    }
    slug = re.sub(r"[^a-z0-9]+", "-", gpu.lower()).strip("-")
    out = ROOT / "benches" / "results" / f"poc_golden_v2_{args.engine}_{slug}.json"
    out.write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
