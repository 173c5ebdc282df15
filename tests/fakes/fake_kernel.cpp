#include "tests/fakes/fake_kernel.hpp"

#include <algorithm>
#include <cstdio>
#include <utility>

namespace ravpn::testing {

using kernel::Direction;
using kernel::Spi;

namespace {

std::string hex(Spi spi) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "0x%08x", spi.value);
  return buf;
}

const char* name(Direction d) {
  switch (d) {
    case Direction::In: return "in";
    case Direction::Out: return "out";
    case Direction::Forward: return "fwd";
  }
  return "?";
}

// The real kernel's words for the same mistakes (strerror of EEXIST, ESRCH, ENOENT).
constexpr const char* kExists = ": File exists";
constexpr const char* kNoSuchSa = ": No such process";
constexpr const char* kNoSuchPolicy = ": No such file or directory";

}  // namespace

std::optional<kernel::Error> FakeKernel::injected_failure(const std::string& method) {
  auto it = failures_.find(method);
  if (it == failures_.end()) return std::nullopt;
  kernel::Error error = std::move(it->second);
  failures_.erase(it);
  return error;
}

size_t FakeKernel::count_calls(const std::string& method) const {
  return size_t(std::count_if(calls_.begin(), calls_.end(), [&](const Call& c) { return c.method == method; }));
}

bool FakeKernel::has_policy(const Ipv4Net& source, const Ipv4Net& destination, Direction direction) const {
  return policies_.contains({normalized(source), normalized(destination), direction});
}

bool FakeKernel::set_counters(Ipv4 destination, Spi spi, kernel::SaCounters counters) {
  auto it = sas_.find({destination, spi});
  if (it == sas_.end()) return false;
  it->second.counters = counters;
  return true;
}

Result<Spi> FakeKernel::allocate_spi(Ipv4 source, Ipv4 destination, uint32_t reqid) {
  record("allocate_spi", source.str() + " -> " + destination.str() + " reqid " + std::to_string(reqid));
  if (auto e = injected_failure("allocate_spi")) return std::unexpected(*e);
  Spi spi{next_spi_++};
  allocated_spis_[{destination, spi}] = reqid;
  return spi;
}

Result<> FakeKernel::add_sa(const kernel::SaSpec& sa, bool update) {
  const char* what = update ? "XFRM_MSG_UPDSA" : "XFRM_MSG_NEWSA";
  record("add_sa", sa.source.str() + " -> " + sa.destination.str() + " " + hex(sa.spi) +
                       (update ? " update" : "") + (sa.encap ? " udp" : ""));
  if (auto e = injected_failure("add_sa")) return std::unexpected(*e);
  const SaKey key{sa.destination, sa.spi};
  if (sas_.contains(key)) return std::unexpected(std::string(what) + kExists);
  // UPDSA needs something to update: the larval SA ALLOCSPI made (xfrm_state_update returns ESRCH otherwise).
  if (update && !allocated_spis_.erase(key)) return std::unexpected(std::string(what) + kNoSuchSa);
  if (!update && allocated_spis_.contains(key)) return std::unexpected(std::string(what) + kExists);
  sas_.emplace(key, InstalledSa{sa, {}});
  return {};
}

Result<> FakeKernel::delete_sa(Ipv4 destination, Spi spi) {
  record("delete_sa", destination.str() + " " + hex(spi));
  if (auto e = injected_failure("delete_sa")) return std::unexpected(*e);
  if (sas_.erase({destination, spi}) == 0 && allocated_spis_.erase({destination, spi}) == 0)
    return std::unexpected(std::string("XFRM_MSG_DELSA") + kNoSuchSa);
  return {};
}

Result<kernel::SaCounters> FakeKernel::counters(Ipv4 destination, Spi spi) {
  record("counters", destination.str() + " " + hex(spi));
  if (auto e = injected_failure("counters")) return std::unexpected(*e);
  auto it = sas_.find({destination, spi});
  if (it == sas_.end()) return std::unexpected(std::string("XFRM_MSG_GETSA") + kNoSuchSa);
  return it->second.counters;
}

Result<std::vector<kernel::SaCountersEntry>> FakeKernel::all_counters() {
  record("all_counters", std::to_string(sas_.size()) + " SAs");
  if (auto e = injected_failure("all_counters")) return std::unexpected(*e);
  std::vector<kernel::SaCountersEntry> out;
  for (const auto& [key, sa] : sas_) out.push_back({key.first, key.second, sa.counters});
  return out;
}

Result<> FakeKernel::add_policy(const kernel::PolicySpec& policy) {
  record("add_policy", policy.source.str() + " -> " + policy.destination.str() + " " + name(policy.direction) +
                           " reqid " + std::to_string(policy.reqid));
  if (auto e = injected_failure("add_policy")) return std::unexpected(*e);
  PolicyKey key{normalized(policy.source), normalized(policy.destination), policy.direction};
  if (!policies_.emplace(key, policy).second) return std::unexpected(std::string("XFRM_MSG_NEWPOLICY") + kExists);
  return {};
}

Result<> FakeKernel::delete_policy(const Ipv4Net& source, const Ipv4Net& destination, Direction direction) {
  record("delete_policy", source.str() + " -> " + destination.str() + " " + name(direction));
  if (auto e = injected_failure("delete_policy")) return std::unexpected(*e);
  if (policies_.erase({normalized(source), normalized(destination), direction}) == 0)
    return std::unexpected(std::string("XFRM_MSG_DELPOLICY") + kNoSuchPolicy);
  return {};
}

Result<> FakeKernel::add_route(const kernel::RouteSpec& route) {
  record("add_route", route.destination.str() + " dev " + route.device);
  if (auto e = injected_failure("add_route")) return std::unexpected(*e);
  if (!routes_.emplace(normalized(route.destination), route).second)
    return std::unexpected(std::string("RTM_NEWROUTE") + kExists);
  return {};
}

Result<> FakeKernel::delete_route(const kernel::RouteSpec& route) {
  record("delete_route", route.destination.str() + " dev " + route.device);
  if (auto e = injected_failure("delete_route")) return std::unexpected(*e);
  auto it = routes_.find(normalized(route.destination));
  // The kernel matches the device too (RTA_OIF): a route on another device is not the one asked for.
  if (it == routes_.end() || it->second.device != route.device)
    return std::unexpected(std::string("RTM_DELROUTE") + kNoSuchSa);
  routes_.erase(it);
  return {};
}

std::vector<kernel::ExpireEvent> FakeKernel::read_events() {
  record("read_events", "");
  return std::exchange(pending_events_, {});
}

}  // namespace ravpn::testing
