// Private: data-attribute helpers shared by the SA and attribute-payload codecs.
#pragma once
#include <vector>

#include "ike/wire/payloads.hpp"
#include "ike/wire/reader.hpp"

namespace ravpn::ike {

// Reads RFC 2408 §3.3 attributes until `r` is exhausted; false (with r's error set) on a short attribute.
bool read_data_attributes(Reader& r, std::vector<DataAttribute>& out);
void write_data_attributes(Writer& w, const std::vector<DataAttribute>& attributes);

}  // namespace ravpn::ike
