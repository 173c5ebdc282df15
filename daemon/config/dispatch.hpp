// Command dispatch shared by the dialect readers: a table of command prefixes (matched case-insensitively, longest
// first), what to do with each (run a handler, report as ignored / partial, open a sub-mode), and the driver that
// walks the lines, tracks the open sub-mode block and turns handler errors into diagnostics.
#pragma once
#include <algorithm>
#include <exception>
#include <string>
#include <vector>

#include "daemon/config/args.hpp"
#include "daemon/config/diagnostics.hpp"
#include "daemon/config/text.hpp"

namespace ravpn::config::detail {

template <class State>
struct Command {
  enum class Action { Handle, Ignore, Partial };
  std::vector<std::string> words;  // lower-case prefix
  Action action = Action::Handle;
  void (*handle)(State&, Args&) = nullptr;
  std::string group;    // what diagnostics group it under
  std::string message;  // for Ignore / Partial
  bool opens_block = false;  // Ignore / Partial: the indented lines that follow go with it
  bool delimited = false;    // Ignore: the words after the prefix start a ^C...^C text (banner)
};

template <class State>
class CommandTable {
 public:
  using Handler = void (*)(State&, Args&);
  using Cmd = Command<State>;

  CommandTable& handle(std::string_view words, Handler h) { return add(words, Cmd::Action::Handle, h, ""); }
  CommandTable& ignore(std::string_view words, std::string_view message = "not used by ravpn") {
    return add(words, Cmd::Action::Ignore, nullptr, message);
  }
  CommandTable& ignore_block(std::string_view words, std::string_view message = "not used by ravpn") {
    add(words, Cmd::Action::Ignore, nullptr, message);
    commands_.back().opens_block = true;
    return *this;
  }
  CommandTable& ignore_delimited(std::string_view words, std::string_view message = "not used by ravpn") {
    add(words, Cmd::Action::Ignore, nullptr, message);
    commands_.back().delimited = true;
    return *this;
  }
  CommandTable& partial(std::string_view words, std::string_view message, bool opens_block = false) {
    add(words, Cmd::Action::Partial, nullptr, message);
    commands_.back().opens_block = opens_block;
    return *this;
  }

  // The longest matching prefix; USED gets the number of words it covers. A `no X` line that matches no entry
  // is looked up as X among the Ignore / Partial entries (`no ip http server` is an `ip http` line).
  const Cmd* find(const Line& line, size_t& used) const {
    if (const Cmd* c = longest(line, 0, false, used)) return c;
    if (!line.lower.empty() && line.lower[0] == "no") return longest(line, 1, true, used);
    return nullptr;
  }

 private:
  CommandTable& add(std::string_view words, typename Cmd::Action action, Handler h, std::string_view message) {
    Cmd c;
    for (size_t i = 0; i < words.size();) {
      size_t j = words.find(' ', i);
      if (j == std::string_view::npos) j = words.size();
      c.words.emplace_back(words.substr(i, j - i));
      i = j + 1;
    }
    c.action = action;
    c.handle = h;
    c.group = std::string(words.starts_with("no ") ? words.substr(3) : words);
    c.message = std::string(message);
    commands_.push_back(std::move(c));
    return *this;
  }

  const Cmd* longest(const Line& line, size_t skip, bool reports_only, size_t& used) const {
    const Cmd* best = nullptr;
    for (const auto& c : commands_) {
      if (reports_only && c.action == Cmd::Action::Handle) continue;
      if (best && c.words.size() <= best->words.size()) continue;
      if (line.lower.size() < skip + c.words.size()) continue;
      bool match = true;
      for (size_t i = 0; match && i < c.words.size(); ++i) match = line.lower[skip + i] == c.words[i];
      if (match) best = &c;
    }
    if (best) used = skip + best->words.size();
    return best;
  }

  std::vector<Cmd> commands_;
};

// The sub-mode a reader is in. A block with no table takes every indented line as ignored (or partial) under
// `group` (`line vty 0 4`, an unknown `router ospf 1`).
template <class State>
struct Block {
  std::string group;
  const CommandTable<State>* table = nullptr;
  Diagnostic::Kind unknown_kind = Diagnostic::Kind::Ignored;  // for lines the table does not know
  std::string unknown_message = "not used by ravpn";
  bool open() const { return !group.empty(); }
};

// Diagnostics grouping for a line nobody knows: the first word, or the first two for command families.
inline std::string command_words(const Line& line) {
  size_t i = (!line.lower.empty() && line.lower[0] == "no" && line.lower.size() > 1) ? 1 : 0;
  if (i >= line.lower.size()) return "";
  static const std::vector<std::string> families = {"ip",   "ipv6",     "crypto", "aaa",  "mpls", "isakmp",
                                                    "vpdn", "snmp-server", "set", "match", "sysopt"};
  bool family = std::find(families.begin(), families.end(), line.lower[i]) != families.end();
  if (family && i + 1 < line.lower.size()) return line.lower[i] + " " + line.lower[i + 1];
  return line.lower[i];
}

// State must have members `Reporter rep` and `Block<State> block`.
template <class State>
class Driver {
 public:
  Driver(State& st, const CommandTable<State>& top) : st_(st), top_(top) {}

