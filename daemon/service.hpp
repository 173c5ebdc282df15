// The running daemon: sockets on the IKE addresses, the responder, the DH thread pool, timers and signals, all
// driven by one epoll loop.
#pragma once
#include <expected>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "daemon/config/model.hpp"
#include "daemon/control/control_server.hpp"
#include "daemon/control/kernel_probe.hpp"
#include "daemon/control/requests.hpp"
#include "daemon/firewall/ruleset.hpp"
#include "daemon/thread_pool.hpp"
#include "daemon/udp_socket.hpp"
#include "ike/responder.hpp"
#include "netlink/firewall.hpp"
#include "netlink/kernel.hpp"
#include "pool/lease_file.hpp"
#include "ike/accounting.hpp"
#include "xauth/accounting_sender.hpp"
#include "xauth/backend.hpp"
#include "xauth/throttle.hpp"

namespace ravpn::daemon {

struct ServiceOptions {
  unsigned dh_threads = 0;  // 0 = one per core
  unsigned aaa_threads = 8;  // RADIUS requests in flight at once
  std::vector<ike::Endpoint> extra_listen;  // tests: listen here too
  std::string control_socket;  // the JSON control socket (daemon/control/); empty = none
  std::function<bool(const std::string&)> set_debug;  // the control socket's `debug` request
  // Reads the configuration files again (SIGHUP, the control socket's `reload`); the diagnostics are reported by
  // it. An error text: the new configuration cannot be had (under privilege separation: the privileged process
  // refused it). Empty: reload is refused.
  std::function<std::expected<config::Config, std::string>()> load_config;
  // Privilege separation (daemon/privsep/): the kernel behind the channel to the privileged process, and the lease
  // file written there. Null / empty: XFRM netlink opened here, the lease file written here.
  std::unique_ptr<kernel::Kernel> kernel;
  std::function<void(const std::vector<pool::SavedLease>&)> write_leases;
  bool firewall = true;
  // Where the lease file (leases.json) lives, so returning users get their address back after a restart; empty:
  // leases are not kept (the unit passes /var/lib/ravpn, its StateDirectory).
  std::string state_dir;
  firewall::InterfaceNames interface_overrides;  // --interface NAME=LINUX, over the by-address mapping
  // The loop's clock, held per wakeup; ravpnd's rate-limited logger reads the same one. Null: the service's own.
  LoopTime* time = nullptr;
};

// Applies the ruleset, proxy ARP and mapped addresses CONFIG asks for and logs what went in; the error, or nullopt.
// Service (one process) and ravpnd's privileged process (privilege separation) both use it.
std::optional<std::string> apply_firewall(kernel::Firewall& nft, const config::Config& config,
                                          const firewall::InterfaceNames& names, Logger& log);

class Service final : public ike::Sender {
 public:
  Service(config::Config config, Logger& log, ServiceOptions options);
  ~Service() override;

  // Runs until SIGTERM/SIGINT; returns the exit code.
  int run();
  void send(const ike::Datagram& datagram) override;

 private:
  // Maps config interfaces to Linux ones and returns where to listen; bind_sockets() binds there, last of all, so
  // the first packets a client sends meet a daemon that can answer them.
  std::vector<ike::Endpoint> map_interfaces();
  void bind_sockets(const std::vector<ike::Endpoint>& where);
  void open_services();
  void remove_stale_kernel_state();
  void restore_leases();
  // From the one-second timer: at most one write a second, less often for a large file (lease_write_interval);
  // `now_anyway` (stopping): whatever changed is written at once.
  void save_leases_if_changed(bool now_anyway = false);
  void on_readable(UdpSocket& socket);
  void open_control();
  void open_firewall();
  std::optional<std::string> apply_firewall(const config::Config& config);
  // The Xauth backend a config asks for (crypto map `client authentication`); null + a reason when unusable.
  xauth::BackendChoice choose_xauth(const config::Config& config);
  std::expected<nlohmann::json, std::string> reload();
  void stop();
  // Probes what the kernel can do for `config` (kernel_probe.hpp) and logs it.
  void probe_kernel(const config::Config& config);
  // Accounting (xauth/accounting_*, ike/accounting.*) as `config` asks: started, reconfigured or turned off.
  void configure_accounting(const config::Config& config);
  void apply_queue_limits();  // the DH queue's bounds from the responder's admission settings
  void return_memory();       // malloc_trim once a flood's half-open SAs are gone

  std::unique_ptr<config::Config> config_;
  Logger& log_;
  ServiceOptions options_;
  std::unique_ptr<crypto::Rng> rng_;
  LoopTime own_time_;
  LoopTime& time_;
  ThreadPool pool_;
  ThreadPool aaa_pool_;  // RADIUS exchanges: a silent server holds a thread for timeout x tries
  std::vector<UdpSocket> sockets_;
  std::unique_ptr<kernel::Kernel> kernel_;
  control::KernelCapability kernel_capability_;
  std::unique_ptr<kernel::Firewall> firewall_;
  firewall::InterfaceNames interface_names_;  // config interface -> Linux interface
  ike::PoolSet pools_;
  std::vector<pool::SavedLease> saved_leases_;  // as last written
  uint64_t saved_generation_ = 0;                // the pools' generations summed at that write
  TimePoint saved_at_{};                         // when
  xauth::Throttle throttle_;  // Xauth failure counts and lockouts: kept across reloads
  std::unique_ptr<xauth::Backend> xauth_;
  ike::RoutePlacement routes_;
  std::unique_ptr<xauth::accounting::Sender> accounting_sender_;  // outlives accounting_, which submits to it
  std::unique_ptr<ike::SessionAccounting> accounting_;
  ike::ResponderServices services_;
  std::unique_ptr<ike::Responder> responder_;
  TimePoint started_;
  size_t peak_half_open_ = 0;    // half-open SAs + fragment sets since the last malloc_trim
  bool trim_when_empty_ = false;
  uint64_t released_at_trim_ = 0;  // the responder's handshakes_released() at the last malloc_trim
  std::unique_ptr<control::RequestContext> control_context_;
  std::unique_ptr<control::ControlServer> control_;  // after the responder: closed before it goes
};

}  // namespace ravpn::daemon
