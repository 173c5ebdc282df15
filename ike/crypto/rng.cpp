// The injected RNGs: the system's for production, a ChaCha20 keystream for replays and tests.
#include <botan/hash.h>
#include <botan/stream_cipher.h>
#include <botan/system_rng.h>

#include <mutex>

#include "ike/crypto/crypto.hpp"

namespace ravpn::crypto {
namespace {

class SystemRng final : public Rng {
 public:
  // Botan::System_RNG reads getrandom()/the OS generator on every call and holds no state: thread-safe.
  void fill(std::span<uint8_t> out) override { rng_.randomize(out.data(), out.size()); }

 private:
  Botan::System_RNG rng_;
};

// ChaCha20 keyed with SHA-256(label | seed), nonce zero: the stream is a pure function of the seed and never
// reseeds (unlike Botan::ChaCha_RNG, whose reseed check throws once its interval runs out without a source).
class DeterministicRng final : public Rng {
 public:
  explicit DeterministicRng(uint64_t seed) : cipher_(Botan::StreamCipher::create_or_throw("ChaCha(20)")) {
    auto sha = Botan::HashFunction::create_or_throw("SHA-256");
    static constexpr char label[] = "ravpn deterministic rng";
    sha->update(reinterpret_cast<const uint8_t*>(label), sizeof(label) - 1);
    uint8_t seed_be[8];
    for (int i = 0; i < 8; ++i) seed_be[i] = static_cast<uint8_t>(seed >> (56 - 8 * i));
    sha->update(seed_be, sizeof(seed_be));
    cipher_->set_key(sha->final());
    const uint8_t nonce[8] = {};
    cipher_->set_iv(nonce, sizeof(nonce));
  }

  void fill(std::span<uint8_t> out) override {
    std::lock_guard lock(mutex_);
    cipher_->write_keystream(out.data(), out.size());
  }

 private:
  std::mutex mutex_;
  std::unique_ptr<Botan::StreamCipher> cipher_;
};

}  // namespace

std::unique_ptr<Rng> make_system_rng() { return std::make_unique<SystemRng>(); }

std::unique_ptr<Rng> make_deterministic_rng(uint64_t seed) { return std::make_unique<DeterministicRng>(seed); }

}  // namespace ravpn::crypto
