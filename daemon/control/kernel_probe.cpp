#include "daemon/control/kernel_probe.hpp"

#include <fmt/format.h>

#include <fstream>

#include "ike/wire/constants.hpp"

namespace ravpn::control {

namespace {

// RFC 5737 TEST-NET-2: never a peer or an interface of a real head-end; the SA lives for a few netlink messages.
constexpr Ipv4 kProbePeer{0xc6336401};   // 198.51.100.1
constexpr Ipv4 kProbeLocal{0xc63364fe};  // 198.51.100.254

// Key bytes with no repeated 8-byte block: DES/3DES weak-key checks (FIPS mode) refuse all-equal or K1 == K2 keys.
Botan::secure_vector<uint8_t> probe_key(size_t bytes) {
  Botan::secure_vector<uint8_t> key(bytes);
  for (size_t i = 0; i < bytes; ++i) key[i] = uint8_t(0x11 + 37 * i);
  return key;
}

std::optional<std::string> probe_one(kernel::Kernel& k, const ike::EspTransform& t) {
  auto spi = k.allocate_spi(kProbePeer, kProbeLocal, 0);
  if (!spi) return spi.error();
  kernel::SaSpec sa;
  sa.source = kProbePeer;
  sa.destination = kProbeLocal;
  sa.spi = *spi;
  sa.cipher = ike::kernel_cipher(t);
  sa.cipher_key = probe_key(ike::esp_cipher_key_bytes(t));
  sa.auth = ike::kernel_auth(t.auth);
  sa.auth_key = probe_key(ike::esp_auth_key_bytes(t.auth));
  sa.selector_source = {kProbePeer, Ipv4{0xffffffff}};
  sa.selector_destination = {kProbeLocal, Ipv4{0xffffffff}};
  auto added = k.add_sa(sa, true);
  // Delete in both cases: a failed UPDSA leaves the larval SA of ALLOCSPI behind.
  auto deleted = k.delete_sa(kProbeLocal, *spi);
  if (!added) return added.error();
  if (!deleted) return deleted.error();
  return std::nullopt;
}

}  // namespace

bool KernelCapability::esp() const {
  if (!xfrm || transforms.empty()) return false;
  for (const auto& t : transforms)
    if (t.error) return false;
  return true;
}

std::string KernelCapability::summary() const {
  if (!xfrm) return "not available (no XFRM netlink access)";
  std::string ok, failed;
  for (const auto& t : transforms) {
    if (!t.error) ok += (ok.empty() ? "" : ", ") + t.name;
    else failed += fmt::format("{}{}: {}", failed.empty() ? "" : "; ", t.name, *t.error);
  }
  if (esp()) return fmt::format("ESP states available ({})", ok);
  return fmt::format("ESP states not available: {}{}", failed, ok.empty() ? "" : fmt::format(" (working: {})", ok));
}

nlohmann::json KernelCapability::to_json() const {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& t : transforms)
    list.push_back({{"transform", t.name}, {"ok", !t.error}, {"error", t.error ? nlohmann::json(*t.error) : nullptr}});
  return {{"xfrm", xfrm}, {"esp", esp()}, {"transforms", list}, {"summary", summary()},
          {"ip_forward", forwarding ? nlohmann::json(*forwarding) : nullptr}};
}

ike::EspTransform probe_default_transform() {
  return {.transform_id = ike::esp_id::Aes, .key_bits = 128, .auth = ike::ipsec_auth::HmacSha1,
          .name = "esp-aes esp-sha-hmac"};
}

KernelCapability probe_kernel(kernel::Kernel* kernel, const std::vector<ike::EspTransform>& transforms) {
  KernelCapability c;
  c.forwarding = read_ip_forward();
  if (!kernel) return c;
  c.xfrm = true;
  std::vector<ike::EspTransform> wanted = transforms;
  if (wanted.empty()) wanted.push_back(probe_default_transform());
  kernel->answer_now(true);  // a pipelining kernel would say yes before the kernel has answered
  for (const auto& t : wanted) c.transforms.push_back({t.name, probe_one(*kernel, t)});
  kernel->answer_now(false);
  return c;
}

std::optional<bool> read_ip_forward(const std::string& path) {
  std::ifstream in(path);
  std::string value;
  if (!(in >> value)) return std::nullopt;
  if (value == "1") return true;
  if (value == "0") return false;
  return std::nullopt;
}

}  // namespace ravpn::control
