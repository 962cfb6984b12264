// Fuzz target catalog: a scenario catalog file (scenarios/catalog.h), parsed.
// A catalog either loads whole or is refused with its problems; the loader
// must not crash, hang or size an allocation by what the file claims.
// fuzz/catalog.dict holds the schema's keys and names.
#include <string_view>

#include "fuzz/fuzz_target.h"
#include "scenarios/catalog.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto specs = catalog::parse_catalog(text, "fuzz.json");
  if (!specs.ok() && specs.status().code() != vfs::StatusCode::kInvalidArgument)
    fuzz::finding("a catalog is refused with " + specs.status().to_string() + ", not as an invalid argument");
  return 0;
}
