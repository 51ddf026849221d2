"""The peer of benches/jwt-key-recovery.sh: rsa_sign2n's arithmetic in GMP (gmpy2) for the same key
and two messages: n = gcd(s1^e - m1, s2^e - m2), e = 65537, small factors divided out."""
import hashlib
import sys
import time

import gmpy2
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

PREFIX = bytes.fromhex("3031300d060960864801650304020105000420")


def em(msg: bytes, k: int) -> int:
    t = PREFIX + hashlib.sha256(msg).digest()
    return int.from_bytes(b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t, "big")


key = serialization.load_pem_private_key(open(sys.argv[1], "rb").read(), password=None)
k = key.key_size // 8
msgs = [b"first token", b"second token"]
sigs = [int.from_bytes(key.sign(m, padding.PKCS1v15(), hashes.SHA256()), "big") for m in msgs]
started = time.perf_counter()
e = 65537
x = gmpy2.mpz(sigs[0]) ** e - em(msgs[0], k)
y = gmpy2.mpz(sigs[1]) ** e - em(msgs[1], k)
g = gmpy2.gcd(x, y)
p = 2
while p < 1 << 16:
    while g % p == 0:
        g //= p
    p = int(gmpy2.next_prime(p))
assert g == key.public_key().public_numbers().n
print(f"recovered RSA-{g.bit_length()} e = {e} in {time.perf_counter() - started:.2f} s")
