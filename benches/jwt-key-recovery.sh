#!/usr/bin/env bash
# JWT key recovery (src/jwt/recovery.rs): the RSA public key of Ticketbooth's 2048-bit demo key
# (e = 65537) from two RS256 tokens, usher (malachite, release) beside the same arithmetic in GMP
# (python3 gmpy2, as rsa_sign2n uses it), one after the other on this machine. Prints wall and CPU
# seconds of each. Needs `pip install gmpy2 cryptography` for the peer.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_PROFILE_DEV_DEBUG=0
cargo test --release --lib --no-run -q 2>/dev/null
echo "== usher (malachite, release)"
/usr/bin/time -f "wall %e s, cpu %U+%S s" \
  cargo test --release --lib -q jwt::recovery::tests::bench_recovers_the_2048_bit_demo_key \
  -- --ignored --nocapture 2>&1 | grep -E "recovered|wall"
echo "== peer: GMP via gmpy2"
/usr/bin/time -f "wall %e s, cpu %U+%S s" python3 benches/jwt_key_recovery_gmp.py \
  src/demo/jwt/demo_key.pem
