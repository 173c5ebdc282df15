#include "daemon/service.hpp"

#include <malloc.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "daemon/kernel_access.hpp"
#include "daemon/systemd_notify.hpp"
#include "xauth/accounting_exchange.hpp"
#include "xauth/accounting_settings.hpp"
#include "ike/crypto/crypto.hpp"
#include "ike/policy/policy.hpp"
#include "ike/reload_check.hpp"
#include "netlink/interfaces.hpp"
#include "netlink/nft_firewall.hpp"
#include "netlink/stale_state.hpp"
#include "netlink/xfrm_kernel.hpp"

namespace ravpn::daemon {
namespace {

struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {
    if (fd < 0) throw std::runtime_error(std::string("fd: ") + std::strerror(errno));
  }
  ~Fd() { close(fd); }
};

void watch(int epoll_fd, int fd, uint64_t tag) {
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = tag;
  if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0)
    throw std::runtime_error(std::string("epoll_ctl: ") + std::strerror(errno));
}

constexpr auto kAccountingShutdownWait = std::chrono::seconds(5);
// The DH threads run this much below the event loop (thread_pool.hpp).
constexpr int kDhThreadNice = 5;

constexpr uint64_t kTagSignal = 1u << 20, kTagTimer = kTagSignal + 1, kTagPool = kTagSignal + 2,
                   kTagKernel = kTagSignal + 3, kTagControl = kTagSignal + 4, kTagAaaPool = kTagSignal + 5;

}  // namespace

Service::Service(config::Config config, Logger& log, ServiceOptions options)
    : config_(std::make_unique<config::Config>(std::move(config))), log_(log), options_(std::move(options)),
      rng_(crypto::make_system_rng()), time_(options_.time ? *options_.time : own_time_),
      pool_(options_.dh_threads ? options_.dh_threads : std::max(1u, std::thread::hardware_concurrency()), {},
            kDhThreadNice),
      aaa_pool_(std::max(1u, options_.aaa_threads)), throttle_(time_, log_, config_->xauth_throttle) {
  const auto listen_on = map_interfaces();
  open_firewall();
  open_services();
  remove_stale_kernel_state();
  ike::ResponderSettings settings;
  settings.dh_threads = pool_.threads();
  responder_ = std::make_unique<ike::Responder>(*config_, *rng_, *rng_, time_, pool_, log_, *this, settings, services_);
  apply_queue_limits();
  bind_sockets(listen_on);
  started_ = time_.now();
  if (!options_.control_socket.empty()) {
    // IKE service matters more than the control socket: without it the daemon still runs, and says why.
    try {
      open_control();
    } catch (const std::exception& e) {
      log_.log(LogLevel::Error, LogCategory::Daemon, "{}; running without a control socket", e.what());
    }
  }
}

void Service::open_control() {
  control_context_.reset(new control::RequestContext{*responder_, time_, started_, config_->source, options_.set_debug,
                                                     [this] { return reload(); }, &kernel_capability_, &throttle_,
                                                     [this] { return accounting_sender_.get(); }});
  control::ControlServerOptions o;
  o.path = options_.control_socket;
  control_ = std::make_unique<control::ControlServer>(
      o, [this](std::string_view line, control::Access access) {
        // A view of every SA reads their counters from one kernel dump, not two requests per SA.
        if (kernel_) kernel_->counters_snapshot(true);
        auto answer = control::handle_line(*control_context_, line, access);
        if (kernel_) kernel_->counters_snapshot(false);
        return answer;
      },
      [](const std::string& message) { return control::dump_line(control::error_response(message)); }, time_, log_);
}

