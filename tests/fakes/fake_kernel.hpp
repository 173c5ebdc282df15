// An in-memory kernel::Kernel for tests (after strongSwan's tests/utils/mock_ipsec.c): it refuses what the real
// kernel refuses for a daemon's bookkeeping mistakes, with the same error words:
//   - a second add_sa for the same (destination, SPI)      -> "XFRM_MSG_NEWSA: File exists"
//   - add_sa(update = true) without that SA or an allocated SPI -> "XFRM_MSG_UPDSA: No such process"
//   - a second add_policy for the same (source, destination, direction) -> "XFRM_MSG_NEWPOLICY: File exists"
//   - a second add_route for the same destination           -> "RTM_NEWROUTE: File exists"
//   - deletes / counters of unknown ones -> "XFRM_MSG_DELSA: No such process", "XFRM_MSG_GETSA: No such process",
//     "XFRM_MSG_DELPOLICY: No such file or directory", "RTM_DELROUTE: No such process"
// allocate_spi hands out 0xc0000001, 0xc0000002, ... (deterministic, distinct). Every call is recorded.
// Tests may set counters, queue expire events, and make the next call of a method fail.
#pragma once
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "netlink/kernel.hpp"

namespace ravpn::testing {

using kernel::Result;

class FakeKernel final : public kernel::Kernel {
 public:
  struct Call {
    std::string method;  // "allocate_spi", "add_sa", "delete_sa", ...
    std::string detail;  // e.g. "10.0.0.1 0xc0000001" (never keys)
  };
  struct InstalledSa {
    kernel::SaSpec spec;
    kernel::SaCounters counters;
  };
  using SaKey = std::pair<Ipv4, kernel::Spi>;
  using PolicyKey = std::tuple<Ipv4Net, Ipv4Net, kernel::Direction>;

  Result<kernel::Spi> allocate_spi(Ipv4 source, Ipv4 destination, uint32_t reqid) override;
  Result<> add_sa(const kernel::SaSpec& sa, bool update) override;
  Result<> delete_sa(Ipv4 destination, kernel::Spi spi) override;
  Result<> add_policy(const kernel::PolicySpec& policy) override;
  Result<> delete_policy(const Ipv4Net& source, const Ipv4Net& destination, kernel::Direction direction) override;
  Result<kernel::SaCounters> counters(Ipv4 destination, kernel::Spi spi) override;
  Result<std::vector<kernel::SaCountersEntry>> all_counters() override;
  // Recorded only (detail: how many SAs); counters() reads each as before.
  void prefetch_counters(const std::vector<std::pair<Ipv4, kernel::Spi>>& sas) override {
    record("prefetch_counters", std::to_string(sas.size()));
  }
  Result<> add_route(const kernel::RouteSpec& route) override;
  Result<> delete_route(const kernel::RouteSpec& route) override;
  int event_fd() const override { return -1; }
  std::vector<kernel::ExpireEvent> read_events() override;

  // ---- for tests ----
  const std::map<SaKey, InstalledSa>& sas() const { return sas_; }
  const std::map<PolicyKey, kernel::PolicySpec>& policies() const { return policies_; }
  const std::map<Ipv4Net, kernel::RouteSpec>& routes() const { return routes_; }
  const std::vector<Call>& calls() const { return calls_; }
  size_t count_calls(const std::string& method) const;
  bool has_sa(Ipv4 destination, kernel::Spi spi) const { return sas_.contains({destination, spi}); }
  bool has_policy(const Ipv4Net& source, const Ipv4Net& destination, kernel::Direction direction) const;
  bool has_route(const Ipv4Net& destination) const { return routes_.contains(normalized(destination)); }
  // Sets the counters of an installed SA; false when there is none.
  bool set_counters(Ipv4 destination, kernel::Spi spi, kernel::SaCounters counters);
  void queue_event(kernel::ExpireEvent event) { pending_events_.push_back(event); }
  // The next call of `method` fails with `error` (once).
  void fail_next(const std::string& method, kernel::Error error) { failures_[method] = std::move(error); }
  bool empty() const { return sas_.empty() && policies_.empty() && routes_.empty(); }

  static Ipv4Net normalized(const Ipv4Net& net) { return {Ipv4{net.address.value & net.mask.value}, net.mask}; }

 private:
  std::optional<kernel::Error> injected_failure(const std::string& method);
  void record(std::string method, std::string detail) { calls_.push_back({std::move(method), std::move(detail)}); }

  uint32_t next_spi_ = 0xc0000001;
  std::map<SaKey, InstalledSa> sas_;
  std::map<SaKey, uint32_t> allocated_spis_;  // larval SAs from allocate_spi: (destination, SPI) -> reqid
  std::map<PolicyKey, kernel::PolicySpec> policies_;
  std::map<Ipv4Net, kernel::RouteSpec> routes_;
  std::vector<Call> calls_;
  std::vector<kernel::ExpireEvent> pending_events_;
  std::map<std::string, kernel::Error> failures_;
};

}  // namespace ravpn::testing
