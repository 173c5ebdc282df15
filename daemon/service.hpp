// The running daemon: sockets on the IKE addresses, the responder, the DH thread pool, timers and signals, all
// driven by one epoll loop.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "daemon/config/model.hpp"
#include "daemon/control/control_server.hpp"
#include "daemon/control/requests.hpp"
#include "daemon/thread_pool.hpp"
#include "daemon/udp_socket.hpp"
#include "ike/responder.hpp"
#include "netlink/kernel.hpp"
#include "xauth/backend.hpp"

namespace ravpn::daemon {

struct ServiceOptions {
  unsigned dh_threads = 0;  // 0 = one per core
  std::vector<ike::Endpoint> extra_listen;  // tests: listen here too
  std::string control_socket;  // the JSON control socket (daemon/control/); empty = none
  std::function<bool(const std::string&)> set_debug;  // the control socket's `debug` request
};

class Service final : public ike::Sender {
 public:
  Service(const config::Config& config, Logger& log, ServiceOptions options);
  ~Service() override;

  // Runs until SIGTERM/SIGINT; returns the exit code.
  int run();
  void send(const ike::Datagram& datagram) override;

 private:
  void open_sockets();
  void open_services();
  void on_readable(UdpSocket& socket);
  void open_control();

  const config::Config& config_;
  Logger& log_;
  ServiceOptions options_;
  std::unique_ptr<crypto::Rng> rng_;
  SystemTime time_;
  ThreadPool pool_;
  std::vector<UdpSocket> sockets_;
  std::unique_ptr<kernel::Kernel> kernel_;
  ike::PoolSet pools_;
  std::unique_ptr<xauth::Backend> xauth_;
  ike::RoutePlacement routes_;
  ike::ResponderServices services_;
  std::unique_ptr<ike::Responder> responder_;
  TimePoint started_;
  std::unique_ptr<control::RequestContext> control_context_;
  std::unique_ptr<control::ControlServer> control_;  // after the responder: closed before it goes
};

}  // namespace ravpn::daemon