void Service::open_services() {
  // Kernel: XFRM over netlink. Without it (no CAP_NET_ADMIN) phase 1 still runs; quick mode says why it cannot.
  if (options_.kernel) {
    kernel_ = std::move(options_.kernel);  // privilege separation: the privileged process programs the kernel
    services_.kernel = kernel_.get();
  } else if ((kernel_ = open_kernel(log_))) {
    services_.kernel = kernel_.get();
  }
  probe_kernel(*config_);
  for (const auto& [name, pool] : config_->pools) {
    pools_.emplace(name, pool::AddressPool(name, pool.ranges));
    log_.log(LogLevel::Info, LogCategory::Daemon, "address pool {}: {} addresses", name, pools_.at(name).size());
  }
  services_.pools = &pools_;
  restore_leases();
  auto choice = choose_xauth(*config_);
  xauth_ = std::move(choice.backend);
  services_.xauth = xauth_.get();
  services_.xauth_problem = choice.problem;
  services_.routes = &routes_;
  configure_accounting(*config_);
}

void Service::configure_accounting(const config::Config& config) {
  auto choice = xauth::accounting::accounting_settings(config);
  if (!choice.settings) {
    // Sessions that started under the old settings get no Stop: the records would have nowhere to go.
    services_.accounting = nullptr;
    if (!choice.problem.empty())
      log_.log(LogLevel::Error, LogCategory::Aaa, "accounting: {}; no records are sent", choice.problem);
    return;
  }
  const auto& s = *choice.settings;
  std::string servers;
  for (const auto& server : s.servers) servers += (servers.empty() ? "" : ", ") + server.str();
  log_.log(LogLevel::Info, LogCategory::Aaa, "accounting: {} {} ({}), interim updates {}", name(s.protocol), s.name,
           servers, s.interim.count() ? fmt::format("every {} s", s.interim.count()) : std::string("off"));
  if (accounting_sender_) {
    accounting_sender_->reconfigure(s, xauth::accounting::exchange_for(s));
    accounting_->set_interim(s.interim);
  } else {
    accounting_sender_ =
        std::make_unique<xauth::accounting::Sender>(s, xauth::accounting::exchange_for(s));
    const auto boot = uint32_t(std::chrono::system_clock::to_time_t(std::chrono::system_clock::now()));
    accounting_ = std::make_unique<ike::SessionAccounting>(
        [sender = accounting_sender_.get()](xauth::accounting::Record r) { sender->submit(std::move(r)); }, time_,
        [] { return int64_t(std::chrono::system_clock::to_time_t(std::chrono::system_clock::now())); }, boot,
        s.interim);
  }
  services_.accounting = accounting_.get();
}

void Service::probe_kernel(const config::Config& config) {
  kernel_capability_ =
      control::probe_kernel(kernel_.get(), ike::compiled::offered_transforms(ike::compiled::compile(config)));
  if (kernel_capability_.esp())
    log_.log(LogLevel::Info, LogCategory::Ipsec, "kernel: {}", kernel_capability_.summary());
  else
    log_.log(LogLevel::Warning, LogCategory::Ipsec, "kernel: {}; quick mode cannot install tunnels",
             kernel_capability_.summary());
  if (kernel_capability_.forwarding == false)
    log_.log(LogLevel::Warning, LogCategory::Daemon,
             "net.ipv4.ip_forward is 0: client traffic is not forwarded, NAT and access-groups see none "
             "(the package's /usr/lib/sysctl.d/ravpn.conf turns it on; now: sysctl -w net.ipv4.ip_forward=1)");
}

xauth::BackendChoice Service::choose_xauth(const config::Config& config) {
  for (const auto& [name, map] : config.crypto_maps) {
    if (!map.client_authentication) continue;
    auto choice = xauth::make_backend(config, *map.client_authentication, &aaa_pool_);
    if (choice.backend) choice.backend = std::make_unique<xauth::ThrottledBackend>(std::move(choice.backend), throttle_);
    for (const auto& w : choice.warnings) log_.log(LogLevel::Warning, LogCategory::Aaa, "crypto map {}: {}", name, w);
    if (choice.backend)
      log_.log(LogLevel::Info, LogCategory::Aaa, "Xauth for crypto map {}: {}", name, choice.backend->describe());
    else
      log_.log(LogLevel::Error, LogCategory::Aaa, "Xauth for crypto map {}: {}", name, choice.problem);
    return choice;  // one backend serves every map (the seeds have one crypto map)
  }
  return {};
}

