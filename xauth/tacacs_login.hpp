// One TACACS+ authentication session (RFC 8907 5.4) as a state machine without I/O: it hands out the packets to send
// and reads the server's packets; xauth/tacacs_backend.cpp carries them over TCP, the tests feed them directly.
//
// ASCII login as a Cisco box runs it for a user it checks: START (user given, type ASCII), then the server asks
// GETUSER / GETPASS and each is answered with a CONTINUE (the user name, the password) until PASS or FAIL. PAP:
// START with the password in its data field (minor version 1), answered by PASS or FAIL at once.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "xauth/backend.hpp"
#include "xauth/tacacs_packet.hpp"

namespace ravpn::xauth::tacacs {

// What one server said in one session. Error: it answered, but nothing usable (garbage, a wrong key, ERROR, FOLLOW,
// a question Xauth has no answer to); the backend then asks the next server, as Cisco does after an ERROR.
enum class Answer { Pass, Fail, Error };
struct Outcome {
  Answer answer = Answer::Error;
  std::string detail;  // Fail/Pass: the server's message, escaped (\xNN) and bounded; Error: what went wrong
};

// A session has at most this many rounds (START + CONTINUEs); a server asking more is looping.
inline constexpr int kMaxRounds = 6;

class LoginSession {
 public:
  // `single_connect`: ask for the connection to stay open for later sessions (RFC 8907 4.3).
  LoginSession(AuthenType type, std::string_view key, const Credentials& credentials, uint32_t session_id,
               bool single_connect);

  // The START packet (whole, obfuscated). Error when a field does not fit (a user name over 255 bytes).
  std::expected<Bytes, std::string> start();
  // A whole packet from the server. Returns the next packet to send (a CONTINUE), or nothing when the session is over
  // and outcome() is set.
  std::optional<Bytes> on_packet(ByteView packet);

  const std::optional<Outcome>& outcome() const { return outcome_; }
  // True when both sides set SINGLE_CONNECT in their first packets: the connection may carry the next session.
  bool single_connection() const { return single_connection_; }

 private:
  std::optional<Bytes> finish(Answer answer, std::string detail);
  std::optional<Bytes> send_continue(ByteView answer);
  Header next_header();

  AuthenType type_;
  std::string key_;
  const Credentials& credentials_;
  uint32_t session_id_;
  bool ask_single_connect_;
  uint8_t sequence_ = 1;  // of the next packet we send
  int rounds_ = 0;
  bool single_connection_ = false;
  std::optional<Outcome> outcome_;
};

}  // namespace ravpn::xauth::tacacs
