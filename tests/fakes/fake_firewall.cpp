#include "tests/fakes/fake_firewall.hpp"

namespace ravpn::testing {

std::optional<std::string> FakeFirewall::apply(const kernel::FirewallState& state) {
  applies_.push_back(state);
  if (next_error_) {
    auto error = std::move(next_error_);
    next_error_.reset();
    return error;
  }
  installed_ = state;
  return std::nullopt;
}

void FakeFirewall::remove() {
  ++removes_;
  installed_.reset();
}

}  // namespace ravpn::testing
