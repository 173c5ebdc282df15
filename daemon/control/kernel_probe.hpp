// What the kernel under ravpnd can really do, for `ravpnctl status` and the start log: an XFRM socket that opens is
// not enough (a kernel without the ESP module or the ciphers still has one). For each ESP transform the config
// offers, a throwaway SA is installed the way quick mode installs one (XFRM_MSG_ALLOCSPI, then XFRM_MSG_UPDSA with
// the algorithms and keys of that length) between two documentation addresses (RFC 5737 TEST-NET-2, no policy
// points at it), then deleted. Also net.ipv4.ip_forward: without it, clients reach nothing behind the head-end.
#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ike/esp_transforms.hpp"
#include "netlink/kernel.hpp"

namespace ravpn::control {

struct TransformProbe {
  std::string name;           // "esp-des esp-md5-hmac"
  std::optional<std::string> error;  // the kernel's refusal; nullopt = the kernel installed it
};

struct KernelCapability {
  bool xfrm = false;                  // an XFRM netlink socket opened (CAP_NET_ADMIN in a kernel with XFRM)
  std::vector<TransformProbe> transforms;
  std::optional<bool> forwarding;     // net.ipv4.ip_forward; nullopt when it cannot be read

  // ESP states work for every transform probed (and at least one was).
  bool esp() const;
  // One line for the log and `ravpnctl status`, e.g. "ESP states available (esp-des esp-md5-hmac, ...)".
  std::string summary() const;
  nlohmann::json to_json() const;
};

// The transform used when the config offers none: the one quick mode would need first on a plain kernel.
ike::EspTransform probe_default_transform();

// Installs and deletes one throwaway SA per transform; `kernel` null = no XFRM access (nothing probed).
KernelCapability probe_kernel(kernel::Kernel* kernel, const std::vector<ike::EspTransform>& transforms);

// "1" -> true, "0" -> false, else nullopt (the file missing or unreadable).
std::optional<bool> read_ip_forward(const std::string& path = "/proc/sys/net/ipv4/ip_forward");

}  // namespace ravpn::control