  void run(const std::vector<Line>& lines) {
    LineCursor cursor(lines);
    while (const Line* line = cursor.next()) {
      if (line->words.empty()) continue;
      if (line->words[0][0] == '!') {  // "!" closes a block; "!..." is a comment
        st_.block = {};
        continue;
      }
      // A Cisco config is printable text: a command with control bytes (a damaged file, binary pasted in) is an
      // error, never taken as a name or key that nothing else could write back.
      if (std::any_of(line->text.begin(), line->text.end(), [](char c) {
            const auto u = static_cast<unsigned char>(c);
            return (u < 0x20 && u != '\t') || u == 0x7f;
          })) {
        st_.rep.error(line->number, line->words[0], "control characters in the line");
        continue;
      }
      if (!line->indented && line->lower.size() == 1 && line->lower[0] == "end") {
        after_end(cursor);
        return;
      }
      if (chatter(*line)) continue;
      if (line->indented && st_.block.open()) {
        in_block(*line, cursor);
        continue;
      }
      size_t used = 0;
      if (const auto* cmd = top_.find(*line, used)) {
        st_.block = {};
        execute(*cmd, *line, used, cursor);
        continue;
      }
      // A sub-mode line written without indentation (hand-written or re-flowed configs).
      if (st_.block.open() && st_.block.table && st_.block.table->find(*line, used)) {
        in_block(*line, cursor);
        continue;
      }
      st_.block = {};
      std::string group = command_words(*line);
      st_.rep.ignored(line->number, group, "unknown command, ignored", redact(*line));
      st_.block = Block<State>{group, nullptr, Diagnostic::Kind::Ignored, "in an unknown command's block"};
    }
  }

 private:
  // Lines `show running-config` prints around the configuration.
  static bool chatter(const Line& line) {
    return (line.lower.size() >= 2 && line.lower[0] == "building" && line.lower[1].starts_with("configuration")) ||
           (line.lower.size() >= 2 && line.lower[0] == "current" && line.lower[1].starts_with("configuration"));
  }

  void after_end(LineCursor& cursor) {
    while (const Line* line = cursor.next())
      if (!line->words.empty())
        st_.rep.ignored(line->number, "after end", "after the end of the configuration", redact(*line));
  }

  void in_block(const Line& line, LineCursor& cursor) {
    const Block<State> block = st_.block;
    size_t used = 0;
    const Command<State>* cmd = block.table ? block.table->find(line, used) : nullptr;
    if (cmd) {
      execute(*cmd, line, used, cursor);
      return;
    }
    std::string group = block.table ? command_words(line) : block.group;
    if (block.unknown_kind == Diagnostic::Kind::Error)
      st_.rep.error(line.number, group, "unknown command '" + line.words[0] + "' in " + block.group);
    else
      st_.rep.add(block.unknown_kind, line.number, group, block.unknown_message, redact(line));
  }

  void execute(const Command<State>& cmd, const Line& line, size_t used, LineCursor& cursor) {
    using Action = typename Command<State>::Action;
    if (cmd.action != Action::Handle) {
      auto kind = cmd.action == Action::Ignore ? Diagnostic::Kind::Ignored : Diagnostic::Kind::Partial;
      st_.rep.add(kind, line.number, cmd.group, cmd.message, redact(line));
      if (cmd.delimited && used < line.words.size()) {
        // banner TYPE ^C ... ^C: the type word (if any) comes before the delimiter.
        size_t at = used;
        if (at + 1 < line.words.size() && !line.words[at].starts_with("^") && line.words[at].size() > 1) ++at;
        try {
          read_delimited(line, line.offsets[at], &cursor, cmd.group);
        } catch (const LineError& e) {
          st_.rep.error(line.number, cmd.group, e.message);
        }
      }
      if (cmd.opens_block) st_.block = Block<State>{cmd.group, nullptr, kind, cmd.message};
      return;
    }
    Args args(line, used, &cursor);
    std::string failure;
    try {
      cmd.handle(st_, args);
      return;
    } catch (const LineError& e) {
      failure = e.message;
    } catch (const std::exception& e) {
      failure = std::string("internal error: ") + e.what();
    } catch (...) {
      failure = "internal error";
    }
    st_.rep.error(line.number, cmd.group, failure);
    // Lines indented under a rejected command go with it.
    if (!st_.block.open() || st_.block.table == nullptr)
      st_.block = Block<State>{cmd.group, nullptr, Diagnostic::Kind::Ignored, "under a rejected command"};
  }

  State& st_;
  const CommandTable<State>& top_;
};

}  // namespace ravpn::config::detail
