//! Gonka Proof of Compute primitives (numpy-compatible RNG streams, seeds, weight pool).
