// An in-memory kernel::Firewall for tests: records every apply and remove, keeps the state last applied, and can
// be told to refuse the next apply (the real one then keeps its previous table, so this one keeps its previous
// state too).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "netlink/firewall.hpp"

namespace ravpn::testing {

class FakeFirewall final : public kernel::Firewall {
 public:
  std::optional<std::string> apply(const kernel::FirewallState& state) override;
  void remove() override;

  // ---- for tests ----
  const std::vector<kernel::FirewallState>& applies() const { return applies_; }  // every call, refused ones too
  int removes() const { return removes_; }
  // What is "installed": the last accepted state, nullopt before the first or after remove().
  const std::optional<kernel::FirewallState>& installed() const { return installed_; }
  // The next apply returns ERROR and changes nothing.
  void fail_next_apply(std::string error) { next_error_ = std::move(error); }

 private:
  std::vector<kernel::FirewallState> applies_;
  std::optional<kernel::FirewallState> installed_;
  std::optional<std::string> next_error_;
  int removes_ = 0;
};

}  // namespace ravpn::testing
