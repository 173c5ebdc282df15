// kernel::Kernel for the unprivileged IKE process: every call is a request to the privileged process over the
// privilege-separation channel (messages.hpp). SA, policy and route changes are pipelined (the IKE loop goes on
// while the privileged side programs the kernel; a refused SA comes back as an ExpireEvent with `refused`, other
// refusals are logged here; the frames of one event-loop round go out in one write); an SPI or counters wait for
// their answer. Expire events and refusals that arrive while
// a call waits are kept for read_events(), and event_fd() stays readable until they are taken.
// Under a burst of logins SPIs are allocated ahead, and a quick mode takes one without waiting (spare_spis.hpp).
#pragma once
#include <expected>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "daemon/privsep/channel.hpp"
#include "daemon/privsep/spare_spis.hpp"
#include "ike/clock.hpp"
#include "ike/log.hpp"

namespace ravpn::privsep {

class RemoteKernel final : public kernel::Kernel {
 public:
  RemoteKernel(int fd, Logger& log, const TimeSource& time);  // takes the fd
  ~RemoteKernel() override;

  kernel::Result<kernel::Spi> allocate_spi(Ipv4 source, Ipv4 destination, uint32_t reqid) override;
  kernel::Result<> add_sa(const kernel::SaSpec& sa, bool update) override;
  kernel::Result<> delete_sa(Ipv4 destination, kernel::Spi spi) override;
  kernel::Result<> add_policy(const kernel::PolicySpec& policy) override;
  kernel::Result<> delete_policy(const Ipv4Net& source, const Ipv4Net& destination,
                                 kernel::Direction direction) override;
  kernel::Result<kernel::SaCounters> counters(Ipv4 destination, kernel::Spi spi) override;
  kernel::Result<kernel::SaPairCounters> delete_sa_pair(Ipv4 in_destination, kernel::Spi in_spi, Ipv4 out_destination,
                                                        kernel::Spi out_spi) override;
  kernel::Result<> add_route(const kernel::RouteSpec& route) override;
  kernel::Result<> delete_route(const kernel::RouteSpec& route) override;
  void answer_now(bool on) override { answer_now_ = on; }
  void flush() override;
  kernel::Result<std::vector<kernel::SaCountersEntry>> all_counters() override;
  void counters_snapshot(bool on) override;
  void prefetch_counters(const std::vector<std::pair<Ipv4, kernel::Spi>>& sas) override;
  int event_fd() const override { return epoll_fd_; }
  // Throws std::runtime_error when the privileged process has gone (the IKE process cannot work without it).
  std::vector<kernel::ExpireEvent> read_events() override;

  // The privileged side reads the configuration files again and applies the firewall; the texts it found good, or
  // why the running configuration stays.
  std::expected<ReloadAnswer, std::string> reload();
  // The lease file's text, written by the privileged side (a refusal is logged when it comes back).
  void write_leases(const std::string& text);

 private:
  kernel::Result<Bytes> call(Type type, ByteView body);
  kernel::Result<> post(Type type, ByteView body);
  uint32_t queue(Type type, uint8_t flags, ByteView body);  // appended to posted_ (wiped copy); the request id
  void take(const Frame& frame);  // an Expire or Refused frame, or the answer to a spare SPI's allocation
  void read_available(bool wait);
  void ask_for_spares(Ipv4 destination);
  bool take_spare_answer(const Frame& frame);
  void delete_spares(const std::vector<SpareSpis::Ref>& spares);

  Channel channel_;
  Logger& log_;
  uint32_t next_id_ = 1;
  Bytes posted_;  // pipelined frames not written yet (flush(), or before any call that waits)
  bool answer_now_ = false;
  std::vector<kernel::ExpireEvent> events_;
  bool snapshot_on_ = false;
  std::optional<std::map<std::pair<uint32_t, uint32_t>, kernel::SaCounters>> snapshot_;  // (destination, SPI)
  // prefetch_counters(): the SAs asked for, with their counters (none: the SA was gone)
  std::map<std::pair<uint32_t, uint32_t>, std::optional<kernel::SaCounters>> prefetched_;
  const TimeSource& time_;
  SpareSpis spares_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;  // an eventfd, set while events_ holds something
};

}  // namespace ravpn::privsep
