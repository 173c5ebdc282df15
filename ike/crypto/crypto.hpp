// The crypto facade: everything ravpn needs from Botan 2, behind plain functions.
// RFC 2409 §5 (SKEYID for pre-shared keys), appendix B (key expansion), §5 / appendix B (IVs),
// RFC 2412 appendix E / RFC 3526 (MODP groups 1, 2, 5, 14, 15).
#pragma once
#include <botan/secmem.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ravpn::crypto {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;
using SecretBytes = Botan::secure_vector<uint8_t>;

enum class HashAlg { Md5, Sha1, Sha256, Sha384, Sha512 };
enum class CipherAlg { Des, TripleDes, Aes128, Aes192, Aes256 };

size_t hash_size(HashAlg);         // 16, 20, 32, 48, 64
size_t cipher_key_size(CipherAlg);  // 8, 24, 16, 24, 32
size_t cipher_block_size(CipherAlg);  // 8, 8, 16, 16, 16
const char* name(HashAlg);          // "MD5", "SHA1", ... (for logs)
const char* name(CipherAlg);        // "DES-CBC", "3DES-CBC", "AES-CBC-128", ...
bool is_weak(HashAlg);              // MD5
bool is_weak(CipherAlg);            // DES, 3DES

// Injected randomness (style.md: no globals; tests replay byte for byte).
class Rng {
 public:
  virtual ~Rng() = default;
  virtual void fill(std::span<uint8_t> out) = 0;
  Bytes bytes(size_t n) { Bytes b(n); fill(b); return b; }
};
// The system's RNG (Botan::System_RNG). Thread-safe.
std::unique_ptr<Rng> make_system_rng();
// Deterministic: the same seed gives the same stream (tests and replays only).
std::unique_ptr<Rng> make_deterministic_rng(uint64_t seed);

// Plain hash and HMAC-based PRF (RFC 2409 §3: prf is the HMAC of the negotiated hash).
Bytes hash(HashAlg, ByteView data);
SecretBytes prf(HashAlg, ByteView key, ByteView data);
// Incremental PRF over several parts (avoids concatenating secrets into temporary buffers).
class Prf {
 public:
  Prf(HashAlg alg, ByteView key);
  ~Prf();
  Prf(Prf&&) noexcept;
  Prf& operator=(Prf&&) noexcept;
  Prf& update(ByteView part);
  Prf& update(uint8_t byte);
  SecretBytes final();  // resets, ready for the same key again
 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

bool constant_time_equal(ByteView a, ByteView b);  // false on length mismatch, no early exit on content

// MODP Diffie-Hellman. Groups 1 (768), 2 (1024), 5 (1536), 14 (2048), 15 (3072).
bool dh_group_supported(int group);
size_t dh_public_size(int group);  // bytes: 96, 128, 192, 256, 384
struct DhKeyPair {
  int group = 0;
  SecretBytes private_value;
  Bytes public_value;  // big-endian, left-padded to dh_public_size(group) (RFC 2409 §5: KE data is g^x)
};
DhKeyPair dh_generate(int group, Rng& rng);
// g^xy, left-padded to the group size. nullopt when the peer's value is not of the group's size or is
// outside 2..p-2 (RFC 2631 §2.1.5 style check).
std::optional<SecretBytes> dh_shared_secret(const DhKeyPair& own, ByteView peer_public);

// CBC with no padding; data must be a multiple of the block size; key of cipher_key_size(), iv of the block size.
Bytes cbc_encrypt(CipherAlg, ByteView key, ByteView iv, ByteView plaintext);
std::optional<Bytes> cbc_decrypt(CipherAlg, ByteView key, ByteView iv, ByteView ciphertext);  // nullopt if not whole blocks

// RFC 2409 §5 + appendix B, pre-shared key authentication.
struct Phase1Keys {
  SecretBytes skeyid;    // prf(pre-shared-key, Ni_b | Nr_b)
  SecretBytes skeyid_d;  // prf(SKEYID, g^xy | CKY-I | CKY-R | 0)
  SecretBytes skeyid_a;  // prf(SKEYID, SKEYID_d | g^xy | CKY-I | CKY-R | 1)
  SecretBytes skeyid_e;  // prf(SKEYID, SKEYID_a | g^xy | CKY-I | CKY-R | 2)
  SecretBytes enc_key;   // first cipher_key_size() bytes of SKEYID_e, expanded per appendix B when too short
  Bytes iv;              // hash(g^xi | g^xr) truncated to the block size (appendix B)
};
struct Phase1Inputs {
  HashAlg hash;
  CipherAlg cipher;
  ByteView psk;
  ByteView ni_b, nr_b;      // nonce bodies
  ByteView g_xy;            // shared secret
  ByteView g_xi, g_xr;      // initiator's and responder's public values
  ByteView cky_i, cky_r;    // 8 bytes each
};
Phase1Keys derive_phase1_psk(const Phase1Inputs&);

// RFC 2409 §5: HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b)
//              HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b)
struct AuthHashInputs {
  HashAlg hash;
  ByteView skeyid;
  ByteView g_xi, g_xr, cky_i, cky_r, sai_b;
  ByteView id_b;  // IDii_b for HASH_I, IDir_b for HASH_R
};
SecretBytes hash_i(const AuthHashInputs&);
SecretBytes hash_r(const AuthHashInputs&);

// RFC 2409 appendix B: IV of a phase 2 / informational / transaction exchange:
// hash(last phase 1 CBC block | M-ID) truncated to the block size.
Bytes phase2_iv(HashAlg, CipherAlg, ByteView last_phase1_block, uint32_t message_id);

// RFC 2409 §5.5 KEYMAT = prf(SKEYID_d, [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b), expanded K1 | K2 | ... to `length`.
SecretBytes quick_mode_keymat(HashAlg, ByteView skeyid_d, ByteView g_qm_xy /*empty without PFS*/, uint8_t protocol,
                              ByteView spi, ByteView ni_b, ByteView nr_b, size_t length);

}  // namespace ravpn::crypto
