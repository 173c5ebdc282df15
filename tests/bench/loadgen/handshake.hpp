// One Cisco-client login, as a state machine without sockets or clocks of its own (the event loop and the unit
// tests feed it datagrams and the time):
//   phase 1: aggressive mode with the group name as ID_KEY_ID (vpnc, Cisco VPN Client 3.x/4.x) or main mode with the
//            address key (VPN Client 1.1), RFC 2409 §5.4, PSK or XAUTHInitPreShared;
//   Xauth (draft-beaulieu-ike-xauth-02): REQUEST -> REPLY, SET(STATUS) -> ACK, the SET under any message ID;
//   mode-config (draft-dukes-ike-mode-cfg-02): pull (REQUEST -> REPLY, as vpnc) or push (SET -> ACK, as VPN Client
//            1.1 without Unity);
//   quick mode (RFC 2409 §5.5): one ESP tunnel proposal, IDci = the address received, IDcr = 0.0.0.0/0;
//   then the tunnel is held, or deleted (Delete ESP, Delete ISAKMP, RFC 2408 §3.15) right after QM3.
// Every HASH the responder sends is checked (HASH_R, transaction HASHes, HASH(2), informational HASH(1)).
#pragma once
#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "phase2_channel.hpp"
#include "tests/ike/initiator.hpp"

namespace ravpn::loadgen {

using Clock = std::chrono::steady_clock;

enum class Exchange { Aggressive, Main };
enum class ModeConfig { Pull, Push };

// Algorithms of phase 1 and of the ESP proposal.
struct Suite {
  uint16_t ike_enc = ike::ike_enc::Aes;
  uint16_t ike_key_bits = 256;  // 0: no key length attribute
  uint16_t ike_hash = ike::ike_hash::Sha1;
  uint8_t esp_id = ike::esp_id::Aes;
  uint16_t esp_key_bits = 256;
  uint16_t esp_auth = ike::ipsec_auth::HmacSha1;
};
// "aes256-sha1", "aes128-sha1", "3des-md5", "3des-sha1", "des-md5": the same names for IKE and ESP.
std::optional<Suite> parse_suite(std::string_view name);

struct HandshakeSpec {
  Exchange exchange = Exchange::Aggressive;
  ModeConfig mode_config = ModeConfig::Pull;
  int dh_group = 2;
  uint16_t auth = ike::ike_auth::XauthInitPreShared;
  Suite suite;
  uint32_t life_seconds = 86400;
  std::string psk, group_name, user, password;
  ike::Endpoint self, responder;
  bool hold = false;  // false: delete the tunnel right after QM3
};

// The phases whose latency is reported.
enum Phase : size_t { Phase1, Xauth, ModeCfg, QuickMode, kPhases };
const char* phase_name(size_t phase);

class Handshake {
 public:
  enum class State { Phase1, Xauth, ModeConfig, QuickMode, Established, Failed };

  Handshake(HandshakeSpec spec, uint64_t seed);
  ~Handshake();
  Handshake(const Handshake&) = delete;
  Handshake& operator=(const Handshake&) = delete;

  std::vector<Bytes> start(Clock::time_point now);
  // What to send in answer (empty: nothing). A repeat of the last datagram received (our answer was lost) gets
  // our last datagrams again.
  std::vector<Bytes> receive(ByteView datagram, Clock::time_point now);
  // The Delete ESP + Delete ISAKMP informationals of an established tunnel (hold mode at the end of a run).
  std::vector<Bytes> deletes();
  // Marks it failed (a timeout seen by the event loop).
  void fail(std::string reason);

  State state() const { return state_; }
  bool finished() const { return state_ == State::Established || state_ == State::Failed; }
  const std::string& failure() const { return failure_; }
  const std::vector<Bytes>& last_sent() const { return last_sent_; }
  // Milliseconds each phase took (valid for phases reached), and the whole handshake.
  const std::array<double, kPhases>& phase_ms() const { return phase_ms_; }
  double total_ms() const { return total_ms_; }
  std::optional<Ipv4> address() const { return address_; }
  const HandshakeSpec& spec() const { return spec_; }

 private:
  std::vector<Bytes> take_phase1(const Header& h, ByteView received, Clock::time_point now);
  std::vector<Bytes> take_transaction(const Header& h, ByteView datagram, Clock::time_point now);
  std::vector<Bytes> take_qm2(const Header& h, ByteView datagram, Clock::time_point now);
  std::vector<Bytes> take_informational(const Header& h, ByteView datagram);
  std::vector<Bytes> quick_mode_start(Clock::time_point now);
  void phase_done(Phase p, Clock::time_point now);
  std::vector<Bytes> failed(std::string reason);
  uint32_t new_message_id();
  ike::Datagram in(ByteView datagram) const;

  HandshakeSpec spec_;
  ike::test::InitiatorOptions options_;
  std::unique_ptr<ike::test::Initiator> ini_;
  std::unique_ptr<Phase2Channel> p2_;
  std::unique_ptr<crypto::Rng> rng_;
  State state_ = State::Phase1;
  int mm_step_ = 2;  // main mode: the responder message expected next (2, 4, 6)
  std::string failure_;
  std::vector<Bytes> received_;  // the last few datagrams taken, newest last (repeats are not new messages)
  std::vector<Bytes> last_sent_;
  Clock::time_point started_, phase_started_;
  std::array<double, kPhases> phase_ms_{};
  double total_ms_ = 0;
  std::optional<Ipv4> address_;
  uint32_t spi_ = 0;
  uint32_t modecfg_id_ = 0;
};

}  // namespace ravpn::loadgen
