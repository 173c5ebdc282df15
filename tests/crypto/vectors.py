#!/usr/bin/env python3
"""Independent expected values for tests/crypto (python stdlib only; openssl for the DES vectors).

Regenerate with: python3 tests/crypto/vectors.py
The inputs are the same byte patterns the C++ tests build with pattern(n, mul, add).
"""
import hashlib
import hmac
import shutil
import subprocess

HASHES = {"MD5": hashlib.md5, "SHA1": hashlib.sha1, "SHA256": hashlib.sha256}


def pattern(n, mul, add):
    return bytes((i * mul + add) % 256 for i in range(n))


def prf(h, key, data):
    return hmac.new(key, data, HASHES[h]).digest()


def digest(h, data):
    return HASHES[h](data).digest()


# ---- MODP primes from their pi formulas (RFC 2409 §6.1/§6.2, RFC 3526 §2-§4) ----
def pi_fixed(bits):
    """floor(pi * 2^bits), by Machin's formula in integer arithmetic with guard bits."""
    guard = 64
    one = 1 << (bits + guard)

    def arctan_inv(x):
        total, term, n, sign = 0, one // x, 1, 1
        while term:
            total += sign * (term // n)
            term //= x * x
            n += 2
            sign = -sign
        return total

    return (16 * arctan_inv(5) - 4 * arctan_inv(239)) >> guard


def modp_prime(n, pi_shift, offset):
    return 2**n - 2**(n - 64) - 1 + 2**64 * (pi_fixed(pi_shift) + offset)


PRIMES = {1: (768, 638, 149686), 2: (1024, 894, 129093), 5: (1536, 1406, 741804),
          14: (2048, 1918, 124476), 15: (3072, 2942, 1690314)}

# ---- fixed inputs shared with the C++ test ----
PSK = b"ravpn-test-psk"
NI = pattern(32, 1, 0x10)
NR = pattern(24, 3, 0x40)
G_XY = pattern(128, 13, 5)
G_XI = pattern(128, 17, 3)
G_XR = pattern(128, 19, 11)
CKY_I = bytes.fromhex("0102030405060708")
CKY_R = bytes.fromhex("a1a2a3a4a5a6a7a8")
SAI_B = pattern(52, 5, 1)
IDII_B = bytes.fromhex("011101f4c0a8010a")
IDIR_B = bytes.fromhex("011101f4cb007101")

KEY_SIZE = {"DES": 8, "3DES": 24, "AES128": 16, "AES256": 32}
BLOCK = {"DES": 8, "3DES": 8, "AES128": 16, "AES256": 16}


def phase1(h, cipher):
    skeyid = prf(h, PSK, NI + NR)
    d = prf(h, skeyid, G_XY + CKY_I + CKY_R + b"\x00")
    a = prf(h, skeyid, d + G_XY + CKY_I + CKY_R + b"\x01")
    e = prf(h, skeyid, a + G_XY + CKY_I + CKY_R + b"\x02")
    need = KEY_SIZE[cipher]
    if len(e) >= need:
        key = e[:need]
    else:  # RFC 2409 appendix B
        k = prf(h, e, b"\x00")
        key = k
        while len(key) < need:
            k = prf(h, e, k)
            key += k
        key = key[:need]
    iv = digest(h, G_XI + G_XR)[:BLOCK[cipher]]
    return skeyid, d, a, e, key, iv


def keymat(h, skeyid_d, g_qm, protocol, spi, ni, nr, length):
    out, k = b"", b""
    while len(out) < length:
        k = prf(h, skeyid_d, k + g_qm + bytes([protocol]) + spi + ni + nr)
        out += k
    return out[:length]


def openssl_cbc(cipher, key, iv, data):
    if not shutil.which("openssl"):
        return "(openssl not found)"
    cmd = ["openssl", "enc", "-" + cipher, "-K", key.hex(), "-iv", iv.hex(), "-nopad",
           "-provider", "legacy", "-provider", "default"]
    return subprocess.run(cmd, input=data, capture_output=True, check=True).stdout.hex()


def main():
    for group, (n, shift, offset) in PRIMES.items():
        p = modp_prime(n, shift, offset)
        assert p.bit_length() == n
        print(f"group {group} prime = {p:X}")
    for h, cipher in [("MD5", "3DES"), ("SHA1", "3DES"), ("SHA1", "AES256"), ("SHA256", "AES128"), ("MD5", "DES")]:
        names = ["skeyid", "skeyid_d", "skeyid_a", "skeyid_e", "enc_key", "iv"]
        for label, value in zip(names, phase1(h, cipher)):
            print(f"{h}/{cipher} {label} = {value.hex()}")
    for h in ["MD5", "SHA1"]:
        skeyid = phase1(h, "3DES")[0]
        print(f"{h} hash_i = {prf(h, skeyid, G_XI + G_XR + CKY_I + CKY_R + SAI_B + IDII_B).hex()}")
        print(f"{h} hash_r = {prf(h, skeyid, G_XR + G_XI + CKY_R + CKY_I + SAI_B + IDIR_B).hex()}")
    last_block = bytes.fromhex("0011223344556677")
    print(f"SHA1/3DES phase2_iv(0x9a7b3c1d) = {digest('SHA1', last_block + bytes.fromhex('9a7b3c1d'))[:8].hex()}")
    last_block16 = pattern(16, 9, 2)
    print(f"SHA256/AES phase2_iv(0x01020304) = {digest('SHA256', last_block16 + bytes.fromhex('01020304'))[:16].hex()}")
    skeyid_d = phase1("SHA1", "3DES")[1]
    spi = bytes.fromhex("c0ffee01")
    print(f"SHA1 keymat(no pfs, esp, 44) = {keymat('SHA1', skeyid_d, b'', 3, spi, NI, NR, 44).hex()}")
    print(f"SHA1 keymat(pfs, esp, 44) = {keymat('SHA1', skeyid_d, pattern(96, 23, 7), 3, spi, NI, NR, 44).hex()}")
    print(f"SHA1 keymat(no pfs, esp, 16) = {keymat('SHA1', skeyid_d, b'', 3, spi, NI, NR, 16).hex()}")
    des_key, des_iv, plain = bytes.fromhex("133457799bbcdff1"), bytes.fromhex("0102030405060708"), pattern(32, 7, 3)
    print(f"des-cbc = {openssl_cbc('des-cbc', des_key, des_iv, plain)}")
    tdes_key = bytes.fromhex("0123456789abcdef23456789abcdef01456789abcdef0123")
    print(f"des-ede3-cbc = {openssl_cbc('des-ede3-cbc', tdes_key, des_iv, plain)}")


if __name__ == "__main__":
    main()