namespace {

std::string lease_path(const std::string& state_dir) { return state_dir + "/leases.json"; }

uint64_t generations(const ike::PoolSet& pools) {
  uint64_t sum = 0;
  for (const auto& [name, pool] : pools) sum += pool.generation();
  return sum;
}

}  // namespace

void Service::restore_leases() {
  if (options_.state_dir.empty()) return;
  auto saved = pool::read_lease_file(lease_path(options_.state_dir));
  if (!saved) {
    // A damaged file costs users their old addresses, not the service.
    log_.log(LogLevel::Warning, LogCategory::Daemon, "lease file not read: {}", saved.error());
    return;
  }
  const size_t taken = pool::restore(pools_, *saved);
  saved_leases_ = std::move(*saved);
  saved_generation_ = generations(pools_);
  log_.log(LogLevel::Info, LogCategory::Daemon, "lease file {}: {} addresses remembered for returning users",
           lease_path(options_.state_dir), taken);
}

void Service::save_leases_if_changed(bool now_anyway) {
  if (options_.state_dir.empty()) return;
  const uint64_t generation = generations(pools_);
  if (generation == saved_generation_) return;
  // Building, handing over, parsing and syncing the file costs time in proportion to the leases: with 10,000 of
  // them, writing it every second of a login or logoff wave took a good part of both processes (and the IKE
  // process's waits for the privileged one queue behind the write). A second per 1,000 leases between writes, at
  // most 30 s: a crash loses at most that much of the address memory, which only decides who gets which address.
  const auto every = std::clamp(Seconds(saved_leases_.size() / 1000), Seconds(1), Seconds(30));
  if (!now_anyway && time_.now() - saved_at_ < every) return;
  saved_at_ = time_.now();
  auto leases = pool::snapshot(pools_, saved_leases_, std::chrono::duration_cast<std::chrono::seconds>(
                                                          std::chrono::system_clock::now().time_since_epoch())
                                                          .count());
  if (options_.write_leases) {
    options_.write_leases(leases);  // the privileged process writes it; a failure comes back to the log
  } else if (auto error = pool::write_lease_file(lease_path(options_.state_dir), leases)) {
    log_.log(LogLevel::Warning, LogCategory::Daemon, "lease file not written: {}", *error);
    return;  // tried again on the next change
  }
  saved_leases_ = std::move(leases);
  saved_generation_ = generation;
  // The file's text and JSON tree of thousands of leases are megabytes freed in the middle of the heap: hand the
  // pages back (malloc_trim releases free pages anywhere in the heap), or the IKE process keeps them as RSS.
  if (saved_leases_.size() >= 1000) malloc_trim(0);
}

void Service::remove_stale_kernel_state() {
  // A previous ravpnd that was killed (kill -9, a crash) left its SAs, policies and routes behind; a clean stop
  // leaves nothing, so anything found here is stale. Logged item by item: the operator sees what a crash left
  // (daemon category: start-up lines are never rate-limited).
  if (!kernel_) return;
  const auto sweep = netlink::remove_stale_ipsec(config_->ike_addresses());
  for (const auto& line : sweep.removed)
    log_.log(LogLevel::Notice, LogCategory::Daemon, "removed stale kernel state of an earlier ravpnd: {}", line);
  for (const auto& line : sweep.failed)
    log_.log(LogLevel::Warning, LogCategory::Daemon, "stale kernel state left in place: {}", line);
  if (!sweep.removed.empty())
    log_.log(LogLevel::Notice, LogCategory::Daemon, "removed {} stale kernel items left by an earlier ravpnd",
             sweep.removed.size());
}

void Service::open_firewall() {
  if (!options_.firewall) return;
  firewall_ = netlink::make_nft_firewall();
  if (auto error = apply_firewall(*config_)) throw std::runtime_error("nftables: " + *error);
}

