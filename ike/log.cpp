#include "ike/log.hpp"

namespace ravpn {

const char* name(LogLevel l) {
  switch (l) {
    case LogLevel::Debug: return "debug";
    case LogLevel::Info: return "info";
    case LogLevel::Notice: return "notice";
    case LogLevel::Warning: return "warning";
    case LogLevel::Error: return "error";
  }
  return "?";
}

const char* name(LogCategory c) {
  switch (c) {
    case LogCategory::Isakmp: return "isakmp";
    case LogCategory::Ipsec: return "ipsec";
    case LogCategory::Aaa: return "aaa";
    case LogCategory::Config: return "config";
    case LogCategory::Daemon: return "daemon";
  }
  return "?";
}

}  // namespace ravpn
