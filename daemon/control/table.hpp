// Text views for ravpnctl: the daemon's JSON answers as aligned tables, in the spirit of the PIX's
// `show crypto isakmp sa`, `show crypto ipsec sa` and `show uauth`.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace ravpn::control {

// Columns padded to their widest cell, two spaces apart; the header underlined.
class Table {
 public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  std::string str() const;
  size_t rows() const { return rows_.size(); }

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// "3d04h", "2h05m", "5m03s", "42s" (like the box's uptime columns); "-" for null.
std::string duration_text(const nlohmann::json& seconds);

// The readable form of one successful response to `request` (status, isakmp, sas, users, pools, disconnect, debug).
std::string render(const std::string& request, const nlohmann::json& response);

}  // namespace ravpn::control