std::optional<std::string> apply_firewall(kernel::Firewall& nft, const config::Config& config,
                                          const firewall::InterfaceNames& names, Logger& log) {
  auto state = firewall::build_firewall(config, names);
  if (auto error = nft.apply(state)) return error;
  log.log(LogLevel::Info, LogCategory::Daemon, "nftables table {} {} applied ({} proxy ARP, {} mapped addresses)",
          firewall::kTableFamily, firewall::kTableName, state.proxy_arp.size(), state.mapped_addresses.size());
  return std::nullopt;
}

std::optional<std::string> Service::apply_firewall(const config::Config& config) {
  if (!firewall_) return std::nullopt;
  return daemon::apply_firewall(*firewall_, config, interface_names_, log_);
}

// SIGHUP / `reload`: a config with errors, or one the kernel refuses, changes nothing. Otherwise the tunnels the new
// config no longer allows go (with deletes), the others keep their SAs and leases.
std::expected<nlohmann::json, std::string> Service::reload() {
  if (!options_.load_config) return std::unexpected("this daemon was started without a configuration file to re-read");
  auto loaded = options_.load_config();
  if (!loaded) return std::unexpected(loaded.error());
  auto next = std::make_unique<config::Config>(std::move(*loaded));
  if (next->has_errors())
    return std::unexpected(fmt::format("{} has errors; the running configuration stays", next->source));
  if (auto error = apply_firewall(*next))
    return std::unexpected("nftables refused the new ruleset (the running one stays): " + *error);

  throttle_.reconfigure(next->xauth_throttle);
  auto choice = choose_xauth(*next);
  const auto* local_users = choice.backend && choice.backend->checks_local_users() ? &next->users : nullptr;
  size_t dropped = responder_->drop_disallowed(
      [&](const ike::Phase1Sa& sa) { return ike::reload_objection(*next, sa, local_users); },
      "configuration reload: ");

  // The surviving leases move into pools built from the new config.
  ike::PoolSet pools;
  for (const auto& [name, pool] : next->pools) pools.emplace(name, pool::AddressPool(name, pool.ranges));
  // Returning users keep their claim on the address they had, as across a restart.
  for (const auto& [name, pool] : pools_)
    if (auto next_pool = pools.find(name); next_pool != pools.end())
      for (const auto& [user, address] : pool.remembered()) next_pool->second.remember(user, address);
  size_t kept = 0;
  for (const auto* sa : responder_->sas()) {
    ++kept;
    const auto& mc = sa->session.mode_config;
    if (mc.address && pools.count(mc.pool)) (void)pools.at(mc.pool).adopt(*mc.address, sa->session.xauth.user);
  }
  if (next->ike_addresses() != config_->ike_addresses())
    log_.log(LogLevel::Warning, LogCategory::Config, "the IKE addresses changed: restart ravpnd to listen on them");

  pools_ = std::move(pools);
  saved_generation_ = ~uint64_t{0};  // new pool objects: the next tick writes the file again
  xauth_ = std::move(choice.backend);
  services_.xauth = xauth_.get();
  services_.xauth_problem = choice.problem;
  configure_accounting(*next);
  responder_->reconfigure(*next, services_);
  apply_queue_limits();
  config_ = std::move(next);
  probe_kernel(*config_);
  log_.log(LogLevel::Notice, LogCategory::Config, "configuration reloaded from {}: {} ISAKMP SAs kept, {} dropped",
           config_->source, kept, dropped);
  return nlohmann::json{{"config_source", config_->source}, {"kept", kept}, {"dropped", dropped}};
}

void Service::apply_queue_limits() {
  const auto& a = responder_->admission().settings();
  pool_.set_limits(QueueLimits{a.dh_queue_proven, ike::dh_queue_new_max(a)});
}

