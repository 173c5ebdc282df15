// Delivers accounting records to the accounting servers without ever making IKE wait: the event loop hands records
// to submit() (a bounded queue, O(1), no I/O) and one thread of the sender's own carries them over the network.
//
// Each record goes to the servers in configuration order (the first that acknowledges it wins; a server that does
// not answer after its tries passes the record to the next, as Cisco fails over). When none answers, the record
// stays at the head of the queue and the round is tried again after `retry_pause`, until a server acknowledges it:
// accounting survives a server outage (RFC 2866 2.1: "retransmit until it receives an acknowledgement"). While the
// servers are down the queue grows up to `max_queue` records; beyond that Interim-Updates are dropped first (the Stop
// that follows carries the same totals), then the oldest records, each counted in `dropped`.
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ike/clock.hpp"
#include "pool/ipv4.hpp"
#include "xauth/accounting_record.hpp"

namespace ravpn::xauth::accounting {

enum class Protocol { Radius, Tacacs };
const char* name(Protocol);

struct Server {
  Ipv4 address;
  uint16_t port = 1646;
  std::string key;  // never logged
  unsigned timeout_seconds = 5;
  unsigned retransmits = 3;  // RADIUS: tries = 1 + retransmits; TACACS+: one TCP session per try
  std::string str() const;   // "10.89.129.134:1646"
};

struct Settings {
  std::string name;  // the PIX tag or IOS group, for the log and ravpnctl
  Protocol protocol = Protocol::Radius;
  std::vector<Server> servers;
  Seconds interim{0};            // Interim-Update interval; 0 = none (RADIUS Acct-Interim-Interval may set one)
  size_t max_queue = 4096;       // records waiting while no server answers
  Seconds retry_pause{5};        // after a round in which no server answered
  std::string nas_identifier;    // the hostname (RADIUS NAS-Identifier)
};

// What one server did with one record.
enum class Answer { Acknowledged, Timeout, Error };
struct Delivery {
  Answer answer = Answer::Timeout;
  std::string detail;        // Error / Timeout: for the log (never a key)
  unsigned retransmits = 0;  // sent again within this server's tries
};
// Sends one record to one server and waits (blocking, on the sender's thread). `delay_seconds`: how long the record
// has waited (RADIUS Acct-Delay-Time, from Record::made on the steady clock). The real ones: radius_accounting_exchange, tacacs_accounting_exchange.
using Exchange = std::function<Delivery(const Server& server, const Record& record, uint32_t delay_seconds)>;

// The bounded queue alone (no thread, no lock): what is kept and what is dropped.
class RecordQueue {
 public:
  explicit RecordQueue(size_t capacity) : capacity_(capacity) {}
  // False when a record had to be dropped to make room (an Interim first, else the oldest).
  bool push(Record record);
  bool empty() const { return records_.empty(); }
  size_t size() const { return records_.size(); }
  const Record& front() const { return records_.front(); }
  void pop() { records_.pop_front(); }
  void set_capacity(size_t capacity) { capacity_ = capacity; }

 private:
  size_t capacity_;
  std::deque<Record> records_;
};

// One round for one record: the servers in order until one acknowledges. `answered`: its index.
struct Round {
  std::optional<size_t> answered;
  unsigned retransmits = 0;
  std::vector<std::string> failures;  // "10.1.1.1:1646: timed out (4 tries of 5 s)"
};
Round deliver(const Settings& settings, const Exchange& exchange, const Record& record, uint32_t delay_seconds);

struct Stats {
  size_t queued = 0;
  uint64_t submitted = 0;
  uint64_t sent = 0;           // acknowledged records
  uint64_t failed_rounds = 0;  // rounds in which no server answered
  uint64_t retransmits = 0;
  uint64_t dropped = 0;        // pushed out of a full queue
  std::string last_server;     // which server acknowledged last ("" = none yet)
  std::string last_error;
};

// The thread and its queue. The thread's state is shared with it: on destruction the thread is told to stop and
// joined if it finishes within a second, else left to finish its exchange alone (a silent server may hold it for
// timeout x tries), so stopping the daemon never waits for the network beyond drain()'s bound.
class Sender {
 public:
  Sender(Settings settings, Exchange exchange);
  ~Sender();
  Sender(const Sender&) = delete;
  Sender& operator=(const Sender&) = delete;

  void submit(Record record);  // never blocks on the network
  // A reload: the next round uses these servers and this exchange (the protocol may have changed).
  void reconfigure(Settings settings, Exchange exchange);
  // Waits until every queued record is acknowledged or `max_wait` has passed (shutdown); true when all went.
  bool drain(Clock::duration max_wait);
  Stats stats() const;
  Settings settings() const;
  // Log lines the thread produced ("server X does not answer"), for the loop to write (the logger is not shared
  // with the thread).
  std::vector<std::string> take_messages();

 private:
  struct Shared;
  static void run(std::shared_ptr<Shared> shared);
  std::shared_ptr<Shared> shared_;
  std::thread thread_;
};

}  // namespace ravpn::xauth::accounting
