// Writes the sample messages as a classic pcap (LINKTYPE_RAW = 101: IPv4 + UDP 500 -> 500) so an independent
// dissector (tshark, see tshark_check.sh) can read our bytes. Usage: emit_pcap OUT.pcap
// `emit_pcap --corpus DIR` instead writes each sample (and extra seeds) as DIR/NAME: the fuzz seed corpus.
#include <cstdio>
#include <string>

#include "tests/wire/samples.hpp"

namespace {

using ravpn::ike::Bytes;

void put16le(Bytes& b, uint32_t v) {
  b.push_back(static_cast<uint8_t>(v));
  b.push_back(static_cast<uint8_t>(v >> 8));
}
void put32le(Bytes& b, uint32_t v) {
  put16le(b, v & 0xffff);
  put16le(b, v >> 16);
}
void put16be(Bytes& b, uint32_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}

Bytes ipv4_udp(const Bytes& payload, bool from_client) {
  Bytes ip;
  const uint8_t client[4] = {198, 51, 100, 7}, server[4] = {192, 0, 2, 1};
  size_t total = 20 + 8 + payload.size();
  ip.push_back(0x45);
  ip.push_back(0);
  put16be(ip, static_cast<uint32_t>(total));
  put16be(ip, 0x1234);  // identification
  put16be(ip, 0x4000);  // don't fragment
  ip.push_back(64);     // TTL
  ip.push_back(17);     // UDP
  put16be(ip, 0);       // checksum, filled below
  for (uint8_t b : from_client ? client : server) ip.push_back(b);
  for (uint8_t b : from_client ? server : client) ip.push_back(b);
  uint32_t sum = 0;
  for (size_t i = 0; i < 20; i += 2) sum += static_cast<uint32_t>(ip[i] << 8 | ip[i + 1]);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  ip[10] = static_cast<uint8_t>(~sum >> 8);
  ip[11] = static_cast<uint8_t>(~sum);
  put16be(ip, 500);
  put16be(ip, 500);
  put16be(ip, static_cast<uint32_t>(8 + payload.size()));
  put16be(ip, 0);  // UDP checksum optional over IPv4 (RFC 768)
  ip.insert(ip.end(), payload.begin(), payload.end());
  return ip;
}

bool write_file(const std::string& path, const Bytes& bytes) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f || std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size() || std::fclose(f) != 0) {
    std::perror(path.c_str());
    return false;
  }
  return true;
}

int write_corpus(const std::string& dir) {
  auto seeds = ravpn::ike::samples::all_samples();
  for (auto& s : ravpn::ike::samples::extra_fuzz_seeds()) seeds.push_back(std::move(s));
  for (const auto& s : seeds)
    if (!write_file(dir + "/" + s.name, s.bytes)) return 1;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--corpus") return write_corpus(argv[2]);
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT.pcap | --corpus DIR\n", argv[0]);
    return 2;
  }
  Bytes file;
  put32le(file, 0xa1b2c3d4);  // classic pcap, microsecond timestamps
  put16le(file, 2);
  put16le(file, 4);
  put32le(file, 0);      // thiszone
  put32le(file, 0);      // sigfigs
  put32le(file, 65535);  // snaplen
  put32le(file, 101);    // LINKTYPE_RAW
  uint32_t second = 1700000000;
  for (const auto& sample : ravpn::ike::samples::all_samples()) {
    bool from_client = sample.name.find("-2") == std::string::npos && sample.name.rfind("info", 0) != 0 &&
                       sample.name.rfind("transaction", 0) != 0;
    Bytes packet = ipv4_udp(sample.bytes, from_client);
    put32le(file, second++);
    put32le(file, 0);
    put32le(file, static_cast<uint32_t>(packet.size()));
    put32le(file, static_cast<uint32_t>(packet.size()));
    file.insert(file.end(), packet.begin(), packet.end());
  }
  return write_file(argv[1], file) ? 0 : 1;
}