void Service::return_memory() {
  // Once many sessions have let go of their handshakes (a thousand logins a minute ago), hand the pages back.
  if (responder_->handshakes_released() >= released_at_trim_ + 1024) {
    malloc_trim(0);
    released_at_trim_ = responder_->handshakes_released();
  }
  // After a flood the half-open SAs and fragment sets are freed, but glibc keeps the pages of its arenas (the DH
  // threads have their own); hand them back once the count has fallen to a quarter of its peak, and again when
  // nothing is left.
  const size_t now = responder_->half_open() + responder_->fragments().pending();
  peak_half_open_ = std::max(peak_half_open_, now);
  if (peak_half_open_ >= 256 && now <= peak_half_open_ / 4) {
    malloc_trim(0);
    peak_half_open_ = now;
    trim_when_empty_ = now > 0;
  } else if (trim_when_empty_ && now == 0) {
    malloc_trim(0);
    trim_when_empty_ = false;
  }
}

Service::~Service() = default;

void Service::stop() {
  notify_stopping();
  responder_->shutdown();
  if (accounting_sender_) {
    // The Stops of every session are queued; give the servers a bounded time to take them (systemd waits 90 s).
    const bool all = accounting_sender_->drain(kAccountingShutdownWait);
    for (const auto& m : accounting_sender_->take_messages()) log_.log(LogLevel::Warning, LogCategory::Aaa, "{}", m);
    const auto st = accounting_sender_->stats();
    log_.log(all ? LogLevel::Info : LogLevel::Warning, LogCategory::Aaa, "accounting: {} records sent, {} not sent",
             st.sent, st.queued);
  }
  save_leases_if_changed(/*now_anyway=*/true);
  if (kernel_) kernel_->flush();
  if (firewall_) firewall_->remove();  // the ruleset goes with the daemon (issue: "removed on stop")
}

std::vector<ike::Endpoint> Service::map_interfaces() {
  std::vector<ike::Endpoint> where;
  std::vector<netlink::InterfaceAddress> host;
  try {
    host = netlink::list_ipv4_addresses();
  } catch (const std::exception& e) {
    log_.log(LogLevel::Warning, LogCategory::Daemon, "cannot list interface addresses: {}", e.what());
  }
  // The same by-address mapping `ravpnd --print-nft` uses.
  const firewall::InterfaceNames by_address = firewall::map_interfaces(*config_, host);
  for (const auto& iface : config_->interfaces) {
    if (!iface.address || iface.shutdown) continue;
    bool ike_here = false;
    for (auto a : config_->ike_addresses()) ike_here = ike_here || a == iface.address->address;
    auto mapped = by_address.find(iface.name);
    const std::string linux_name = mapped == by_address.end() ? "" : mapped->second;
    if (linux_name.empty())
      log_.log(ike_here ? LogLevel::Warning : LogLevel::Info, LogCategory::Daemon,
               "interface {} ({}) has no Linux interface with that address", iface.name, iface.address->address.str());
    else
      log_.log(LogLevel::Info, LogCategory::Daemon, "interface {} ({}) is {}", iface.name, iface.address->address.str(),
               linux_name);
    if (!linux_name.empty()) interface_names_[iface.name] = linux_name;
    if (!linux_name.empty() && ike_here) routes_.device_of_local[iface.address->address] = linux_name;
    // Traffic to clients leaves with the inside address (the `ip nat inside` interface, else any other one here).
    if (!linux_name.empty() && !ike_here && (iface.nat_inside || !routes_.preferred_source))
      routes_.preferred_source = iface.address->address;
    if (ike_here) {
      where.push_back({iface.address->address, ike::kIkePort});
      where.push_back({iface.address->address, ike::kNattPort});
    }
  }
  for (const auto& [name, linux_name] : options_.interface_overrides) interface_names_[name] = linux_name;
  for (const auto& e : options_.extra_listen) where.push_back(e);
  if (where.empty()) throw std::runtime_error("no interface carries a crypto map: nothing to listen on");
  return where;
}

void Service::bind_sockets(const std::vector<ike::Endpoint>& where) {
  for (const auto& e : where) {
    sockets_.emplace_back(e);
    log_.log(LogLevel::Info, LogCategory::Daemon, "listening on {}", e.str());
  }
}

