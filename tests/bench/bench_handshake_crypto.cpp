// Cost of one responder main-mode handshake's crypto (RFC 2409 §5, pre-shared keys): our DH key pair, g^xy,
// SKEYID..SKEYID_e + key + IV, the HASH_I check, HASH_R, and CBC decryption of message 5 / encryption of
// message 6. The initiator's side is precomputed and not timed. Also compares the two Botan DH routes.
//
// Usage: bench_handshake_crypto [seconds per case, default 0.4]
#include <botan/dh.h>
#include <botan/pubkey.h>
#include <botan/system_rng.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

#include "ike/crypto/crypto.hpp"
#include "ike/crypto/dh_groups.hpp"

using namespace ravpn::crypto;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kGroups[] = {1, 2, 5, 14, 15};

struct Suite {
  const char* label;
  CipherAlg cipher;
  HashAlg hash;
};
constexpr Suite kSuites[] = {
    {"DES/MD5", CipherAlg::Des, HashAlg::Md5},
    {"3DES/SHA1", CipherAlg::TripleDes, HashAlg::Sha1},
    {"AES-256/SHA1", CipherAlg::Aes256, HashAlg::Sha1},
};

// Runs `op` for `seconds` (at least 10 times) in five rounds; returns microseconds per call in the fastest round.
// A floor is the least it costs: in the emulated lab the host's other work stretches some rounds by a third.
double time_per_call(double seconds, const std::function<void()>& op) {
  op();  // warm-up: builds the group tables, faults in code
  double best = 0;
  for (int round = 0; round < 5; ++round) {
    size_t iterations = 0;
    const auto start = Clock::now();
    const auto deadline = start + std::chrono::duration<double>(seconds / 5);
    Clock::time_point now;
    do {
      op();
      ++iterations;
      now = Clock::now();
    } while (now < deadline || iterations < 2);
    const double per_call = std::chrono::duration<double, std::micro>(now - start).count() / double(iterations);
    if (round == 0 || per_call < best) best = per_call;
  }
  return best;
}

// Everything the initiator would have sent, plus what it expects back.
struct Initiator {
  DhKeyPair dh;
  Bytes ni, cky_i, sai_b, idii_b;
};

// Message 5 / 6 bodies: ID (12) + HASH (4 + hash size) + a notify, padded to the block: 96 bytes.
constexpr size_t kEncryptedBody = 96;

void bench_handshakes(double seconds) {
  std::printf("Responder phase-1 crypto per handshake (main mode, PSK), one core\n");
  std::printf("%-6s %-13s %14s %18s\n", "group", "suite", "us/handshake", "handshakes/s/core");
  auto rng = make_deterministic_rng(2024);
  for (int group : kGroups) {
    // A few initiators, precomputed, cycled through so no peer value is reused back to back.
    std::vector<Initiator> initiators;
    for (int i = 0; i < 8; ++i)
      initiators.push_back({dh_generate(group, *rng), rng->bytes(20), rng->bytes(8), rng->bytes(52), rng->bytes(12)});
    const Bytes psk = rng->bytes(16), nr = rng->bytes(20), cky_r = rng->bytes(8), idir_b = rng->bytes(12);
    for (const Suite& s : kSuites) {
      size_t next = 0;
      const Bytes msg5_plain = rng->bytes(kEncryptedBody);
      const double us = time_per_call(seconds, [&] {
        const Initiator& in = initiators[next++ % initiators.size()];
        const DhKeyPair own = dh_generate(group, *rng);
        const auto g_xy = dh_shared_secret(own, in.dh.public_value);
        if (!g_xy) std::abort();
        const Phase1Keys keys = derive_phase1_psk(
            {s.hash, s.cipher, psk, in.ni, nr, *g_xy, in.dh.public_value, own.public_value, in.cky_i, cky_r});
        // Message 5 arrives encrypted; the ciphertext content does not change the cost.
        const auto msg5 = cbc_decrypt(s.cipher, keys.enc_key, keys.iv, msg5_plain);
        const AuthHashInputs auth_i{s.hash, keys.skeyid, in.dh.public_value, own.public_value, in.cky_i, cky_r,
                                    in.sai_b, in.idii_b};
        const SecretBytes expected_i = hash_i(auth_i);
        volatile bool ok = constant_time_equal(expected_i, ByteView(*msg5).first(expected_i.size()));
        (void)ok;
        AuthHashInputs auth_r = auth_i;
        auth_r.id_b = idir_b;
        const SecretBytes hr = hash_r(auth_r);
        Bytes msg6(kEncryptedBody);
        std::copy(hr.begin(), hr.end(), msg6.begin());
        const Bytes last_block_of_5(msg5_plain.end() - static_cast<long>(cipher_block_size(s.cipher)), msg5_plain.end());
        const Bytes out = cbc_encrypt(s.cipher, keys.enc_key, last_block_of_5, msg6);
        if (out.size() != kEncryptedBody) std::abort();
      });
      std::printf("%-6d %-13s %14.1f %18.0f\n", group, s.label, us, 1e6 / us);
    }
  }
}

// DH only (key generation + shared secret): the facade (ike/crypto/modp_exp.hpp: g's tables, then a 4-bit window)
// against Botan's own DH_PrivateKey + PK_Key_Agreement("Raw"), which blinds and sets up a blinder per key.
void bench_dh_routes(double seconds) {
  std::printf("\nDH key pair + shared secret, us per handshake\n");
  std::printf("%-6s %24s %26s\n", "group", "facade (modp_exp.hpp)", "Botan DH + PK_Key_Agreement");
  Botan::System_RNG botan_rng;
  auto rng = make_deterministic_rng(77);
  for (int group : kGroups) {
    const auto peer = dh_generate(group, *rng);
    const double facade = time_per_call(seconds, [&] {
      const auto own = dh_generate(group, *rng);
      if (!dh_shared_secret(own, peer.public_value)) std::abort();
    });
    const auto& params = detail::find_modp_group(group)->params;
    const double botan = time_per_call(seconds, [&] {
      Bytes x = rng->bytes(32);
      x[0] |= 0x80;
      const Botan::DH_PrivateKey key(botan_rng, params, Botan::BigInt(x.data(), x.size()));
      const std::vector<uint8_t> own_public = key.public_value();
      Botan::PK_Key_Agreement ka(key, botan_rng, "Raw");
      const auto secret = ka.derive_key(0, peer.public_value).bits_of();
      if (secret.empty() || own_public.empty()) std::abort();
    });
    std::printf("%-6d %24.1f %26.1f\n", group, facade, botan);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 0.4;
  if (seconds <= 0) {
    std::fprintf(stderr, "usage: %s [seconds per case]\n", argv[0]);
    return 2;
  }
  const auto start = Clock::now();
  bench_handshakes(seconds);
  bench_dh_routes(seconds);
  std::printf("\ntotal %.1f s\n", std::chrono::duration<double>(Clock::now() - start).count());
  return 0;
}
