// ravpnctl's text tables.
#include <doctest/doctest.h>

#include "daemon/control/table.hpp"

using namespace ravpn::control;
using nlohmann::json;

TEST_CASE("durations read like the box's uptime columns") {
  CHECK(duration_text(json(42)) == "42s");
  CHECK(duration_text(json(303)) == "5m03s");
  CHECK(duration_text(json(7500)) == "2h05m");
  CHECK(duration_text(json(86400 * 3 + 3600 * 4)) == "3d04h");
  CHECK(duration_text(json(nullptr)) == "-");
}

TEST_CASE("tables align columns and underline the header") {
  Table t({"a", "bbb"});
  t.add({"xxxx", "y"});
  CHECK(t.str() == "a     bbb\n----  ---\nxxxx  y\n");
}

TEST_CASE("render: isakmp, users, pools, sas") {
  json isakmp = json::parse(R"({"version":1,"ok":true,"sas":[{"serial":7,"peer":"192.0.2.5:500","local":"192.0.2.1:500",
    "state":"QM_IDLE","mode":"aggressive","group":"vpn3000","xauth":{"user":"john","state":"done"},
    "algorithms":{"cipher":"3DES-CBC","hash":"MD5","dh_group":2,"auth":"pre-share"},"established_for":65,
    "lifetime_left":86335,"icookie":"0102030405060708","rcookie":"a1a2a3a4a5a6a7a8",
    "peer_id":{"type":"key-id","value":"vpn3000"}}]})");
  std::string s = render("isakmp", isakmp);
  CHECK(s.find("192.0.2.5:500") != std::string::npos);
  CHECK(s.find("QM_IDLE") != std::string::npos);
  CHECK(s.find("3DES-CBC/MD5/group 2/pre-share") != std::string::npos);
  CHECK(s.find("1m05s") != std::string::npos);
  CHECK(s.find("cookies 0102030405060708 a1a2a3a4a5a6a7a8, peer id key-id vpn3000") != std::string::npos);
  CHECK(s.find("1 ISAKMP SA(s)") != std::string::npos);

  json users = json::parse(R"({"ok":true,"users":[{"user":"john","group":"vpn3000","address":"10.2.1.1",
    "pool":"ourpool","peer":"192.0.2.5:500","serial":7,"connected_for":5}]})");
  s = render("users", users);
  CHECK(s.find("john") != std::string::npos);
  CHECK(s.find("10.2.1.1") != std::string::npos);

  s = render("pools", json::parse(R"({"ok":true,"pools":[{"name":"ourpool","size":254,"leased":1,"free":253}]})"));
  CHECK(s == "pool     size  leased  free\n-------  ----  ------  ----\nourpool  254   1       253\n");

  s = render("sas", json::parse(R"({"ok":true,"kernel":false,"sas":[{"serial":7,"spi_in":"0xc0000001",
    "spi_out":"0x12345678","in":null,"out":null,"lifetime_left":3540}]})"));
  CHECK(s.find("0xc0000001") != std::string::npos);
  CHECK(s.find("no kernel XFRM access") != std::string::npos);
  CHECK(render("disconnect", json{{"disconnected", 2}}) == "disconnected 2 ISAKMP SA(s)\n");
}