void Service::send(const ike::Datagram& d) {
  for (auto& s : sockets_)
    if (s.local() == d.from) return s.send(d);
  log_.log(LogLevel::Warning, LogCategory::Daemon, "no socket for {}", d.from.str());
}

void Service::on_readable(UdpSocket& socket) {
  // Bounded batch so one busy socket cannot starve timers and completions.
  for (int i = 0; i < 256; ++i) {
    auto d = socket.receive();
    if (!d) return;
    responder_->receive(*d);
  }
}

int Service::run() {
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGHUP);
  sigprocmask(SIG_BLOCK, &mask, nullptr);
  Fd signals(signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC));
  Fd timer(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
  itimerspec every_second{{1, 0}, {1, 0}};
  timerfd_settime(timer.fd, 0, &every_second, nullptr);
  Fd epoll(epoll_create1(EPOLL_CLOEXEC));

  for (size_t i = 0; i < sockets_.size(); ++i) watch(epoll.fd, sockets_[i].fd(), i);
  watch(epoll.fd, signals.fd, kTagSignal);
  watch(epoll.fd, timer.fd, kTagTimer);
  watch(epoll.fd, pool_.completion_fd(), kTagPool);
  watch(epoll.fd, aaa_pool_.completion_fd(), kTagAaaPool);
  if (kernel_ && kernel_->event_fd() >= 0) watch(epoll.fd, kernel_->event_fd(), kTagKernel);
  if (control_) watch(epoll.fd, control_->fd(), kTagControl);
  // The MODP groups' parameters and Montgomery constants are built on first use: here, before the first client
  // (in the lab about 75 ms of the loop's time otherwise, spent inside that client's handshake).
  (void)crypto::dh_group_supported(2);
  log_.log(LogLevel::Notice, LogCategory::Daemon, "ravpnd started: {} ISAKMP policies, {} keys, {} client groups",
           config_->isakmp_policies.size(), config_->isakmp_keys.size(), config_->client_groups.size());
  // Type=notify: the IKE sockets are bound and the loop is about to serve them.
  notify_ready(fmt::format("listening on {} sockets, {} ISAKMP policies", sockets_.size(),
                           config_->isakmp_policies.size()));

  epoll_event events[64];
  for (;;) {
    time_.release();
    int n = epoll_wait(epoll.fd, events, 64, -1);
    time_.hold();
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error(std::string("epoll_wait: ") + std::strerror(errno));
    for (int i = 0; i < n; ++i) {
      const uint64_t tag = events[i].data.u64;
      if (tag == kTagSignal) {
        signalfd_siginfo info{};
        while (read(signals.fd, &info, sizeof info) == sizeof info) {
          if (info.ssi_signo == SIGHUP) {
            notify_reloading();
            if (auto r = reload(); !r) log_.log(LogLevel::Error, LogCategory::Config, "reload: {}", r.error());
            notify_ready("configuration reloaded");
            continue;
          }
          log_.log(LogLevel::Notice, LogCategory::Daemon, "stopping on signal {}", info.ssi_signo);
          stop();
          return 0;
        }
      } else if (tag == kTagTimer) {
        uint64_t expirations;
        [[maybe_unused]] auto r = read(timer.fd, &expirations, sizeof expirations);
        responder_->tick();
        return_memory();
        save_leases_if_changed();
        if (control_) control_->tick();
        throttle_.tick();
        if (accounting_sender_)
          for (const auto& m : accounting_sender_->take_messages())
            log_.log(LogLevel::Notice, LogCategory::Aaa, "{}", m);
        log_.flush_summaries();
      } else if (tag == kTagPool) {
        pool_.run_completions();
      } else if (tag == kTagAaaPool) {
        aaa_pool_.run_completions();
      } else if (tag == kTagKernel) {
        responder_->on_kernel_expire(kernel_->read_events());
      } else if (tag == kTagControl) {
        control_->process();
      } else if (tag < sockets_.size()) {
        on_readable(sockets_[tag]);
      }
    }
    if (kernel_) kernel_->flush();  // this round's kernel requests in one write (privilege separation)
  }
}

}  // namespace ravpn::daemon
